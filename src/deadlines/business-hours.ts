export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** When a department works. Shifts are within one day: `from` < `to`, no overnight shifts. */
export interface BusinessHours {
  /** IANA time zone, e.g. "Europe/Moscow". */
  readonly timezone: string;
  /** Working days. */
  readonly days: readonly Weekday[];
  /** Opening time, local "HH:MM". */
  readonly from: string;
  /** Closing time, local "HH:MM", after `from`. */
  readonly to: string;
  /** Local dates "YYYY-MM-DD" that are not working days. */
  readonly holidays?: readonly string[];
}

const weekdays: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const dayMs = 86_400_000;
/** How far ahead to look for a working day before giving up. */
const searchDays = 366;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      throw new RangeError(`unknown time zone "${timeZone}"`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

interface LocalDate {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

/** The wall-clock time of `ms` in `zone`, expressed as if it were UTC (ms). */
function wallAsUtc(ms: number, zone: string): number {
  const parts = formatter(zone).formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) + (ms % 1000 + 1000) % 1000;
}

function localDate(ms: number, zone: string): LocalDate {
  const wall = new Date(wallAsUtc(ms, zone));
  return { y: wall.getUTCFullYear(), m: wall.getUTCMonth() + 1, d: wall.getUTCDate() };
}

function nextDate(date: LocalDate): LocalDate {
  const next = new Date(Date.UTC(date.y, date.m - 1, date.d) + dayMs);
  return { y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() };
}

/**
 * The instant of a local wall time. In a DST overlap the earlier instant; in a gap (a wall time
 * that does not exist) the instant the same distance after the change, i.e. moved forward.
 */
function instantOf(date: LocalDate, minutes: number, zone: string): number {
  const wall = Date.UTC(date.y, date.m - 1, date.d) + minutes * 60_000;
  const first = wall - (wallAsUtc(wall, zone) - wall);
  const second = wall - (wallAsUtc(first, zone) - first);
  // In an overlap both guesses above land on the later instant (the offset after the change);
  // the offset a day before is the one in force before it, which gives the earlier instant.
  const before = wall - (wallAsUtc(wall - dayMs, zone) - (wall - dayMs));
  const matches = [first, second, before].filter((t) => wallAsUtc(t, zone) === wall);
  if (matches.length > 0) return Math.min(...matches);
  return Math.max(first, second);
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The working interval [open, close) of a local date, or undefined on a day off. */
function workingInterval(date: LocalDate, hours: BusinessHours): [number, number] | undefined {
  const weekday = weekdays[new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay()] as Weekday;
  if (!hours.days.includes(weekday)) return undefined;
  const iso = `${date.y}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;
  if (hours.holidays?.includes(iso)) return undefined;
  return [instantOf(date, minutesOf(hours.from), hours.timezone), instantOf(date, minutesOf(hours.to), hours.timezone)];
}

/**
 * The instant reached after `durationMs` of working time counted from `startMs`. Without `hours`
 * the clock runs 24/7. A start outside working time counts from the next opening.
 * @throws RangeError for an unknown time zone, or when no working day comes within 366 days.
 */
export function addBusinessTime(startMs: number, durationMs: number, hours?: BusinessHours): number {
  if (hours === undefined) return startMs + durationMs;
  let remaining = Math.max(0, durationMs);
  let date = localDate(startMs, hours.timezone);
  let idle = 0;
  for (;;) {
    const interval = workingInterval(date, hours);
    if (interval !== undefined) {
      const from = Math.max(interval[0], startMs);
      if (from < interval[1]) {
        idle = 0;
        if (remaining <= interval[1] - from) return from + remaining;
        remaining -= interval[1] - from;
      }
    }
    if (++idle > searchDays) throw new RangeError(`no working day within ${searchDays} days in the hours of ${hours.timezone}`);
    date = nextDate(date);
  }
}

/** Working time between two instants, ms (0 when `endMs` <= `startMs`). Without `hours`: end - start. */
export function businessTimeBetween(startMs: number, endMs: number, hours?: BusinessHours): number {
  if (endMs <= startMs) return 0;
  if (hours === undefined) return endMs - startMs;
  let total = 0;
  let date = localDate(startMs, hours.timezone);
  const last = localDate(endMs, hours.timezone);
  for (;;) {
    const interval = workingInterval(date, hours);
    if (interval !== undefined) total += Math.max(0, Math.min(interval[1], endMs) - Math.max(interval[0], startMs));
    if (date.y === last.y && date.m === last.m && date.d === last.d) return total;
    date = nextDate(date);
  }
}

/** The instant at which `fraction` (0..1) of the working time between start and deadline has passed. */
export function businessFractionPoint(startMs: number, deadlineMs: number, fraction: number, hours?: BusinessHours): number {
  return addBusinessTime(startMs, Math.round(businessTimeBetween(startMs, deadlineMs, hours) * fraction), hours);
}

/** Problems with a business-hours object, each naming the field; empty when valid. */
export function validateBusinessHours(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['must be an object with timezone, days, from and to'];
  const h = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof h.timezone !== 'string') problems.push('timezone is required');
  else {
    try {
      formatter(h.timezone);
    } catch {
      problems.push(`timezone "${h.timezone}" is not a known IANA time zone`);
    }
  }
  if (!Array.isArray(h.days) || h.days.length === 0) problems.push('days must list at least one of mon, tue, wed, thu, fri, sat, sun');
  else for (const d of h.days) if (!weekdays.includes(d as Weekday)) problems.push(`days has "${String(d)}", not one of mon…sun`);
  const time = /^([01]\d|2[0-3]):[0-5]\d$/;
  for (const key of ['from', 'to'] as const) if (typeof h[key] !== 'string' || !time.test(h[key] as string)) problems.push(`${key} must be a time "HH:MM"`);
  if (problems.length === 0 && minutesOf(h.from as string) >= minutesOf(h.to as string)) problems.push('from must be before to (overnight shifts are not supported)');
  if (h.holidays !== undefined) {
    if (!Array.isArray(h.holidays)) problems.push('holidays must be a list of "YYYY-MM-DD" dates');
    else for (const d of h.holidays) if (typeof d !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(d))) problems.push(`holidays has "${String(d)}", not a date "YYYY-MM-DD"`);
  }
  return problems;
}
