/** Raised for a text that is not a duration; the message names the text. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
}

const unitMs = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
const order = ['d', 'h', 'm', 's'] as const;
const maxMs = 365 * unitMs.d;

/**
 * Parses "<n>s", "<n>m", "<n>h", "<n>d" and combinations in descending order ("1h30m", "2d4h").
 * Integers only, no spaces. Returns milliseconds.
 * @throws DurationError for empty, zero, unit-less, misordered or repeated parts, or over 365 days.
 */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+)([dhms])/g)];
  if (text === '' || parts.map((p) => p[0]).join('') !== text) throw new DurationError(`"${text}" is not a duration (use e.g. 30m, 2h, 1h30m, 1d)`);
  let total = 0;
  let last = -1;
  for (const [, amount, unit] of parts) {
    const rank = order.indexOf(unit as (typeof order)[number]);
    if (rank <= last) throw new DurationError(`"${text}" is not a duration: units must go from days to seconds, each once`);
    last = rank;
    total += Number(amount) * unitMs[unit as keyof typeof unitMs];
  }
  if (total === 0) throw new DurationError(`"${text}" is zero`);
  if (total > maxMs) throw new DurationError(`"${text}" is longer than 365 days`);
  return total;
}

/** True when `parseDuration(text)` would succeed. */
export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** The shortest duration text for `ms`, rounded down to seconds: 5400000 → "1h30m", 0 → "0s". */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.floor(ms / 1000)) * 1000;
  if (rest === 0) return '0s';
  let text = '';
  for (const unit of order) {
    const n = Math.floor(rest / unitMs[unit]);
    if (n > 0) text += `${n}${unit}`;
    rest -= n * unitMs[unit];
  }
  return text;
}

/**
 * A span of time for people to read, to its two largest units: 45000 → "45s", 90000 → "1m30s",
 * 5430000 → "1h30m", 93600000 → "1d2h". `round` says which way the dropped part goes: `up` for
 * time still left (a deadline 29.4 s away is "in 30s", never "in 29s" too early), `down` for
 * time gone by (27 ms after is not "1s"). Rounded down, a span under one second is "under a second"; rounded up, any
 * positive span is at least "1s"; zero or less is "0s".
 */
export function formatSpan(ms: number, round: 'up' | 'down'): string {
  if (round === 'down' && ms < 1000 && ms > 0) return 'under a second';
  const roundTo = (value: number, step: number) => (round === 'up' ? Math.ceil(value / step) : Math.floor(value / step)) * step;
  const seconds = roundTo(Math.max(0, ms), 1000);
  const largest = order.findIndex((unit) => seconds >= unitMs[unit]);
  if (largest === -1) return '0s';
  const precision = order[Math.min(largest + 1, order.length - 1)] as (typeof order)[number];
  return formatDuration(roundTo(seconds, unitMs[precision]));
}
