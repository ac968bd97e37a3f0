import { describe, expect, it } from 'vitest';
import type { Department } from '../../bots/config.js';
import type { BusinessHours } from '../../src/deadlines/business-hours.js';
import { parsePeriod, startOfLocalDay, wallClock, type Period } from '../../src/reports/period.js';
import { computeStats, median, percentile, type StatsAsk, type StatsCase, type StatsRating, type StatsSnapshot } from '../../src/reports/stats.js';

const minute = 60_000;
const hour = 60 * minute;
/** Moscow is UTC+3 all year. */
const msk = (y: number, m: number, d: number, h: number, min = 0) => Date.UTC(y, m - 1, d, h - 3, min);

const moscowOffice: BusinessHours = { timezone: 'Europe/Moscow', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' };
const department = (id: string, name: string, hours?: BusinessHours): Department => ({
  id,
  name,
  names: [id],
  aliases: [],
  channel: `C0${id.toUpperCase()}`,
  replyWithinMs: 2 * hour,
  mention: [],
  remindAt: [],
  escalateTo: [],
  tellClient: true,
  hours,
});
const departments = [department('dev', 'Development', moscowOffice), department('acc', 'Accounting'), department('mkt', 'Marketing')];

/** Mon 23 Nov 2026 00:00 to Thu 3 Dec 2026 00:00, Moscow time; "now" is its end. */
const period: Period = { from: msk(2026, 11, 23, 0), to: msk(2026, 12, 3, 0), label: 'test' };
const now = period.to;

let askId = 0;
const ask = (departmentId: string, askedAt: number, deadlineAt: number, outcome: { answeredAt?: number; status?: StatsAsk['status'] } = {}): StatsAsk => ({
  id: ++askId,
  caseId: 1,
  departmentId,
  askedBy: 'U0ANNA',
  askedAt,
  deadlineAt,
  answeredAt: outcome.answeredAt ?? null,
  status: outcome.status ?? (outcome.answeredAt === undefined ? 'open' : 'answered'),
  overdueAt: null,
});

const asks: StatsAsk[] = [
  // Development, Mon–Fri 09–18 Moscow.
  // Fri 17:00, 2 working hours → Mon 10:00; answered Mon 10:00: on time, 2 working hours (65 h on the wall clock).
  ask('dev', msk(2026, 11, 27, 17), msk(2026, 11, 30, 10), { answeredAt: msk(2026, 11, 30, 10) }),
  // Mon 10:00 → 12:00, answered 13:00: late, 3 h.
  ask('dev', msk(2026, 11, 23, 10), msk(2026, 11, 23, 12), { answeredAt: msk(2026, 11, 23, 13) }),
  // Tue 17:30 → Wed 10:30, answered Wed 09:30: on time, 30 min Tuesday + 30 min Wednesday = 1 h.
  ask('dev', msk(2026, 11, 24, 17, 30), msk(2026, 11, 25, 10, 30), { answeredAt: msk(2026, 11, 25, 9, 30) }),
  // Open and past its deadline at the end of the period: due, not on time, overdue now.
  ask('dev', msk(2026, 12, 2, 9), msk(2026, 12, 2, 11)),
  // Declined: asked, but neither due nor overdue.
  ask('dev', msk(2026, 12, 1, 10), msk(2026, 12, 1, 12), { status: 'declined' }),
  // Asked before the period and still open: only "overdue now".
  ask('dev', msk(2026, 11, 20, 10), msk(2026, 11, 20, 12)),
  // Open, deadline still ahead: asked, not due.
  ask('dev', msk(2026, 12, 2, 20), msk(2026, 12, 3, 11)),
  // Accounting, 24/7.
  ask('acc', msk(2026, 11, 28, 12), msk(2026, 11, 28, 13), { answeredAt: msk(2026, 11, 28, 14) }), // late, 2 h
  ask('acc', msk(2026, 11, 29, 23), msk(2026, 11, 30, 0), { answeredAt: msk(2026, 11, 29, 23, 30) }), // on time, 30 min
  ask('acc', msk(2026, 11, 30, 8), msk(2026, 11, 30, 9), { answeredAt: msk(2026, 11, 30, 9) }), // exactly at the deadline: on time, 1 h
  ask('acc', msk(2026, 12, 1, 8), msk(2026, 12, 1, 9), { status: 'cancelled' }),
  // Asked before the period, answered inside it: belongs to the earlier period.
  ask('acc', msk(2026, 11, 22, 10), msk(2026, 11, 22, 11), { answeredAt: msk(2026, 11, 23, 1) }),
  // A department no longer configured.
  ask('legal', msk(2026, 11, 24, 10), msk(2026, 11, 24, 12), { answeredAt: msk(2026, 11, 24, 10, 45) }),
];

const theCase = (id: number, c: Partial<StatsCase> & { openedAt: number }): StatsCase => ({
  id,
  closedAt: null,
  assignee: null,
  closedBy: null,
  firstReplyAt: null,
  firstReplyBy: null,
  ...c,
});

const cases: StatsCase[] = [
  theCase(1, { openedAt: msk(2026, 11, 23, 10, 15), firstReplyAt: msk(2026, 11, 23, 10, 25), firstReplyBy: 'U0ANNA', assignee: 'U0ANNA', closedAt: msk(2026, 11, 23, 12, 15), closedBy: 'U0ANNA' }),
  theCase(2, { openedAt: msk(2026, 11, 23, 10, 40), firstReplyAt: msk(2026, 11, 23, 11, 10), firstReplyBy: 'U0BORIS', assignee: 'U0BORIS', closedAt: msk(2026, 11, 24, 10, 40), closedBy: 'U0ANNA' }),
  theCase(3, { openedAt: msk(2026, 11, 25, 22, 5), firstReplyAt: msk(2026, 11, 26, 9, 5), firstReplyBy: 'U0ANNA', assignee: 'U0ANNA' }),
  theCase(4, { openedAt: msk(2026, 11, 28, 14) }),
  // Opened and first answered before the period, closed inside it.
  theCase(5, { openedAt: msk(2026, 11, 20, 10), firstReplyAt: msk(2026, 11, 20, 10, 30), firstReplyBy: 'U0BORIS', assignee: 'U0BORIS', closedAt: msk(2026, 11, 23, 9), closedBy: 'U0BORIS' }),
  theCase(6, { openedAt: msk(2026, 11, 30, 10), firstReplyAt: msk(2026, 11, 30, 10, 20), firstReplyBy: 'U0ANNA', closedAt: msk(2026, 11, 30, 11), closedBy: 'U0ANNA' }),
  // After the period.
  theCase(7, { openedAt: msk(2026, 12, 3, 10), firstReplyAt: msk(2026, 12, 3, 10, 5), firstReplyBy: 'U0ANNA', closedAt: msk(2026, 12, 3, 11), closedBy: 'U0ANNA' }),
];

const ratings: StatsRating[] = [
  { caseId: 1, at: msk(2026, 11, 23, 13), score: 5 },
  { caseId: 2, at: msk(2026, 11, 24, 11), score: 2 },
  { caseId: 2, at: msk(2026, 11, 24, 12), score: 3 }, // the latest rating of a case counts
  { caseId: 5, at: msk(2026, 11, 23, 10), score: 4 },
  { caseId: 9, at: msk(2026, 11, 20, 10), score: 1 }, // before the period
  { caseId: 6, at: msk(2026, 11, 30, 12), score: 7 }, // not a score
];

const clientMessageTimes = [msk(2026, 11, 23, 10, 15), msk(2026, 11, 23, 10, 20), msk(2026, 11, 25, 22, 5), msk(2026, 12, 3, 10)];

const snapshot: StatsSnapshot = { cases, asks, ratings, clientMessageTimes };
const stats = computeStats({ period, now, snapshot, departments, timeZone: 'Europe/Moscow' });

describe('department figures', () => {
  it('counts questions, on-time answers, working-hour reply times and overdue questions of a department with business hours', () => {
    expect(stats.departments.find((d) => d.id === 'dev')).toEqual({
      id: 'dev',
      name: 'Development',
      asked: 6,
      due: 4,
      onTime: 2,
      onTimePercent: 50,
      answered: 3,
      medianReplyMs: 2 * hour,
      p90ReplyMs: 3 * hour,
      overdueNow: 2,
    });
  });

  it('counts the clock 24/7 for a department without hours; an answer at the deadline is on time', () => {
    expect(stats.departments.find((d) => d.id === 'acc')).toEqual({
      id: 'acc',
      name: 'Accounting',
      asked: 4,
      due: 3,
      onTime: 2,
      onTimePercent: 67,
      answered: 3,
      medianReplyMs: 1 * hour,
      p90ReplyMs: 2 * hour,
      overdueNow: 0,
    });
  });

  it('lists configured departments in order, idle ones included, then departments only found in the data', () => {
    expect(stats.departments.map((d) => d.id)).toEqual(['dev', 'acc', 'mkt', 'legal']);
    expect(stats.departments[2]).toMatchObject({ asked: 0, due: 0, onTimePercent: null, medianReplyMs: null, p90ReplyMs: null });
    expect(stats.departments[3]).toMatchObject({ name: 'legal', asked: 1, onTimePercent: 100, medianReplyMs: 45 * minute });
  });
});

describe('team and agent figures', () => {
  it('counts cases opened and closed in the period and the median first reply', () => {
    expect(stats.casesOpened).toBe(5);
    expect(stats.casesClosed).toBe(4);
    // First replies in the period: 10m, 30m, 11h, 20m → (20m + 30m) / 2.
    expect(stats.medianFirstReplyMs).toBe(25 * minute);
  });

  it('credits a closed case to its assignee and to whoever closed it, and a first reply to its sender', () => {
    expect(stats.agents).toEqual([
      { agent: 'U0ANNA', handled: 3, medianCloseMs: 2 * hour, firstReplies: 3, medianFirstReplyMs: 20 * minute },
      { agent: 'U0BORIS', handled: 2, medianCloseMs: 47.5 * hour, firstReplies: 1, medianFirstReplyMs: 30 * minute },
    ]);
  });

  it('averages the latest valid rating per case given in the period', () => {
    expect(stats.satisfaction).toEqual({ count: 3, average: 4, byScore: [0, 0, 1, 1, 1] });
  });

  it('places new cases and client messages by weekday and hour in the team time zone', () => {
    const a = stats.clientActivity;
    expect(a.casesByWeekday).toEqual([3, 0, 1, 0, 0, 1, 0]);
    expect(a.casesByHour[10]).toBe(3);
    expect(a.casesByHour[22]).toBe(1);
    expect(a.casesByHour[14]).toBe(1);
    expect(a.casesByHour.reduce((x, y) => x + y, 0)).toBe(5);
    expect(a.casesByWeekdayHour[0]?.[10]).toBe(3);
    expect(a.casesByWeekdayHour[2]?.[22]).toBe(1);
    expect(a.messagesByWeekday).toEqual([2, 0, 1, 0, 0, 0, 0]);
    expect(a.messagesByHour[10]).toBe(2);
    expect(a.messagesByHour[22]).toBe(1);
  });

  it('reports nothing for an empty period', () => {
    const empty = computeStats({ period: { from: 0, to: 1000, label: 'x' }, now, snapshot, departments, timeZone: 'UTC' });
    expect(empty).toMatchObject({ casesOpened: 0, casesClosed: 0, medianFirstReplyMs: null, agents: [], satisfaction: { count: 0, average: null } });
    // Overdue now does not depend on the period.
    expect(empty.departments.find((d) => d.id === 'dev')).toMatchObject({ asked: 0, overdueNow: 2 });
  });
});

describe('median and percentile', () => {
  it('take the middle value (mean of the two middle ones) and the nearest rank', () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([], 90)).toBeNull();
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([10, 1], 90)).toBe(10);
    expect(percentile([7], 90)).toBe(7);
  });
});

describe('parsePeriod', () => {
  const t = Date.UTC(2026, 10, 30, 12);
  const day = 24 * hour;

  it('reads the last n days, 7 by default', () => {
    expect(parsePeriod('', t, 'UTC')).toEqual({ ok: true, period: { from: t - 7 * day, to: t, label: 'last 7 days' } });
    expect(parsePeriod('30d', t, 'UTC')).toEqual({ ok: true, period: { from: t - 30 * day, to: t, label: 'last 30 days' } });
    expect(parsePeriod(' 7D ', t, 'UTC')).toMatchObject({ ok: true, period: { from: t - 7 * day } });
  });

  it('reads a range of whole local days, both ends included', () => {
    expect(parsePeriod('2026-11-23..2026-12-02', t, 'Europe/Moscow')).toEqual({
      ok: true,
      period: { from: msk(2026, 11, 23, 0), to: msk(2026, 12, 3, 0), label: '2026-11-23 – 2026-12-02' },
    });
    expect(parsePeriod('2026-11-30..2026-11-30', t, 'UTC')).toMatchObject({ ok: true, period: { from: Date.UTC(2026, 10, 30), to: Date.UTC(2026, 11, 1) } });
  });

  it('uses the real local midnights around a DST change', () => {
    // Berlin: 29 Mar 2026 starts at 00:00 CET (23:00Z) and 30 Mar at 00:00 CEST (22:00Z).
    expect(parsePeriod('2026-03-29..2026-03-29', t, 'Europe/Berlin')).toMatchObject({ ok: true, period: { from: Date.UTC(2026, 2, 28, 23), to: Date.UTC(2026, 2, 29, 22) } });
    expect(startOfLocalDay(2026, 11, 1, 'America/New_York')).toBe(Date.UTC(2026, 10, 1, 4));
  });

  it('explains what is wrong with a malformed period', () => {
    const problem = (text: string) => {
      const result = parsePeriod(text, t, 'UTC');
      return result.ok ? undefined : result.problem;
    };
    expect(problem('yesterday')).toMatch(/"yesterday" is not a period.*7d.*30d.*YYYY-MM-DD\.\.YYYY-MM-DD/);
    expect(problem('0d')).toMatch(/1 to 366/);
    expect(problem('400d')).toMatch(/1 to 366/);
    expect(problem('2026-02-30..2026-03-01')).toMatch(/"2026-02-30" is not a date/);
    expect(problem('2026-03-01..2026-13-01')).toMatch(/"2026-13-01" is not a date/);
    expect(problem('2026-03-10..2026-03-01')).toMatch(/ends before it starts/);
    expect(problem('2024-01-01..2026-01-01')).toMatch(/longer than 366 days/);
    expect(problem('7 days')).toMatch(/not a period/);
  });
});

describe('wallClock', () => {
  it('gives the weekday (Monday 0) and hour in a zone', () => {
    // Sun 22 Nov 2026 22:30Z is Mon 23 Nov 01:30 in Moscow.
    expect(wallClock(Date.UTC(2026, 10, 22, 22, 30), 'Europe/Moscow')).toEqual({ year: 2026, month: 11, day: 23, weekday: 0, hour: 1 });
    expect(wallClock(Date.UTC(2026, 10, 22, 22, 30), 'UTC')).toMatchObject({ weekday: 6, hour: 22 });
  });
});
