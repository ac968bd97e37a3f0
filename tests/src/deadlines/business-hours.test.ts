import { describe, expect, it } from 'vitest';
import { addBusinessTime, businessFractionPoint, businessTimeBetween, validateBusinessHours, type BusinessHours } from '../../../src/deadlines/business-hours.js';

const hour = 3_600_000;
const minute = 60_000;
const moscow: BusinessHours = { timezone: 'Europe/Moscow', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' };
/** Moscow is UTC+3 all year. */
const msk = (y: number, m: number, d: number, h: number, min = 0) => Date.UTC(y, m - 1, d, h - 3, min);

describe('addBusinessTime', () => {
  it('runs 24/7 without hours', () => {
    expect(addBusinessTime(1000, hour)).toBe(1000 + hour);
  });

  it('counts inside working hours', () => {
    // Mon 23 Nov 2026 10:00 + 1h = 11:00
    expect(addBusinessTime(msk(2026, 11, 23, 10), hour, moscow)).toBe(msk(2026, 11, 23, 11));
  });

  it('starts at the next opening when asked at night or before opening', () => {
    expect(addBusinessTime(msk(2026, 11, 23, 7), hour, moscow)).toBe(msk(2026, 11, 23, 10));
    expect(addBusinessTime(msk(2026, 11, 23, 22), hour, moscow)).toBe(msk(2026, 11, 24, 10));
  });

  it('carries over the night and the weekend', () => {
    // Fri 27 Nov 17:30 + 1h → Mon 30 Nov 09:30
    expect(addBusinessTime(msk(2026, 11, 27, 17, 30), hour, moscow)).toBe(msk(2026, 11, 30, 9, 30));
    // Sat → Mon opening + 2h
    expect(addBusinessTime(msk(2026, 11, 28, 12), 2 * hour, moscow)).toBe(msk(2026, 11, 30, 11));
    // 20 working hours from Mon 09:00 = Mon 9h + Tue 9h + Wed 2h → Wed 11:00
    expect(addBusinessTime(msk(2026, 11, 23, 9), 20 * hour, moscow)).toBe(msk(2026, 11, 25, 11));
  });

  it('skips holidays', () => {
    const withHoliday = { ...moscow, holidays: ['2026-11-24'] };
    expect(addBusinessTime(msk(2026, 11, 23, 17), 2 * hour, withHoliday)).toBe(msk(2026, 11, 25, 10));
  });

  it('handles the spring-forward day in Berlin (02:00→03:00 on 29 Mar 2026)', () => {
    const berlin: BusinessHours = { timezone: 'Europe/Berlin', days: ['sun', 'mon'], from: '01:00', to: '05:00' };
    // Sun 29 Mar 01:00 CET = 00:00Z; the day has 3 real hours (01:00-02:00 CET, 03:00-05:00 CEST).
    const start = Date.UTC(2026, 2, 29, 0);
    expect(businessTimeBetween(start, Date.UTC(2026, 2, 29, 12), berlin)).toBe(3 * hour);
    // 3h30m of work: the whole Sunday (3h) and 30 min of Monday (01:00 CEST = 23:00Z Sunday).
    expect(addBusinessTime(start, 3.5 * hour, berlin)).toBe(Date.UTC(2026, 2, 29, 23, 30));
  });

  it('handles the fall-back day in New York (02:00→01:00 on 1 Nov 2026)', () => {
    const ny: BusinessHours = { timezone: 'America/New_York', days: ['sun'], from: '00:00', to: '04:00' };
    // Sunday 1 Nov: 00:00 EDT (04:00Z) to 04:00 EST (09:00Z): 5 real hours.
    expect(businessTimeBetween(Date.UTC(2026, 10, 1, 0), Date.UTC(2026, 10, 2, 0), ny)).toBe(5 * hour);
    expect(addBusinessTime(Date.UTC(2026, 10, 1, 4), 5 * hour, ny)).toBe(Date.UTC(2026, 10, 1, 9));
  });

  it('refuses an unknown zone and hours with no working day', () => {
    expect(() => addBusinessTime(0, hour, { ...moscow, timezone: 'Mars/Olympus' })).toThrow(/Mars\/Olympus/);
    expect(() => addBusinessTime(0, hour, { ...moscow, days: [] })).toThrow(RangeError);
  });
});

describe('businessTimeBetween and businessFractionPoint', () => {
  it('is the inverse of addBusinessTime from inside working time', () => {
    const zones: BusinessHours[] = [moscow, { timezone: 'Europe/Berlin', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:30', to: '17:00', holidays: ['2026-12-25'] }, { timezone: 'America/New_York', days: ['mon', 'wed', 'fri', 'sat'], from: '10:00', to: '14:00' }];
    let x = 7;
    const rand = () => (x = (x * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 300; i++) {
      const hours = zones[i % zones.length] as BusinessHours;
      const start = addBusinessTime(Date.UTC(2026, 0, 1) + Math.floor(rand() * 360) * 86_400_000 + Math.floor(rand() * 24) * hour, 0, hours);
      const duration = Math.floor(rand() * 60 * hour / minute) * minute;
      expect(businessTimeBetween(start, addBusinessTime(start, duration, hours), hours)).toBe(duration);
    }
  });

  it('finds reminder points at fractions of the working span', () => {
    const start = msk(2026, 11, 27, 17);
    const deadline = addBusinessTime(start, 2 * hour, moscow); // Mon 30 Nov 10:00
    expect(deadline).toBe(msk(2026, 11, 30, 10));
    expect(businessFractionPoint(start, deadline, 0.5, moscow)).toBe(msk(2026, 11, 27, 18));
    expect(businessFractionPoint(start, deadline, 0.75, moscow)).toBe(addBusinessTime(start, 1.5 * hour, moscow));
  });
});

describe('validateBusinessHours', () => {
  it('names each problem', () => {
    expect(validateBusinessHours(moscow)).toEqual([]);
    expect(validateBusinessHours({ ...moscow, timezone: 'X/Y' })[0]).toMatch(/timezone/);
    expect(validateBusinessHours({ ...moscow, days: ['monday'] })[0]).toMatch(/days/);
    expect(validateBusinessHours({ ...moscow, from: '9am' })[0]).toMatch(/from/);
    expect(validateBusinessHours({ ...moscow, from: '18:00', to: '09:00' })[0]).toMatch(/before/);
    expect(validateBusinessHours({ ...moscow, holidays: ['someday'] })[0]).toMatch(/holidays/);
    expect(validateBusinessHours('24/7')[0]).toMatch(/object/);
  });
});
