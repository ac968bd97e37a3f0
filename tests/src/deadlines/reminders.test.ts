import { describe, expect, it } from 'vitest';
import { createDomain, hour, minute, mondayMorning, msk, second } from '../../support/domain.js';

/** A case with one question to accounting (1 h: reminders at 30 and 54 min, overdue at 60, the lead at 90). */
async function askedAccounting(options: Parameters<typeof createDomain>[0] = {}) {
  const fx = createDomain(options);
  const c = await fx.clientSays('my invoice is wrong');
  const ask = await fx.ask(c.id, 'acc why was the client billed twice?');
  return { fx, c, ask };
}

describe('deadline jobs of a question: reminders, overdue, second escalation', () => {
  it('sends each reminder at its point and once', async () => {
    const { fx, ask } = await askedAccounting();
    await fx.advance(30 * minute - second);
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question']);
    expect(await fx.advance(second)).toEqual([{ outcome: 'done', caseId: ask.caseId }]);
    expect(fx.sent.department(ask.id).slice(1).map((m) => m.post)).toEqual([{ type: 'reminder', index: 0 }]);
    await fx.advance(24 * minute - second);
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question', 'reminder']);
    await fx.advance(second);
    expect(fx.sent.department(ask.id).slice(1).map((m) => m.post)).toEqual([
      { type: 'reminder', index: 0 },
      { type: 'reminder', index: 1 },
    ]);
    const reminders = (await fx.store.listEvents(ask.caseId)).filter((e) => e.kind === 'ask-reminder');
    expect(reminders.map((e) => [e.at, e.authorKind, e.data?.index])).toEqual([
      [mondayMorning + 30 * minute, 'system', 0],
      [mondayMorning + 54 * minute, 'system', 1],
    ]);
    expect((await fx.askNow(ask.id)).remindersSent).toBe(2);
  });

  it('refuses a reminder job that fires a second time (another worker, a retry)', async () => {
    const { fx, ask } = await askedAccounting();
    await fx.advance(30 * minute);
    const again = await fx.runJob({ type: 'ask', askId: ask.id, version: ask.version, which: { kind: 'reminder', index: 0 } });
    expect(again).toEqual({ outcome: 'ignored', reason: 'reminder not due' });
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question', 'reminder']);
  });

  it('does not send a reminder whose deadline has already passed (a late job after a restart)', async () => {
    const { fx, ask } = await askedAccounting();
    // Down from before the first reminder until just past the deadline; the overdue job has not run yet.
    fx.jump(hour + minute);
    const late = await fx.runJob({ type: 'ask', askId: ask.id, version: ask.version, which: { kind: 'reminder', index: 0 } });
    expect(late).toEqual({ outcome: 'ignored', reason: 'reminder not due' });
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question']);
    expect(await fx.historyKinds(ask.caseId)).not.toContain('ask-reminder');
  });

  it('does not send a reminder at the very instant of the deadline', async () => {
    const { fx, ask } = await askedAccounting();
    fx.jump(hour);
    const late = await fx.runJob({ type: 'ask', askId: ask.id, version: ask.version, which: { kind: 'reminder', index: 1 } });
    expect(late).toEqual({ outcome: 'ignored', reason: 'reminder not due' });
  });

  it('after a restart past the deadline, sends the overdue notice once and no stale reminders', async () => {
    const { fx, ask } = await askedAccounting();
    await fx.advance(10 * minute);
    fx.jump(55 * minute);
    await fx.restart();
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question', 'overdue']);
    await fx.advance(hour);
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question', 'overdue', 'escalated-again']);
  });

  it('sends the overdue notice at the deadline, once, to the department and the case thread', async () => {
    const { fx, c, ask } = await askedAccounting();
    await fx.advance(hour - second);
    expect(fx.sent.departmentPosts(ask.id)).not.toContain('overdue');
    const mark = fx.sent.mark();
    expect(await fx.advance(second)).toEqual([{ outcome: 'done', caseId: c.id }]);
    const sent = fx.sent.since(mark);
    expect(sent.department(ask.id).map((m) => m.post)).toEqual([{ type: 'overdue' }]);
    expect(sent.thread(c.id).map((m) => m.post)).toMatchObject([{ type: 'ask-overdue', askId: ask.id }]);
    expect((await fx.askNow(ask.id)).overdueAt).toBe(mondayMorning + hour);
    const overdue = (await fx.store.listEvents(c.id)).filter((e) => e.kind === 'ask-overdue');
    expect(overdue).toMatchObject([{ at: mondayMorning + hour, authorKind: 'system', data: { askId: ask.id, deadlineAt: mondayMorning + hour } }]);
    const twice = await fx.runJob({ type: 'ask', askId: ask.id, version: ask.version, which: { kind: 'due' } });
    expect(twice).toEqual({ outcome: 'ignored', reason: 'overdue already fired' });
    expect(fx.sent.departmentPosts(ask.id).filter((t) => t === 'overdue')).toHaveLength(1);
  });

  it('escalates to the support lead once, escalateAgainAfter past the deadline', async () => {
    const { fx, c, ask } = await askedAccounting();
    await fx.advance(hour + 30 * minute - second);
    expect(fx.sent.departmentPosts(ask.id)).not.toContain('escalated-again');
    const mark = fx.sent.mark();
    expect(await fx.advance(second)).toEqual([{ outcome: 'done', caseId: c.id }]);
    const sent = fx.sent.since(mark);
    expect(sent.department(ask.id).map((m) => m.post)).toEqual([{ type: 'escalated-again' }]);
    expect(sent.thread(c.id).map((m) => m.post)).toEqual([{ type: 'ask-escalated', askId: ask.id }]);
    expect((await fx.askNow(ask.id)).escalatedAgainAt).toBe(mondayMorning + 90 * minute);
    expect((await fx.store.listEvents(c.id)).filter((e) => e.kind === 'ask-escalated')).toMatchObject([{ authorKind: 'system', data: { askId: ask.id, to: ['U0LEAD'] } }]);
    const twice = await fx.runJob({ type: 'ask', askId: ask.id, version: ask.version, which: { kind: 'again' } });
    expect(twice).toEqual({ outcome: 'ignored', reason: 'escalation already fired' });
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question', 'reminder', 'reminder', 'overdue', 'escalated-again']);
  });

  it('ignores a job for a question that does not exist', async () => {
    const fx = createDomain();
    expect(await fx.runJob({ type: 'ask', askId: 99, version: 1, which: { kind: 'due' } })).toEqual({ outcome: 'ignored', reason: 'no such ask' });
    expect(fx.sent.all()).toEqual([]);
  });

  it('rebuilds every open question and waiting client from SQLite, past points under fresh job ids', async () => {
    const { fx, ask } = await askedAccounting();
    const other = await fx.clientSays('second client', 2002);
    fx.scheduler.asks.length = 0;
    fx.scheduler.waits.length = 0;
    fx.scheduler.clear();
    expect(await fx.asks.rebuildSchedules()).toEqual({ asks: 1, waits: 2 });
    expect(fx.scheduler.asks).toEqual([{ schedule: fx.asks.scheduleOf(await fx.askNow(ask.id)), rebuild: true }]);
    expect(fx.scheduler.waits.map((w) => [w.caseId, w.waitingSince, w.at, w.rebuild])).toEqual([
      [ask.caseId, mondayMorning, mondayMorning + 15 * minute, true],
      [other.id, mondayMorning, mondayMorning + 15 * minute, true],
    ]);
  });

  it('counts a question across the night and the weekend in business hours', async () => {
    const fx = createDomain({ start: msk(2026, 11, 27, 17, 30) });
    const c = await fx.clientSays('contract');
    // legal: 2 h of Moscow office time from Friday 17:30 → Monday 10:30; the 50% reminder on Monday 09:30.
    const ask = await fx.ask(c.id, 'legal is clause 4 enforceable?');
    expect(ask.deadlineAt).toBe(msk(2026, 11, 30, 10, 30));
    await fx.advanceTo(msk(2026, 11, 30, 9, 29));
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question']);
    await fx.advanceTo(msk(2026, 11, 30, 9, 30));
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question', 'reminder']);
    await fx.advanceTo(msk(2026, 11, 30, 10, 30));
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question', 'reminder', 'overdue']);
    await fx.advance(7 * 24 * hour);
    // No second escalation is configured for legal.
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question', 'reminder', 'overdue']);
  });

  it('a question asked at night starts counting at the next opening', async () => {
    const fx = createDomain({ start: msk(2026, 11, 24, 23) });
    const c = await fx.clientSays('contract');
    const ask = await fx.ask(c.id, 'legal in 1h is clause 4 enforceable?');
    expect(ask.deadlineAt).toBe(msk(2026, 11, 25, 10));
    expect(fx.asks.scheduleOf(ask).reminders).toEqual([msk(2026, 11, 25, 9, 30)]);
  });
});
