import { describe, expect, it } from 'vitest';
import { anna, createDomain, minute, mondayMorning } from '../../../support/domain.js';
import { expectRefusedToNonAgent, withAgents } from '../../../support/commands.js';

describe('!reply', () => {
  it('sends the text to the client, ends their wait, counts the first reply and assigns the replier', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    await fx.advance(5 * minute);
    const mark = fx.sent.mark();
    const result = await fx.agentSays(c.id, '!reply we are on it & will <write> back');
    expect(result).toEqual({ outcome: 'done', caseId: c.id });
    const sent = fx.sent.since(mark);
    const [toClient] = sent.client(1001);
    expect(sent.client(1001)).toHaveLength(1);
    const event = (await fx.store.listEvents(c.id)).at(-1);
    // replyTs: the agent's message, so that an edit of it can find what the client got.
    expect(toClient?.notice).toEqual({ type: 'agent-reply', caseId: c.id, text: 'we are on it & will <write> back', agentName: 'Anna', replyTs: event?.data?.ts });
    expect(event).toMatchObject({ kind: 'agent-reply', authorKind: 'agent', authorId: anna.user, authorName: 'Anna', text: 'we are on it & will <write> back' });
    // Once delivered, a ✅ on the agent's message.
    expect(toClient?.afterDelivery).toEqual([{ to: 'staff-delivered-mark', caseId: c.id, conversation: c.thread.conversation, message: event?.data?.ts }]);
    expect(await fx.caseNow(c.id)).toMatchObject({ clientWaitingSince: null, firstReplyAt: mondayMorning + 5 * minute, assignee: anna.user });
    expect(sent.all().filter((m) => m.to === 'case-card')).toEqual([{ to: 'case-card', caseId: c.id, op: 'update' }]);
  });

  it('!r is the same; a later reply keeps the first-reply time and the assignee', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.agentSays(c.id, '!r hi');
    await fx.advance(minute);
    await fx.agentSays(c.id, '!REPLY again', { user: 'U0BORIS', userName: 'Boris' });
    expect(fx.sent.client(1001).filter((m) => m.notice.type === 'agent-reply').map((m) => m.notice)).toEqual([
      { type: 'agent-reply', caseId: c.id, text: 'hi', agentName: 'Anna', replyTs: expect.any(String) },
      { type: 'agent-reply', caseId: c.id, text: 'again', agentName: 'Boris', replyTs: expect.any(String) },
    ]);
    expect(await fx.caseNow(c.id)).toMatchObject({ firstReplyAt: mondayMorning, assignee: anna.user });
  });

  it('from the card form, shows the reply in the thread once delivered instead of a reaction', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.act(() => fx.cases.receiveCardCommand({ inboundKey: fx.key(), caseId: c.id, ts: 'view-1', ...anna, command: { name: 'reply', text: 'hi from the form' } }));
    expect(fx.sent.client(1001).at(-1)?.afterDelivery).toEqual([{ to: 'case-thread', caseId: c.id, post: { type: 'reply-sent', by: anna.user, text: 'hi from the form' } }]);
  });

  it('refuses an empty reply with the usage, and sends nothing to the client', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!reply   ')).toEqual({ outcome: 'ignored', reason: 'empty reply' });
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'staff-private', conversation: c.thread.conversation, user: anna.user, thread: c.thread.thread, notice: { type: 'usage', command: '!reply' } }]);
    expect((await fx.caseNow(c.id)).clientWaitingSince).toBe(mondayMorning);
  });

  it('refuses a reply on a closed case (case-closed)', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.agentSays(c.id, '!close');
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!reply too late')).toEqual({ outcome: 'ignored', reason: 'case closed' });
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'staff-private', conversation: c.thread.conversation, user: anna.user, thread: c.thread.thread, notice: { type: 'case-closed', command: '!reply' } }]);
    expect(await fx.historyKinds(c.id)).not.toContain('agent-reply');
  });

  it('with SLACK_AGENTS set, is refused to anyone else and nothing reaches the client', async () => {
    const { fx, c } = await withAgents();
    await expectRefusedToNonAgent(fx, c.id, '!reply hello from Eve', '!reply');
    expect(await fx.agentSays(c.id, '!reply hello from Boris', { user: 'U0BORIS', userName: 'Boris' })).toMatchObject({ outcome: 'done' });
  });
});
