import { describe, expect, it } from 'vitest';
import { anna, createDomain, hour } from '../../support/domain.js';
import type { Domain } from '../../support/domain.js';

/** The "Cancel question" button under the confirmation in the case thread, as the Slack adapter hands it over. */
const pressCancel = (fx: Domain, caseId: number, askId: number, as: { user: string; userName: string } = anna) =>
  fx.act(() => fx.cases.receiveCardCommand({ inboundKey: fx.key(), caseId, ts: 'action-1', ...as, command: { name: 'cancel', args: '', askId } }));

describe('the agent withdraws a question (!cancel, the "Cancel question" button)', () => {
  it('the button cancels the question it names and tells the department and the case thread', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    const mark = fx.sent.mark();
    expect(await pressCancel(fx, c.id, ask.id)).toEqual({ outcome: 'done', caseId: c.id });
    const sent = fx.sent.since(mark);
    expect(sent.department(ask.id).map((m) => m.post)).toEqual([{ type: 'cancelled', by: anna.user }]);
    expect(sent.thread(c.id).map((m) => m.post)).toMatchObject([{ type: 'ask-cancelled', askId: ask.id, by: anna.user }]);
    expect(await fx.askNow(ask.id)).toMatchObject({ status: 'cancelled', closedReason: null });
    expect((await fx.store.listEvents(c.id)).filter((e) => e.kind === 'ask-cancelled')).toMatchObject([{ authorKind: 'agent', authorId: anna.user, text: null, data: { askId: ask.id } }]);
    expect(fx.scheduler.kindsOf(ask.id)).toEqual([]);
    await fx.advance(2 * hour);
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question', 'cancelled']);
  });

  it('refuses the button for a question no longer open, privately, and changes nothing', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    await fx.departmentReplies(ask.id, 'because');
    const mark = fx.sent.mark();
    expect(await pressCancel(fx, c.id, ask.id)).toEqual({ outcome: 'ignored', reason: 'ask not open' });
    expect(fx.sent.since(mark).all()).toEqual([
      { to: 'staff-private', conversation: c.thread.conversation, user: anna.user, thread: (await fx.caseNow(c.id)).thread.thread, notice: { type: 'question-not-open', askId: ask.id } },
    ]);
    expect((await fx.askNow(ask.id)).status).toBe('answered');
  });

  it('refuses the button for an answered question even when another one is open, and leaves that one alone', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const answered = await fx.ask(c.id, 'acc why?');
    const other = await fx.ask(c.id, 'legal may we?');
    await fx.departmentReplies(answered.id, 'because');
    expect(await pressCancel(fx, c.id, answered.id)).toEqual({ outcome: 'ignored', reason: 'ask not open' });
    expect((await fx.askNow(other.id)).status).toBe('open');
    expect(fx.sent.departmentPosts(other.id)).toEqual(['question']);
  });

  it('!cancel takes the number as #3, q3, Q3 or 3, also past 9', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const asks = [];
    for (let n = 1; n <= 12; n++) asks.push(await fx.ask(c.id, `acc question ${n}?`));
    const ids = asks.map((a) => a.id);
    await fx.agentSays(c.id, `!cancel #${ids[2]}`);
    await fx.agentSays(c.id, `!cancel q${ids[3]}`);
    await fx.agentSays(c.id, `!cancel Q${ids[4]}`);
    await fx.agentSays(c.id, `!cancel ${ids[10]}`);
    expect((await fx.store.listAsks(c.id)).filter((a) => a.status === 'cancelled').map((a) => a.id)).toEqual([ids[2], ids[3], ids[4], ids[10]]);
  });

  it('!cancel with the only open question cancels it; by number or department when there are several', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const acc = await fx.ask(c.id, 'acc why?');
    const legal = await fx.ask(c.id, 'legal may we?');
    const third = await fx.ask(c.id, 'acc and also?');
    await fx.agentSays(c.id, '!cancel legal');
    expect((await fx.askNow(legal.id)).status).toBe('cancelled');
    await fx.agentSays(c.id, `!cancel #q${third.id}`);
    expect((await fx.askNow(third.id)).status).toBe('cancelled');
    await fx.agentSays(c.id, '!cancel');
    expect((await fx.askNow(acc.id)).status).toBe('cancelled');
    expect(fx.sent.departmentPosts(legal.id)).toEqual(['question', 'cancelled']);
    expect(fx.sent.departmentPosts(third.id)).toEqual(['question', 'cancelled']);
    expect(fx.sent.departmentPosts(acc.id)).toEqual(['question', 'cancelled']);
  });

  it('!cancel asks which one when several are open, and says so when none is', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const first = await fx.ask(c.id, 'acc why?');
    const second = await fx.ask(c.id, 'acc and also?');
    const legal = await fx.ask(c.id, 'legal may we?');
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!cancel')).toEqual({ outcome: 'ignored', reason: 'which ask' });
    await fx.agentSays(c.id, '!cancel accounting');
    await fx.agentSays(c.id, '!cancel 99');
    const { thread: { thread: slackThreadTs } } = await fx.caseNow(c.id);
    const which = { type: 'which-question', open: [{ askId: first.id, department: 'Accounting' }, { askId: second.id, department: 'Accounting' }, { askId: legal.id, department: 'Legal' }] };
    expect(fx.sent.since(mark).all()).toEqual([which, which, which].map((notice) => ({ to: 'staff-private', conversation: c.thread.conversation, user: anna.user, thread: slackThreadTs, notice })));
    for (const a of [first, second, legal]) await fx.agentSays(c.id, `!cancel ${a.id}`);
    const none = fx.sent.mark();
    await fx.agentSays(c.id, '!cancel');
    expect(fx.sent.since(none).notices(anna.user)).toEqual([{ type: 'no-open-questions', caseId: c.id }]);
  });

  it('refuses a job that still fires after the cancel', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    await fx.agentSays(c.id, '!cancel');
    fx.jump(hour);
    expect(await fx.runJob({ type: 'ask', askId: ask.id, version: ask.version, which: { kind: 'reminder', index: 0 } })).toMatchObject({ outcome: 'ignored' });
    expect(await fx.runJob({ type: 'ask', askId: ask.id, version: ask.version, which: { kind: 'due' } })).toMatchObject({ outcome: 'ignored' });
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question', 'cancelled']);
  });
});

describe('!close settles the open questions of the case', () => {
  it('cancels each with the reason "case closed", tells each department, lists them in the close post and removes their jobs', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const acc = await fx.ask(c.id, 'acc why?');
    const legal = await fx.ask(c.id, 'legal may we?');
    const answered = await fx.ask(c.id, 'acc and also?');
    await fx.departmentReplies(answered.id, 'yes');
    const mark = fx.sent.mark();
    await fx.agentSays(c.id, '!close solved by phone');
    const sent = fx.sent.since(mark);
    for (const a of [acc, legal]) {
      expect(await fx.askNow(a.id)).toMatchObject({ status: 'cancelled', closedReason: 'case closed' });
      expect(sent.department(a.id).map((m) => m.post)).toEqual([{ type: 'case-closed', by: anna.user }]);
      expect(fx.scheduler.kindsOf(a.id)).toEqual([]);
    }
    expect(sent.department(answered.id)).toEqual([]);
    expect((await fx.askNow(answered.id)).status).toBe('answered');
    expect(sent.thread(c.id).map((m) => m.post)).toEqual([{ type: 'closed', by: anna.user, summary: 'solved by phone', settledAskIds: [acc.id, legal.id] }]);
    expect((await fx.store.listEvents(c.id)).filter((e) => e.kind === 'ask-cancelled').map((e) => [e.data?.askId, e.text])).toEqual([
      [acc.id, 'case closed'],
      [legal.id, 'case closed'],
    ]);
    await fx.advance(5 * 24 * hour);
    expect(fx.sent.since(mark).departmentPosts()).toEqual(['case-closed', 'case-closed']);
    for (const a of [acc, legal]) expect(await fx.runJob({ type: 'ask', askId: a.id, version: a.version, which: { kind: 'due' } })).toMatchObject({ outcome: 'ignored' });
  });

  it('lists no questions when none was open', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.agentSays(c.id, '!close');
    expect(fx.sent.thread(c.id).map((m) => m.post)).toEqual([{ type: 'closed', by: anna.user }]);
  });

  it('!reopen names the questions the close settled; they stay settled', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const acc = await fx.ask(c.id, 'acc why?');
    const cancelled = await fx.ask(c.id, 'acc and also?');
    await fx.agentSays(c.id, `!cancel ${cancelled.id}`);
    await fx.agentSays(c.id, '!close');
    const mark = fx.sent.mark();
    await fx.agentSays(c.id, '!reopen');
    expect(fx.sent.since(mark).thread(c.id).map((m) => m.post)).toEqual([{ type: 'reopened', by: anna.user, settledAskIds: [acc.id] }]);
    expect((await fx.askNow(acc.id)).status).toBe('cancelled');
    expect((await fx.store.listEvents(c.id)).find((e) => e.kind === 'reopened')?.data).toEqual({ settledAskIds: [acc.id] });
  });
});
