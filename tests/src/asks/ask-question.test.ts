import { describe, expect, it } from 'vitest';
import { anna, createDomain, hour, minute, mondayMorning, msk } from '../../support/domain.js';

describe('asking a department (!ask)', () => {
  it('posts the question to the department, confirms it in the thread, tells the client and schedules its deadline jobs', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const mark = fx.sent.mark();
    const result = await fx.agentSays(c.id, '!ask acc in 30m why was the client billed twice?');
    expect(result).toEqual({ outcome: 'done', caseId: c.id });
    const [ask] = await fx.store.listAsks(c.id);
    expect(ask).toMatchObject({
      departmentId: 'accounting',
      question: 'why was the client billed twice?',
      askedBy: anna.user,
      askedByName: anna.userName,
      askedAt: mondayMorning,
      windowStartAt: mondayMorning,
      deadlineAt: mondayMorning + 30 * minute,
      status: 'open',
      post: { platform: 'slack', conversation: 'C0ACCOUNTING' },
    });
    const sent = fx.sent.since(mark);
    expect(sent.department(ask?.id)).toEqual([{ to: 'department', askId: ask?.id, caseId: c.id, post: { type: 'question' } }]);
    expect(sent.thread(c.id).map((m) => m.post)).toEqual([{ type: 'ask-created', askId: ask?.id }]);
    expect(sent.client(1001).map((m) => m.notice)).toEqual([
      { type: 'checking-with-department', caseId: c.id, departmentName: 'Accounting', expectBy: mondayMorning + 30 * minute },
    ]);
    // The card shows the question.
    expect(sent.all().filter((m) => m.to === 'case-card')).toEqual([{ to: 'case-card', caseId: c.id, op: 'update' }]);
    expect(fx.scheduler.asks.map((s) => s.schedule)).toEqual([
      { askId: ask?.id, version: ask?.version, reminders: [mondayMorning + 15 * minute, mondayMorning + 27 * minute], dueAt: mondayMorning + 30 * minute, againAt: mondayMorning + 60 * minute },
    ]);
    expect(await fx.historyKinds(c.id)).toContain('ask-opened');
    const opened = (await fx.store.listEvents(c.id)).find((e) => e.kind === 'ask-opened');
    expect(opened).toMatchObject({ authorKind: 'agent', authorId: anna.user, text: 'why was the client billed twice?', data: { askId: ask?.id, departmentId: 'accounting', department: 'Accounting', deadlineAt: mondayMorning + 30 * minute } });
  });

  it("uses the department's replyWithin when no duration is given, and has no second escalation when none is configured", async () => {
    const fx = createDomain();
    const c = await fx.clientSays('contract question');
    const ask = await fx.ask(c.id, 'law is clause 4 enforceable?');
    expect(ask.deadlineAt).toBe(mondayMorning + 2 * hour);
    expect(fx.scheduler.asks.at(-1)?.schedule.againAt).toBeUndefined();
    expect(fx.scheduler.kindsOf(ask.id)).toEqual(['r0', 'due']);
  });

  it('does not tell the client about a department with tellClient false', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('contract question');
    const mark = fx.sent.mark();
    await fx.ask(c.id, 'legal is clause 4 enforceable?');
    expect(fx.sent.since(mark).client()).toEqual([]);
  });

  it('counts the deadline in business hours: asked on Friday evening, due on Monday', async () => {
    const fx = createDomain({ start: msk(2026, 11, 27, 17) });
    const c = await fx.clientSays('contract question');
    const ask = await fx.ask(c.id, 'legal in 2h is clause 4 enforceable?');
    // Friday 17:00–18:00 is one hour; Monday 09:00 + 1 h.
    expect(ask.deadlineAt).toBe(msk(2026, 11, 30, 10));
    // The 50% reminder falls at closing time on Friday, not over the weekend.
    expect(fx.scheduler.asks.at(-1)?.schedule.reminders).toEqual([msk(2026, 11, 27, 18)]);
  });

  it('refuses an unknown department privately and creates nothing', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const mark = fx.sent.mark();
    const result = await fx.agentSays(c.id, '!ask marketing why?');
    expect(result).toEqual({ outcome: 'ignored', reason: 'unknown-department' });
    expect(fx.sent.since(mark).all()).toEqual([
      { to: 'staff-private', conversation: c.thread.conversation, user: anna.user, thread: (await fx.caseNow(c.id)).thread.thread, notice: { type: 'unknown-department', given: 'marketing' } },
    ]);
    expect(await fx.store.listAsks(c.id)).toEqual([]);
    expect(fx.scheduler.asks).toEqual([]);
  });

  it('refuses "!ask" with no department as an unknown department', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const mark = fx.sent.mark();
    await fx.agentSays(c.id, '!ask');
    expect(fx.sent.since(mark).notices(anna.user)).toEqual([{ type: 'unknown-department' }]);
  });

  it('refuses a bad duration or a missing question with the usage, and creates nothing', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const mark = fx.sent.mark();
    await fx.agentSays(c.id, '!ask acc in banana why?');
    await fx.agentSays(c.id, '!ask acc');
    const notices = fx.sent.since(mark).notices(anna.user);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatchObject({ type: 'ask-usage', problem: 'bad-duration', given: 'banana' });
    expect(notices[1]).toMatchObject({ type: 'ask-usage', problem: 'no-question' });
    expect(await fx.store.listAsks(c.id)).toEqual([]);
  });

  it('refuses a question on a closed case', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.agentSays(c.id, '!close');
    const mark = fx.sent.mark();
    const result = await fx.agentSays(c.id, '!ask acc why?');
    expect(result).toEqual({ outcome: 'ignored', reason: 'case closed' });
    expect(fx.sent.since(mark).notices(anna.user)).toEqual([{ type: 'case-closed', command: '!ask' }]);
    expect(await fx.store.listAsks(c.id)).toEqual([]);
  });

  it('is applied once when Slack delivers the same event twice', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const theCase = await fx.caseNow(c.id);
    const message = { inboundKey: 'slack:Ev1', platform: 'slack', channel: theCase.thread.conversation, threadTs: theCase.thread.thread as string, ts: '1.1', ...anna, text: '!ask acc why?' };
    expect(await fx.cases.receiveAgentMessage(message)).toMatchObject({ outcome: 'done' });
    await fx.settle();
    expect(await fx.cases.receiveAgentMessage(message)).toEqual({ outcome: 'duplicate' });
    await fx.settle();
    expect(await fx.store.listAsks(c.id)).toHaveLength(1);
    expect(fx.sent.departmentPosts()).toEqual(['question']);
  });
});
