import { describe, expect, it } from 'vitest';
import { createDomain, hour, minute, mondayMorning, msk } from '../../support/domain.js';

const vera = { user: 'U0VERA', userName: 'Vera' };

describe('a department needs more time (extend)', () => {
  it('sets a new deadline from now, tells both threads, and replaces the jobs', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    await fx.advance(40 * minute);
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question', 'reminder']);
    const mark = fx.sent.mark();
    const result = await fx.act(() => fx.asks.extend(fx.key(), ask.id, 2 * hour, 'waiting for the bank', vera));
    expect(result).toEqual({ outcome: 'done', caseId: c.id });
    const now = mondayMorning + 40 * minute;
    expect(await fx.askNow(ask.id)).toMatchObject({ deadlineAt: now + 2 * hour, windowStartAt: now, version: ask.version + 1, remindersSent: 0, overdueAt: null, escalatedAgainAt: null, status: 'open' });
    const sent = fx.sent.since(mark);
    expect(sent.department(ask.id).map((m) => m.post)).toEqual([{ type: 'extended', byName: 'Vera', reason: 'waiting for the bank' }]);
    expect(sent.thread(c.id).map((m) => m.post)).toEqual([{ type: 'ask-extended', askId: ask.id, byName: 'Vera', reason: 'waiting for the bank' }]);
    expect((await fx.store.listEvents(c.id)).filter((e) => e.kind === 'ask-extended')).toMatchObject([
      { authorKind: 'department', authorId: 'U0VERA', text: 'waiting for the bank', data: { askId: ask.id, deadlineAt: now + 2 * hour, previousDeadlineAt: mondayMorning + hour } },
    ]);
    // The old version's jobs are removed; the new ones count from now.
    expect(fx.scheduler.removed).toEqual(['r0', 'r1', 'due', 'again'].map((k) => `ask-${ask.id}-v${ask.version}-${k}`));
    expect(fx.scheduler.asks.at(-1)?.schedule).toEqual({ askId: ask.id, version: ask.version + 1, reminders: [now + hour, now + 108 * minute], dueAt: now + 2 * hour, againAt: now + 150 * minute });
  });

  it('resets the reminders and the overdue notice: they fire again for the new deadline, once each', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    await fx.advance(hour + minute);
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question', 'reminder', 'reminder', 'overdue']);
    await fx.act(() => fx.asks.extend(fx.key(), ask.id, hour, 'next week', vera));
    const mark = fx.sent.mark();
    // The old version's overdue and escalation jobs would be refused if they still fired.
    expect(await fx.runJob({ type: 'ask', askId: ask.id, version: ask.version, which: { kind: 'again' } })).toMatchObject({ outcome: 'ignored' });
    expect(await fx.runJob({ type: 'ask', askId: ask.id, version: ask.version, which: { kind: 'due' } })).toMatchObject({ outcome: 'ignored' });
    await fx.advance(hour + 30 * minute);
    expect(fx.sent.since(mark).departmentPosts(ask.id)).toEqual(['reminder', 'reminder', 'overdue', 'escalated-again']);
    expect((await fx.askNow(ask.id)).remindersSent).toBe(2);
  });

  it('counts the new deadline in business hours', async () => {
    const fx = createDomain({ start: msk(2026, 11, 27, 16) });
    const c = await fx.clientSays('contract');
    const ask = await fx.ask(c.id, 'legal may we?');
    await fx.act(() => fx.asks.extend(fx.key(), ask.id, 3 * hour, 'checking', vera));
    // Friday 16:00 + 3 h of office time: 2 h on Friday, 1 h on Monday.
    expect((await fx.askNow(ask.id)).deadlineAt).toBe(msk(2026, 11, 30, 10));
  });

  it('is refused for a question that is no longer open, and for an unknown one', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    await fx.departmentReplies(ask.id, 'because');
    const mark = fx.sent.mark();
    expect(await fx.act(() => fx.asks.extend(fx.key(), ask.id, hour, 'more', vera))).toEqual({ outcome: 'ignored', reason: 'ask not open' });
    // The presser is told privately, in the question's channel; neither thread hears anything.
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'staff-private', conversation: 'C0ACCOUNTING', user: 'U0VERA', notice: { type: 'question-not-open', askId: ask.id } }]);
    // A question that does not exist has no channel to answer in: nothing is sent.
    const unknown = fx.sent.mark();
    expect(await fx.act(() => fx.asks.extend(fx.key(), 99, hour, 'more', vera))).toEqual({ outcome: 'ignored', reason: 'ask not open' });
    expect(fx.sent.since(unknown).all()).toEqual([]);
    expect((await fx.askNow(ask.id)).version).toBe(ask.version);
  });
});
