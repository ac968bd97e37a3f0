/** A reporting period: the half-open interval [from, to), epoch ms. */
export interface Period {
  readonly from: number;
  readonly to: number;
  /** How the period reads in a report: "last 7 days", "2026-05-01 – 2026-05-31". */
  readonly label: string;
}

export type PeriodResult = { readonly ok: true; readonly period: Period } | { readonly ok: false; readonly problem: string };

const dayMs = 86_400_000;
/** The longest period a report covers, days. */
export const maxPeriodDays = 366;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock of `ms` in `timeZone`. `weekday` is 0 for Monday … 6 for Sunday; `hour` 0–23. */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
  readonly hour: number;
}

/**
 * The local date, weekday and hour of an instant in an IANA time zone.
 * @throws RangeError for an unknown time zone.
 */
export function wallClock(ms: number, timeZone: string): WallClock {
  const parts = formatter(timeZone).formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const year = get('year');
  const month = get('month');
  const day = get('day');
  const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
  return { year, month, day, weekday, hour: get('hour') };
}

/** How far the wall clock of `timeZone` is ahead of UTC at `ms`, ms. */
function offsetAt(ms: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The first instant of a local date in `timeZone` (midnight, or the first existing time after it). */
export function startOfLocalDay(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  const guess = wall - offsetAt(wall, timeZone);
  const instant = wall - offsetAt(guess, timeZone);
  // A midnight that does not exist (DST gap at 00:00) falls back to the guess, which is just after it.
  return offsetAt(instant, timeZone) === wall - instant ? instant : Math.max(guess, instant);
}

function parseDate(text: string): { year: number; month: number; day: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

const usage = 'Use `7d`, `30d` (any number of days up to 366) or `YYYY-MM-DD..YYYY-MM-DD`, e.g. `2026-05-01..2026-05-31`.';

/**
 * Reads a period argument: empty (the last 7 days), `<n>d` (the last n days up to `now`), or
 * `YYYY-MM-DD..YYYY-MM-DD` (whole local days in `timeZone`, both ends included). Never throws.
 */
export function parsePeriod(text: string, now: number, timeZone: string): PeriodResult {
  const given = text.trim();
  if (given === '') return { ok: true, period: { from: now - 7 * dayMs, to: now, label: 'last 7 days' } };
  const days = /^(\d{1,4})d$/i.exec(given);
  if (days !== null) {
    const n = Number(days[1]);
    if (n < 1 || n > maxPeriodDays) return { ok: false, problem: `"${given}" is not a period I can report on: the number of days must be 1 to ${maxPeriodDays}. ${usage}` };
    return { ok: true, period: { from: now - n * dayMs, to: now, label: n === 1 ? 'last 24 hours' : `last ${n} days` } };
  }
  const range = /^(\S+?)\s*(?:\.\.|…)\s*(\S+)$/.exec(given);
  if (range !== null) {
    const start = parseDate(range[1] ?? '');
    const end = parseDate(range[2] ?? '');
    if (start === undefined || end === undefined) {
      const bad = start === undefined ? range[1] : range[2];
      return { ok: false, problem: `"${bad}" is not a date YYYY-MM-DD. ${usage}` };
    }
    const from = startOfLocalDay(start.year, start.month, start.day, timeZone);
    const next = new Date(Date.UTC(end.year, end.month - 1, end.day) + dayMs);
    const to = startOfLocalDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone);
    if (to <= from) return { ok: false, problem: `The period ${range[1]}..${range[2]} ends before it starts. ${usage}` };
    if (to - from > (maxPeriodDays + 1) * dayMs) return { ok: false, problem: `The period ${range[1]}..${range[2]} is longer than ${maxPeriodDays} days. ${usage}` };
    return { ok: true, period: { from, to, label: range[1] === range[2] ? `${range[1]}` : `${range[1]} – ${range[2]}` } };
  }
  return { ok: false, problem: `"${given}" is not a period. ${usage}` };
}
