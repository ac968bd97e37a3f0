/** When the weekly digest is posted: REPORT_SCHEDULE, read. */
export interface DigestSchedule {
  /** As the operator wrote it, normalised: "MON 09:00", "MON,THU 17:30", "DAILY 08:00". */
  readonly text: string;
  /** The same as a cron pattern (minute hour day-of-month month day-of-week), for BullMQ's job scheduler with the team time zone. */
  readonly cron: string;
}

const dayNumbers: Readonly<Record<string, number>> = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };

/** What REPORT_SCHEDULE accepts, for error messages and docs. */
export const digestScheduleFormat = 'days and a time in TEAM_TIMEZONE, e.g. "MON 09:00", "MON,THU 17:30" or "DAILY 08:00" (days MON TUE WED THU FRI SAT SUN, 24-hour time)';

/**
 * Reads a schedule: one or more weekdays (comma-separated) or DAILY, then HH:MM (24-hour).
 * Case-insensitive. Never throws.
 */
export function parseDigestSchedule(text: string): { ok: true; schedule: DigestSchedule } | { ok: false; problem: string } {
  const match = /^\s*([A-Za-z]+(?:\s*,\s*[A-Za-z]+)*)\s+(\d{1,2}):(\d{2})\s*$/.exec(text);
  const bad = { ok: false as const, problem: `is "${text}": use ${digestScheduleFormat}` };
  if (match === null) return bad;
  const words = (match[1] as string).toUpperCase().split(/\s*,\s*/);
  const hour = Number(match[2]);
  const minute = Number(match[3]);
  if (hour > 23 || minute > 59) return { ok: false, problem: `is "${text}": ${match[2]}:${match[3]} is not a time of day (00:00 to 23:59)` };
  const time = `${String(hour).padStart(2, '0')}:${match[3]}`;
  if (words.length === 1 && words[0] === 'DAILY') return { ok: true, schedule: { text: `DAILY ${time}`, cron: `${minute} ${hour} * * *` } };
  const unknown = words.find((w) => dayNumbers[w] === undefined);
  if (unknown !== undefined) return { ok: false, problem: `is "${text}": "${unknown}" is not a day; use ${digestScheduleFormat}` };
  const days = [...new Set(words)];
  return { ok: true, schedule: { text: `${days.join(',')} ${time}`, cron: `${minute} ${hour} * * ${days.map((d) => dayNumbers[d]).join(',')}` } };
}
