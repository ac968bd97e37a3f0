import type { Department } from '../departments.js';
import { businessTimeBetween } from '../deadlines/business-hours.js';
import type { AskStatus } from '../ports.js';
import { wallClock, type Period } from './period.js';

/** A case as the reports need it. Times are epoch ms. */
export interface StatsCase {
  readonly id: number;
  readonly openedAt: number;
  readonly closedAt: number | null;
  readonly assignee: string | null;
  /** Staff user who closed the case last; null when open or closed by no one known. */
  readonly closedBy: string | null;
  readonly firstReplyAt: number | null;
  /** Staff user who sent the first reply to the client. */
  readonly firstReplyBy: string | null;
}

/** A department question as the reports need it. Times are epoch ms. */
export interface StatsAsk {
  readonly id: number;
  readonly caseId: number;
  readonly departmentId: string;
  readonly askedBy: string;
  readonly askedAt: number;
  /** The reply-by time as it stands (after any extension). */
  readonly deadlineAt: number;
  readonly answeredAt: number | null;
  readonly status: AskStatus;
  readonly overdueAt: number | null;
}

/** A client's rating of a case, 1 (bad) to 5 (good). */
export interface StatsRating {
  readonly caseId: number;
  readonly at: number;
  readonly score: number;
}

/**
 * What a report is computed from. A source may return more than the period needs (the
 * computation filters by time itself), but must include: cases opened, replied to or closed in
 * the period; asks asked in the period and every ask still open; ratings and client messages of
 * the period.
 */
export interface StatsSnapshot {
  readonly cases: readonly StatsCase[];
  readonly asks: readonly StatsAsk[];
  readonly ratings: readonly StatsRating[];
  /** When clients wrote (each client message), epoch ms. */
  readonly clientMessageTimes: readonly number[];
}

/** Loads report data from storage. */
export interface ReportSource {
  /** The data a report on `period` needs (see StatsSnapshot). */
  statsSnapshot(period: Period): Promise<StatsSnapshot>;
}

export interface DepartmentStats {
  readonly id: string;
  readonly name: string;
  /** Questions asked in the period. */
  readonly asked: number;
  /** Of those, the ones whose outcome is known: answered, or past their deadline unanswered (declined and cancelled ones do not count). */
  readonly due: number;
  /** Of `due`, answered at or before the deadline. */
  readonly onTime: number;
  /** onTime / due × 100, rounded; null when nothing was due. */
  readonly onTimePercent: number | null;
  /** Questions asked in the period and answered (at any time). */
  readonly answered: number;
  /** Median working time from question to answer, ms, counted in the department's hours (24/7 without hours); null without answers. */
  readonly medianReplyMs: number | null;
  /** 90th percentile (nearest rank) of the same, ms. */
  readonly p90ReplyMs: number | null;
  /** Questions open now and past their deadline, whenever they were asked. */
  readonly overdueNow: number;
}

export interface AgentStats {
  /** Staff user ID. */
  readonly agent: string;
  /** Cases closed in the period that this agent was assigned to or closed. */
  readonly handled: number;
  /** Median time from opening to closing of those cases, ms. */
  readonly medianCloseMs: number | null;
  /** First replies this agent sent to clients in the period. */
  readonly firstReplies: number;
  /** Median time from a case's opening to its first reply, over those, ms. */
  readonly medianFirstReplyMs: number | null;
}

export interface Satisfaction {
  /** Ratings given in the period (the latest per case). */
  readonly count: number;
  /** Mean score, 1–5; null without ratings. */
  readonly average: number | null;
  /** How many of each score: index 0 is score 1 … index 4 is score 5. */
  readonly byScore: readonly number[];
}

/** When clients write, in the team time zone. Weekday index 0 is Monday … 6 Sunday; hours 0–23. */
export interface ClientActivity {
  readonly casesByWeekday: readonly number[];
  readonly casesByHour: readonly number[];
  /** [weekday][hour] */
  readonly casesByWeekdayHour: readonly (readonly number[])[];
  readonly messagesByWeekday: readonly number[];
  readonly messagesByHour: readonly number[];
}

export interface TeamStats {
  readonly period: Period;
  /** The instant "now" figures (overdue now) refer to. */
  readonly now: number;
  readonly timeZone: string;
  readonly casesOpened: number;
  readonly casesClosed: number;
  /** Median time to a first reply over first replies sent in the period, ms. */
  readonly medianFirstReplyMs: number | null;
  readonly departments: readonly DepartmentStats[];
  /** Agents with any figure in the period, most cases handled first. */
  readonly agents: readonly AgentStats[];
  readonly satisfaction: Satisfaction;
  readonly clientActivity: ClientActivity;
}

/** The middle value (mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The nearest-rank percentile `p` (0–100): the smallest value with at least p% of values at or below it; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

const within = (at: number | null, period: Period): at is number => at !== null && at >= period.from && at < period.to;

function departmentStats(id: string, name: string, department: Department | undefined, asks: readonly StatsAsk[], period: Period, now: number): DepartmentStats {
  const asked = asks.filter((a) => within(a.askedAt, period));
  const answered = asked.filter((a) => a.answeredAt !== null);
  const due = asked.filter((a) => a.answeredAt !== null || (a.status === 'open' && a.deadlineAt <= now));
  const onTime = due.filter((a) => a.answeredAt !== null && a.answeredAt <= a.deadlineAt).length;
  const replies = answered.map((a) => businessTimeBetween(a.askedAt, a.answeredAt as number, department?.hours));
  return {
    id,
    name,
    asked: asked.length,
    due: due.length,
    onTime,
    onTimePercent: due.length === 0 ? null : Math.round((onTime / due.length) * 100),
    answered: answered.length,
    medianReplyMs: median(replies),
    p90ReplyMs: percentile(replies, 90),
    overdueNow: asks.filter((a) => a.status === 'open' && a.deadlineAt <= now).length,
  };
}

function agentStats(cases: readonly StatsCase[], period: Period): AgentStats[] {
  const closing = new Map<string, number[]>();
  const firstReplies = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, agent: string, value: number) => map.set(agent, [...(map.get(agent) ?? []), value]);
  for (const c of cases) {
    if (within(c.closedAt, period)) {
      for (const agent of new Set([c.assignee, c.closedBy])) if (agent !== null) add(closing, agent, c.closedAt - c.openedAt);
    }
    if (within(c.firstReplyAt, period) && c.firstReplyBy !== null) add(firstReplies, c.firstReplyBy, c.firstReplyAt - c.openedAt);
  }
  const agents = [...new Set([...closing.keys(), ...firstReplies.keys()])];
  return agents
    .map((agent) => ({
      agent,
      handled: closing.get(agent)?.length ?? 0,
      medianCloseMs: median(closing.get(agent) ?? []),
      firstReplies: firstReplies.get(agent)?.length ?? 0,
      medianFirstReplyMs: median(firstReplies.get(agent) ?? []),
    }))
    .sort((a, b) => b.handled - a.handled || b.firstReplies - a.firstReplies || a.agent.localeCompare(b.agent));
}

function satisfaction(ratings: readonly StatsRating[], period: Period): Satisfaction {
  const latest = new Map<number, StatsRating>();
  for (const r of ratings) {
    if (!within(r.at, period) || !Number.isInteger(r.score) || r.score < 1 || r.score > 5) continue;
    const seen = latest.get(r.caseId);
    if (seen === undefined || r.at >= seen.at) latest.set(r.caseId, r);
  }
  const scores = [...latest.values()].map((r) => r.score);
  const byScore = [1, 2, 3, 4, 5].map((s) => scores.filter((x) => x === s).length);
  return { count: scores.length, average: scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length, byScore };
}

function clientActivity(cases: readonly StatsCase[], messageTimes: readonly number[], period: Period, timeZone: string): ClientActivity {
  const casesByWeekdayHour = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  const messagesByWeekday = new Array<number>(7).fill(0);
  const messagesByHour = new Array<number>(24).fill(0);
  for (const c of cases) {
    if (!within(c.openedAt, period)) continue;
    const { weekday, hour } = wallClock(c.openedAt, timeZone);
    (casesByWeekdayHour[weekday] as number[])[hour] += 1;
  }
  for (const at of messageTimes) {
    if (!within(at, period)) continue;
    const { weekday, hour } = wallClock(at, timeZone);
    messagesByWeekday[weekday] += 1;
    messagesByHour[hour] += 1;
  }
  return {
    casesByWeekday: casesByWeekdayHour.map((row) => row.reduce((a, b) => a + b, 0)),
    casesByHour: Array.from({ length: 24 }, (_, h) => casesByWeekdayHour.reduce((sum, row) => sum + (row[h] as number), 0)),
    casesByWeekdayHour,
    messagesByWeekday,
    messagesByHour,
  };
}

/**
 * The team report for `period`, computed from `snapshot`. Department figures count questions
 * asked in the period; reply times are working time in each department's hours. Agent figures
 * count cases closed and first replies sent in the period. "Overdue now" is as of `now`.
 * Configured departments come first, in their order, then any others that appear in the data.
 */
export function computeStats(input: {
  readonly period: Period;
  readonly now: number;
  readonly snapshot: StatsSnapshot;
  readonly departments: readonly Department[];
  /** IANA zone for weekdays and hours. */
  readonly timeZone: string;
}): TeamStats {
  const { period, now, snapshot, departments, timeZone } = input;
  const byDepartment = new Map<string, StatsAsk[]>();
  for (const ask of snapshot.asks) byDepartment.set(ask.departmentId, [...(byDepartment.get(ask.departmentId) ?? []), ask]);
  const known = new Set(departments.map((d) => d.id));
  const departmentRows = [
    ...departments.map((d) => departmentStats(d.id, d.name, d, byDepartment.get(d.id) ?? [], period, now)),
    ...[...byDepartment.keys()].filter((id) => !known.has(id)).sort().map((id) => departmentStats(id, id, undefined, byDepartment.get(id) ?? [], period, now)),
  ];
  const firstReplies = snapshot.cases.filter((c) => within(c.firstReplyAt, period)).map((c) => (c.firstReplyAt as number) - c.openedAt);
  return {
    period,
    now,
    timeZone,
    casesOpened: snapshot.cases.filter((c) => within(c.openedAt, period)).length,
    casesClosed: snapshot.cases.filter((c) => within(c.closedAt, period)).length,
    medianFirstReplyMs: median(firstReplies),
    departments: departmentRows,
    agents: agentStats(snapshot.cases, period),
    satisfaction: satisfaction(snapshot.ratings, period),
    clientActivity: clientActivity(snapshot.cases, snapshot.clientMessageTimes, period, timeZone),
  };
}
