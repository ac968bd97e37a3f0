import { describe, expect, it } from 'vitest';
import { anna, createDomain, minute } from '../../../support/domain.js';
import { expectRefusedToNonAgent, withAgents } from '../../../support/commands.js';

describe('!reopen', () => {
  it('opens a closed case again, tells the client and the thread', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.agentSays(c.id, '!close');
    await fx.advance(minute);
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!reopen')).toEqual({ outcome: 'done', caseId: c.id });
    expect(await fx.caseNow(c.id)).toMatchObject({ status: 'open', closedAt: null });
    const sent = fx.sent.since(mark);
    expect(sent.client(1001).map((m) => m.notice)).toEqual([{ type: 'case-reopened', caseId: c.id }]);
    expect(sent.thread(c.id).map((m) => m.post)).toEqual([{ type: 'reopened', by: anna.user }]);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({ kind: 'reopened', authorId: anna.user, data: null });
    // The client's next message goes to the same case again.
    expect((await fx.clientSays('thanks')).id).toBe(c.id);
  });

  it('names the questions the close settled, and only those: not one answered before it, even if its department writes again after the close', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('two things');
    const answered = await fx.ask(c.id, 'acc was the charge right?');
    const open = await fx.ask(c.id, 'acc and the refund?');
    await fx.departmentReplies(answered.id, 'yes, it was');
    await fx.agentSays(c.id, '!close');
    // The department adds to its answered question after the close (in the very words the close
    // records): history, not a settlement.
    await fx.departmentReplies(answered.id, 'case closed');
    const mark = fx.sent.mark();
    await fx.agentSays(c.id, '!reopen');
    expect(fx.sent.since(mark).thread(c.id).map((m) => m.post)).toEqual([{ type: 'reopened', by: anna.user, settledAskIds: [open.id] }]);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({ kind: 'reopened', data: { settledAskIds: [open.id] } });
  });

  it('names only the questions the last close settled', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.ask(c.id, 'acc why?');
    await fx.agentSays(c.id, '!close');
    await fx.agentSays(c.id, '!reopen');
    await fx.agentSays(c.id, '!close again');
    const mark = fx.sent.mark();
    await fx.agentSays(c.id, '!reopen');
    expect(fx.sent.since(mark).thread(c.id).map((m) => m.post)).toEqual([{ type: 'reopened', by: anna.user }]);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({ kind: 'reopened', data: null });
  });

  it('refuses to reopen an open case (already-open)', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!reopen')).toEqual({ outcome: 'ignored', reason: 'already open' });
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'staff-private', conversation: c.thread.conversation, user: anna.user, thread: c.thread.thread, notice: { type: 'already-open', caseId: c.id } }]);
    expect(await fx.historyKinds(c.id)).not.toContain('reopened');
  });

  it('with SLACK_AGENTS set, is refused to anyone else: the case stays closed', async () => {
    const { fx, c } = await withAgents();
    await fx.agentSays(c.id, '!close');
    await expectRefusedToNonAgent(fx, c.id, '!reopen', '!reopen');
    expect((await fx.caseNow(c.id)).status).toBe('closed');
  });
});
