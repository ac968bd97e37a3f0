import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, isDuration, parseDuration } from '../../src/duration.js';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['2d4h', 2 * 86_400_000 + 4 * 3_600_000],
    ['1d1h1m1s', 86_400_000 + 3_600_000 + 60_000 + 1000],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it.each(['', '0m', '10', '1x', 'm5', '1m1h', '1h1h', '-5m', '1.5h', '1h 30m', '366d'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(isDuration(text)).toBe(false);
  });

  it('formats the shortest text, rounding down to seconds', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(61_999)).toBe('1m1s');
  });
});
