import { describe, expect, it } from 'vitest';
import { anna, clientProfile, createDomain, minute, type Domain } from '../../support/domain.js';
import type { ClientContent } from '../../../src/outgoing.js';

const chat = 1001;

/** A case closed by Anna (assigned to `assignee`, if given). */
async function closedCase(assignee?: string) {
  const fx = createDomain();
  const c = await fx.clientSays('my invoice is wrong', chat);
  if (assignee !== undefined) await fx.agentSays(c.id, '!assign me', { user: assignee, userName: assignee });
  await fx.agentSays(c.id, '!close');
  return { fx, caseId: c.id };
}

const rate = (fx: Domain, data: string, extra: { chatId?: number; messageId?: number; languageCode?: string; key?: string } = {}) =>
  fx.act(() => fx.ratings.rate(extra.key ?? fx.key(), { chatId: extra.chatId ?? chat, data, messageId: extra.messageId, languageCode: extra.languageCode }));

/** What the Telegram deliverer records once the invitation to comment reached the client. */
async function invitationDelivered(fx: Domain, caseId: number, messageId: number): Promise<void> {
  await fx.uow.run((tx) => tx.appendEvent({ caseId, at: fx.now(), kind: 'rating-comment-invited', authorKind: 'system', authorId: null, authorName: null, text: null, data: { messageId } }));
}

/**
 * A client message offered as it comes (CaseService.receiveClientMessage, which asks the rating
 * first): its result when it was taken as a comment, undefined when it went to a case instead
 * (a case message's result says whether it opened one).
 */
const sayOrComment = async (fx: Domain, content: ClientContent, replyToMessageId?: number, key = fx.key(), chatId = chat) => {
  const result = await fx.act(() => fx.cases.receiveClientMessage(key, clientProfile(chatId), content, undefined, replyToMessageId));
  return result.outcome === 'done' && 'opened' in result ? undefined : result;
};
const comment = (fx: Domain, text: string, replyToMessageId?: number, key = fx.key()) => sayOrComment(fx, { type: 'text', text }, replyToMessageId, key);

describe('rating a closed case', () => {
  it('stores the score, posts it into the thread, shows it in place of the buttons and invites a comment', async () => {
    const { fx, caseId } = await closedCase();
    const mark = fx.sent.mark();
    expect(await rate(fx, `rate:${caseId}:4`, { messageId: 77 })).toEqual({ reply: 'thanks', language: 'en', caseId });
    const sent = fx.sent.since(mark);
    expect(sent.thread(caseId).map((m) => m.post)).toEqual([{ type: 'rated', score: 4 }]);
    expect(sent.client(chat)).toEqual([
      { to: 'client', chatId: chat, caseId, notice: { type: 'rating-recorded', caseId, score: 4 }, editMessageId: 77 },
      { to: 'client', chatId: chat, caseId, notice: { type: 'rating-comment-invite', caseId } },
    ]);
    expect((await fx.store.listEvents(caseId)).at(-1)).toMatchObject({ kind: 'rated', authorKind: 'client', authorId: String(chat), authorName: 'Olga', data: { score: 4 } });
  });

  it('without the message id, sends no edit', async () => {
    const { fx, caseId } = await closedCase();
    const mark = fx.sent.mark();
    await rate(fx, `rate:${caseId}:5`);
    expect(fx.sent.since(mark).clientNotices(chat)).toEqual(['rating-comment-invite']);
  });

  it('a low rating mentions the assignee, or else the agent who closed the case; 3 and up mention nobody', async () => {
    const assigned = await closedCase('U0BORIS');
    await rate(assigned.fx, `rate:${assigned.caseId}:2`);
    expect(assigned.fx.sent.thread(assigned.caseId).at(-1)?.post).toEqual({ type: 'rated', score: 2, mention: 'U0BORIS' });

    const unassigned = await closedCase();
    await rate(unassigned.fx, `rate:${unassigned.caseId}:1`);
    expect(unassigned.fx.sent.thread(unassigned.caseId).at(-1)?.post).toEqual({ type: 'rated', score: 1, mention: anna.user });

    const fine = await closedCase('U0BORIS');
    await rate(fine.fx, `rate:${fine.caseId}:3`);
    expect(fine.fx.sent.thread(fine.caseId).at(-1)?.post).toEqual({ type: 'rated', score: 3 });
  });

  it('refuses malformed data, an unknown case, a case of another chat, an open case and a second rating, storing nothing', async () => {
    const { fx, caseId } = await closedCase();
    const open = await fx.clientSays('another client', 2002);
    const events = (await fx.store.listEvents(caseId)).length;
    const mark = fx.sent.mark();
    expect((await rate(fx, `rate:${caseId}:6`)).reply).toBe('malformed');
    expect((await rate(fx, 'rate:99:3')).reply).toBe('no-such-case');
    expect((await rate(fx, `rate:${caseId}:3`, { chatId: 2002 })).reply).toBe('not-yours');
    expect((await rate(fx, `rate:${open.id}:3`, { chatId: 2002 })).reply).toBe('case-open');
    expect(fx.sent.since(mark).all()).toEqual([]);
    expect(await fx.store.listEvents(caseId)).toHaveLength(events);
    expect((await rate(fx, `rate:${caseId}:3`)).reply).toBe('thanks');
    expect((await rate(fx, `rate:${caseId}:5`)).reply).toBe('already-rated');
    expect((await fx.store.listEvents(caseId)).filter((e) => e.kind === 'rated')).toHaveLength(1);
  });

  it('a case closed again after a reopen may be rated again', async () => {
    const { fx, caseId } = await closedCase();
    await rate(fx, `rate:${caseId}:2`);
    await fx.agentSays(caseId, '!reopen');
    await fx.agentSays(caseId, '!close');
    expect((await rate(fx, `rate:${caseId}:5`)).reply).toBe('thanks');
  });

  it('answers a duplicate press with nothing, and a stranger in their own language', async () => {
    const { fx, caseId } = await closedCase();
    await rate(fx, `rate:${caseId}:4`, { key: 'tg:cb1' });
    expect(await rate(fx, `rate:${caseId}:4`, { key: 'tg:cb1' })).toEqual({ reply: undefined, language: 'en' });
    expect(await rate(fx, `rate:${caseId}:4`, { chatId: 3003, languageCode: 'ru' })).toEqual({ reply: 'not-yours', language: 'ru' });
  });
});

describe('a comment on the rating', () => {
  it('a reply to the invitation is the comment, whenever it comes: stored, posted with the score, thanked', async () => {
    const { fx, caseId } = await closedCase();
    await rate(fx, `rate:${caseId}:2`);
    await invitationDelivered(fx, caseId, 501);
    await fx.advance(3 * 24 * 60 * minute);
    const mark = fx.sent.mark();
    expect(await comment(fx, 'too slow', 501)).toEqual({ outcome: 'done', caseId });
    const sent = fx.sent.since(mark);
    expect(sent.thread(caseId).map((m) => m.post)).toEqual([{ type: 'rating-comment', text: 'too slow', score: 2 }]);
    expect(sent.client(chat).map((m) => m.notice)).toEqual([{ type: 'rating-comment-thanks', caseId }]);
    expect((await fx.store.listEvents(caseId)).at(-1)).toMatchObject({ kind: 'rating-comment', authorKind: 'client', text: 'too slow', data: { score: 2 } });
  });

  it('a reply to another message of the bot is no comment: it opens a case, as any message', async () => {
    const { fx, caseId } = await closedCase();
    await rate(fx, `rate:${caseId}:2`);
    await invitationDelivered(fx, caseId, 501);
    expect(await comment(fx, 'hello', 400, 'tg:u9')).toBeUndefined();
    const opened = await fx.store.findOpenCase((await fx.store.findClientByChat(chat))?.id ?? 0);
    expect(opened?.id).not.toBe(caseId);
    expect((await fx.store.listEvents(opened?.id ?? 0)).map((e) => [e.kind, e.text])).toContainEqual(['client-message', 'hello']);
    expect((await fx.store.listEvents(caseId)).filter((e) => e.kind === 'rating-comment')).toEqual([]);
  });

  it('a text replying to nothing within 10 minutes of the invitation is the comment; the first is told so', async () => {
    const { fx, caseId } = await closedCase();
    await rate(fx, `rate:${caseId}:4`);
    await invitationDelivered(fx, caseId, 501);
    await fx.advance(9 * minute);
    const mark = fx.sent.mark();
    expect(await comment(fx, 'thanks,')).toEqual({ outcome: 'done', caseId });
    expect(await comment(fx, 'all good')).toEqual({ outcome: 'done', caseId });
    expect(fx.sent.since(mark).clientNotices(chat)).toEqual(['rating-comment-taken']);
    expect(fx.sent.since(mark).threadPosts(caseId)).toEqual(['rating-comment', 'rating-comment']);
    expect((await fx.store.listEvents(caseId)).filter((e) => e.kind === 'rating-comment').map((e) => e.data)).toEqual([
      { score: 4, withoutReply: true },
      { score: 4, withoutReply: true },
    ]);
  });

  it('a text replying to nothing after the window, or from a client with an open case, or not text, is no comment', async () => {
    const { fx, caseId } = await closedCase();
    await rate(fx, `rate:${caseId}:4`);
    await invitationDelivered(fx, caseId, 501);
    expect(await sayOrComment(fx, { type: 'sticker', emoji: '👍' })).toBeUndefined();
    await fx.advance(10 * minute + 1);
    expect(await comment(fx, 'late')).toBeUndefined();
    expect(await sayOrComment(fx, { type: 'text', text: 'who?' }, undefined, fx.key(), 4004)).toBeUndefined();
    await fx.clientSays('new problem', chat);
    expect(await comment(fx, 'and another', 501)).toMatchObject({ outcome: 'done', caseId });
    expect(await comment(fx, 'plain message')).toBeUndefined();
  });

  it('a duplicate delivery of a comment is stored once', async () => {
    const { fx, caseId } = await closedCase();
    await rate(fx, `rate:${caseId}:4`);
    await invitationDelivered(fx, caseId, 501);
    expect(await comment(fx, 'ok', 501, 'tg:u1')).toMatchObject({ outcome: 'done' });
    expect(await comment(fx, 'ok', 501, 'tg:u1')).toEqual({ outcome: 'duplicate' });
    expect((await fx.store.listEvents(caseId)).filter((e) => e.kind === 'rating-comment')).toHaveLength(1);
  });
});
