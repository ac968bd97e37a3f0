import type { Department } from '../departments.js';
import { startOfLocalDay, wallClock, type Period } from './period.js';
import { computeStats, type StatsSnapshot } from './stats.js';

/** One week of a report: on-time figures of the questions asked in it, summed over departments. */
export interface WeekOnTime {
  /** The part of the report's period this week covers, epoch ms, half-open. */
  readonly from: number;
  readonly to: number;
  /** The local date (team time zone) the week starts on, YYYY-MM-DD: a Monday, or the period's first day. */
  readonly startDate: string;
  /** Questions asked this week whose outcome is known (as DepartmentStats.due). */
  readonly due: number;
  /** Of those, answered by the deadline (as DepartmentStats.onTime). */
  readonly onTime: number;
  /** onTime / due × 100, rounded; null when nothing was due. */
  readonly onTimePercent: number | null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The local date of `ms` in `timeZone` as YYYY-MM-DD. */
export function localDate(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** The first instant of the local day `days` after the local date of `ms` (negative: before). */
function localDayStart(ms: number, days: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const date = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return startOfLocalDay(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), timeZone);
}

/**
 * The period cut into calendar weeks (Monday to Sunday in `timeZone`); the first and last are
 * clipped to the period. Each week's figures come from {@link computeStats} over that week, so
 * "on time" means exactly what it means in `/repka stats`.
 */
export function weeklyOnTime(input: {
  readonly period: Period;
  readonly now: number;
  readonly snapshot: StatsSnapshot;
  readonly departments: readonly Department[];
  readonly timeZone: string;
}): WeekOnTime[] {
  const { period, timeZone } = input;
  const weeks: WeekOnTime[] = [];
  let monday = localDayStart(period.from, -wallClock(period.from, timeZone).weekday, timeZone);
  while (monday < period.to) {
    const next = localDayStart(monday, 7, timeZone);
    const from = Math.max(monday, period.from);
    const to = Math.min(next, period.to);
    const stats = computeStats({ ...input, period: { from, to, label: '' } });
    const due = stats.departments.reduce((sum, d) => sum + d.due, 0);
    const onTime = stats.departments.reduce((sum, d) => sum + d.onTime, 0);
    weeks.push({ from, to, startDate: localDate(from, timeZone), due, onTime, onTimePercent: due === 0 ? null : Math.round((onTime / due) * 100) });
    monday = next;
  }
  return weeks;
}
