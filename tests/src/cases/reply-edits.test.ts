import { describe, expect, it } from 'vitest';
import { anna, createDomain, hour, type Domain } from '../../support/domain.js';
import { replyEditWindowMs } from '../../../src/cases/reply-edits.js';
import type { Case } from '../../../src/ports.js';

const boris = { user: 'U0BORIS', userName: 'Boris' } as const;
const pdf = { id: 'F0PDF', name: 'invoice.pdf', mimeType: 'application/pdf', size: 2048 } as const;

/** A case with Anna's typed `!reply first text` delivered as one Telegram message (id 500). */
async function withReply(): Promise<{ fx: Domain; c: Case; ts: string }> {
  const fx = createDomain();
  const c = await fx.clientSays('my invoice is wrong');
  await fx.agentSays(c.id, '!reply first text');
  const ts = await fx.lastAgentTs(c.id);
  await fx.replyDelivered(c.id, ts, [500]);
  return { fx, c, ts };
}

/** What the agent is told privately when the client keeps the reply as first sent. */
const refusal = (c: Case, reason: string, user = anna.user) => ({
  to: 'staff-private',
  conversation: c.thread.conversation,
  user,
  thread: c.thread.thread,
  notice: { type: 'reply-edit-refused', reason, maxAgeHours: 48 },
});

describe('an agent edits a delivered !reply', () => {
  it('the edit window is 48 hours', () => {
    expect(replyEditWindowMs).toBe(48 * hour);
  });

  it('changes the client message to the new text, naming the first text; the thread is told once delivered; the history waits for the deliverer', async () => {
    const { fx, c, ts } = await withReply();
    const mark = fx.sent.mark();
    expect(await fx.agentEdits(c.id, ts, '!reply corrected text', boris)).toEqual({ outcome: 'done', caseId: c.id });
    // (The outbox also refreshes the card for any agent-reply to the client; not this rule.)
    expect(fx.sent.since(mark).all().filter((m) => m.to !== 'case-card')).toEqual([
      {
        to: 'client',
        chatId: 1001,
        caseId: c.id,
        // The reply keeps its author's name, whoever edits it.
        notice: { type: 'agent-reply', caseId: c.id, text: 'corrected text', agentName: 'Anna' },
        editOf: { replyTs: ts, by: boris.user, byName: 'Boris', previousText: 'first text' },
        afterDelivery: [{ to: 'case-thread', caseId: c.id, post: { type: 'reply-edited', by: boris.user, text: 'corrected text' } }],
      },
    ]);
    // The domain records nothing: the Telegram deliverer writes agent-reply-edited once the client's message changed.
    expect((await fx.historyKinds(c.id)).slice(-2)).toEqual(['agent-reply', 'reply-delivered']);
  });

  it('a second edit names the text the client has now (the first edit, once delivered)', async () => {
    const { fx, c, ts } = await withReply();
    await fx.agentEdits(c.id, ts, '!reply second text');
    await fx.replyEditDelivered(c.id, ts, 'second text', 'first text');
    const mark = fx.sent.mark();
    expect(await fx.agentEdits(c.id, ts, '!reply third text')).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).client(1001).map((m) => [m.notice.type === 'agent-reply' ? m.notice.text : m.notice.type, m.editOf?.previousText])).toEqual([['third text', 'second text']]);
    // Back to the first text: it differs from what the client has now, so it is sent.
    const back = fx.sent.mark();
    expect(await fx.agentEdits(c.id, ts, '!reply first text')).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(back).client(1001).map((m) => m.editOf?.previousText)).toEqual(['second text']);
  });

  it('an edit to the text the client already has is ignored, nothing sent', async () => {
    const { fx, c, ts } = await withReply();
    const mark = fx.sent.mark();
    expect(await fx.agentEdits(c.id, ts, '!reply first text')).toEqual({ outcome: 'ignored', reason: 'reply text unchanged' });
    expect(fx.sent.since(mark).all()).toEqual([]);
  });

  it('an edit that no longer starts with !reply, or leaves it empty, is refused privately (not-a-reply) and not read as a command', async () => {
    const { fx, c, ts } = await withReply();
    const mark = fx.sent.mark();
    expect(await fx.agentEdits(c.id, ts, 'corrected text')).toEqual({ outcome: 'ignored', reason: 'reply edit refused: not-a-reply' });
    expect(await fx.agentEdits(c.id, ts, '!close')).toEqual({ outcome: 'ignored', reason: 'reply edit refused: not-a-reply' });
    expect(await fx.agentEdits(c.id, ts, '!reply   ')).toEqual({ outcome: 'ignored', reason: 'reply edit refused: not-a-reply' });
    expect(fx.sent.since(mark).all()).toEqual([refusal(c, 'not-a-reply'), refusal(c, 'not-a-reply'), refusal(c, 'not-a-reply')]);
    expect((await fx.caseNow(c.id)).status).toBe('open');
  });

  it('a reply that carried files is refused (files)', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('send the invoice');
    await fx.agentShares(c.id, '!reply here it is', [pdf]);
    const ts = await fx.lastAgentTs(c.id);
    const mark = fx.sent.mark();
    expect(await fx.agentEdits(c.id, ts, '!reply here it is, corrected')).toEqual({ outcome: 'ignored', reason: 'reply edit refused: files' });
    expect(fx.sent.since(mark).all()).toEqual([refusal(c, 'files')]);
  });

  it('a reply delivered as two Telegram messages is refused (split); one message is not', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.agentSays(c.id, '!reply long text');
    const ts = await fx.lastAgentTs(c.id);
    await fx.replyDelivered(c.id, ts, [500, 501]);
    const mark = fx.sent.mark();
    expect(await fx.agentEdits(c.id, ts, '!reply shorter')).toEqual({ outcome: 'ignored', reason: 'reply edit refused: split' });
    expect(fx.sent.since(mark).all()).toEqual([refusal(c, 'split')]);
  });

  it('may be edited 48 hours after it was sent, not 1 ms later (too-old)', async () => {
    const { fx, c, ts } = await withReply();
    await fx.advance(replyEditWindowMs);
    const mark = fx.sent.mark();
    expect(await fx.agentEdits(c.id, ts, '!reply just in time')).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).clientNotices(1001)).toEqual(['agent-reply']);
    await fx.advance(1);
    const late = fx.sent.mark();
    expect(await fx.agentEdits(c.id, ts, '!reply too late')).toEqual({ outcome: 'ignored', reason: 'reply edit refused: too-old' });
    expect(fx.sent.since(late).all()).toEqual([refusal(c, 'too-old')]);
  });

  it('an edit of a note, or of a message Repka does not know, is ignored, nothing sent', async () => {
    const { fx, c } = await withReply();
    await fx.agentSays(c.id, 'calling the client now');
    const noteTs = await fx.lastAgentTs(c.id);
    const mark = fx.sent.mark();
    expect(await fx.agentEdits(c.id, noteTs, '!reply calling you now')).toEqual({ outcome: 'ignored', reason: 'not an edit of a reply' });
    expect(await fx.agentEdits(c.id, '1799999999.000001', '!reply hello')).toEqual({ outcome: 'ignored', reason: 'not an edit of a reply' });
    expect(fx.sent.since(mark).all()).toEqual([]);
  });

  it('an edit outside a case thread is ignored', async () => {
    const { fx, ts } = await withReply();
    const result = await fx.act(() => fx.cases.receiveAgentEdit({ inboundKey: fx.key(), platform: 'slack', channel: 'C0SUPPORT', threadTs: '1.1', ts, ...anna, text: '!reply other' }));
    expect(result).toEqual({ outcome: 'ignored', reason: 'not a case thread' });
  });
});

describe('an agent deletes a message in a case thread', () => {
  it('a deleted !reply is not unsent: the agent is told so privately', async () => {
    const { fx, c, ts } = await withReply();
    const mark = fx.sent.mark();
    expect(await fx.agentDeletes(c.id, ts, boris)).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'staff-private', conversation: c.thread.conversation, user: boris.user, thread: c.thread.thread, notice: { type: 'reply-not-unsent' } }]);
  });

  it('a deleted note, or unknown message, does nothing', async () => {
    const { fx, c } = await withReply();
    await fx.agentSays(c.id, 'internal remark');
    const noteTs = await fx.lastAgentTs(c.id);
    const mark = fx.sent.mark();
    expect(await fx.agentDeletes(c.id, noteTs)).toEqual({ outcome: 'ignored', reason: 'not a reply' });
    expect(await fx.agentDeletes(c.id, '1799999999.000001')).toEqual({ outcome: 'ignored', reason: 'not a reply' });
    expect(fx.sent.since(mark).all()).toEqual([]);
  });
});
