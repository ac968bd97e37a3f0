import { describe, expect, it } from 'vitest';
import { addBusinessTime, businessTimeBetween, validateBusinessHours, type BusinessHours } from '../../../src/deadlines/business-hours.js';

const hour = 3_600_000;
const minute = 60_000;
const moscow: BusinessHours = { timezone: 'Europe/Moscow', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' };
/** Moscow is UTC+3 all year. */
const msk = (y: number, m: number, d: number, h: number, min = 0) => Date.UTC(y, m - 1, d, h - 3, min);

describe('business hours: the edges of a working day', () => {
  it('closing time is outside the day: a start exactly then counts from the next opening', () => {
    // Fri 27 Nov 2026 18:00 → Mon 30 Nov 09:00.
    expect(addBusinessTime(msk(2026, 11, 27, 18), 0, moscow)).toBe(msk(2026, 11, 30, 9));
  });

  it('skips a holiday on a single-digit day or month', () => {
    // Tue 1 Dec 2026 is a holiday: Mon 17:00 + 2 h → Wed 10:00.
    expect(addBusinessTime(msk(2026, 11, 30, 17), 2 * hour, { ...moscow, holidays: ['2026-12-01'] })).toBe(msk(2026, 12, 2, 10));
  });

  it('gives up with a RangeError when no working day comes within a year', () => {
    const mondays: string[] = [];
    for (let t = Date.UTC(2026, 10, 23); t < Date.UTC(2028, 0, 1); t += 7 * 24 * hour) mondays.push(new Date(t).toISOString().slice(0, 10));
    expect(() => addBusinessTime(msk(2026, 11, 23, 10), hour, { ...moscow, days: ['mon'], holidays: mondays })).toThrow(/no working day within 366 days in the hours of Europe\/Moscow/);
  });

  it('works on Sundays when told', () => {
    // Sun 29 Nov 2026 10:00 + 1 h.
    expect(addBusinessTime(msk(2026, 11, 29, 10), hour, { ...moscow, days: ['sun'] })).toBe(msk(2026, 11, 29, 11));
  });

  it('opens at the earlier instant of a wall time that happens twice (Berlin, 25 Oct 2026, 02:30 CEST then CET)', () => {
    const berlin: BusinessHours = { timezone: 'Europe/Berlin', days: ['sun'], from: '02:30', to: '05:00' };
    expect(addBusinessTime(Date.UTC(2026, 9, 24, 12), 30 * minute, berlin)).toBe(Date.UTC(2026, 9, 25, 1, 0));
  });

  it('opens after the change at a wall time that does not exist (Berlin, 29 Mar 2026, 02:30)', () => {
    const berlin: BusinessHours = { timezone: 'Europe/Berlin', days: ['sun'], from: '02:30', to: '05:00' };
    // 02:30 does not exist; the same distance after the change is 03:30 CEST = 01:30 UTC.
    expect(addBusinessTime(Date.UTC(2026, 2, 28, 12), 0, berlin)).toBe(Date.UTC(2026, 2, 29, 1, 30));
  });
});

describe('businessTimeBetween', () => {
  it('is 0 for an end before the start, with or without hours', () => {
    expect(businessTimeBetween(10 * hour, 5 * hour)).toBe(0);
    expect(businessTimeBetween(msk(2026, 11, 24, 12), msk(2026, 11, 23, 12), moscow)).toBe(0);
  });

  it('adds up several days, across a month and a year end', () => {
    // Mon 10:00 → Wed 12:00: 8 + 9 + 3 h.
    expect(businessTimeBetween(msk(2026, 11, 23, 10), msk(2026, 11, 25, 12), moscow)).toBe(20 * hour);
    // Mon 30 Nov 17:00 → Tue 1 Dec 10:00: 1 + 1 h.
    expect(businessTimeBetween(msk(2026, 11, 30, 17), msk(2026, 12, 1, 10), moscow)).toBe(2 * hour);
    // Thu 31 Dec 2026 17:00 → Fri 1 Jan 2027 10:00 → 1 + 1 h.
    expect(businessTimeBetween(msk(2026, 12, 31, 17), msk(2027, 1, 1, 10), moscow)).toBe(2 * hour);
  });

  it('counts to the millisecond at midnight opening', () => {
    const night: BusinessHours = { timezone: 'UTC', days: ['mon', 'tue'], from: '00:00', to: '06:00' };
    expect(businessTimeBetween(Date.UTC(2026, 10, 23, 5), Date.UTC(2026, 10, 24, 0, 0, 0, 500), night)).toBe(hour + 500);
  });
});

describe('validateBusinessHours: every problem named, nothing else', () => {
  const valid = { timezone: 'Europe/Moscow', days: ['mon'], from: '09:00', to: '18:00' };

  it('accepts every weekday and every time of day from 00:00 to 23:59', () => {
    expect(validateBusinessHours({ ...valid, days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] })).toEqual([]);
    expect(validateBusinessHours({ ...valid, from: '00:00', to: '23:59' })).toEqual([]);
    expect(validateBusinessHours({ ...valid, from: '20:00', to: '21:30' })).toEqual([]);
    expect(validateBusinessHours({ ...valid, holidays: ['2026-12-31', '2027-01-01'] })).toEqual([]);
  });

  it('a missing time zone, missing or empty days', () => {
    expect(validateBusinessHours({ days: ['mon'], from: '09:00', to: '18:00' })).toEqual(['timezone is required']);
    expect(validateBusinessHours({ ...valid, days: [] })).toEqual(['days must list at least one of mon, tue, wed, thu, fri, sat, sun']);
    expect(validateBusinessHours({ ...valid, days: 'mon' })).toEqual(['days must list at least one of mon, tue, wed, thu, fri, sat, sun']);
  });

  it('times that are no "HH:MM"', () => {
    for (const bad of ['24:00', 'x09:00', '09:00x', '9:00', '09:60']) expect(validateBusinessHours({ ...valid, from: bad })).toEqual(['from must be a time "HH:MM"']);
    expect(validateBusinessHours({ ...valid, to: 1800 })).toEqual(['to must be a time "HH:MM"']);
  });

  it('from not before to, only checked when the rest is valid', () => {
    expect(validateBusinessHours({ ...valid, from: '09:00', to: '09:00' })).toEqual(['from must be before to (overnight shifts are not supported)']);
    expect(validateBusinessHours({ ...valid, days: [], from: '18:00', to: '09:00' })).toEqual(['days must list at least one of mon, tue, wed, thu, fri, sat, sun']);
  });

  it('holidays that are no list of dates', () => {
    expect(validateBusinessHours({ ...valid, holidays: '2026-12-31' })).toEqual(['holidays must be a list of "YYYY-MM-DD" dates']);
    for (const bad of [20261231, '2026-1-31', '26-12-31', '2026-12-1', 'x2026-12-31', '2026-12-31x', '2026-13-45', 'abcd-ef-gh'])
      expect(validateBusinessHours({ ...valid, holidays: [bad] })).toEqual([`holidays has "${String(bad)}", not a date "YYYY-MM-DD"`]);
  });
});
