import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, formatSpan, isDuration, parseDuration } from '../../src/duration.js';

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

  it('tells spans under a minute truthfully, to their two largest units, rounded the way asked', () => {
    expect(formatSpan(27, 'down')).toBe('under a second');
    expect(formatSpan(27, 'up')).toBe('1s');
    expect(formatSpan(0, 'down')).toBe('0s');
    expect(formatSpan(45_000, 'up')).toBe('45s');
    expect(formatSpan(44_001, 'up')).toBe('45s');
    expect(formatSpan(45_999, 'down')).toBe('45s');
    expect(formatSpan(90_000, 'down')).toBe('1m30s');
    expect(formatSpan(2 * 3_600_000 - 5, 'up')).toBe('2h');
    expect(formatSpan(3_600_000 + 29 * 60_000 + 30_000, 'up')).toBe('1h30m');
    expect(formatSpan(3_600_000 + 29 * 60_000 + 30_000, 'down')).toBe('1h29m');
    expect(formatSpan(26 * 3_600_000 + 59_000, 'down')).toBe('1d2h');
  });
});
