import { describe, expect, it } from 'vitest';
import { caseClosedNotice, latestRating, lowRatingMax, parseRatingCallback, ratingCallbackData, ratingScores, ratingStars } from '../../../src/cases/rating.js';
import type { CaseEvent, CaseEventKind } from '../../../src/ports.js';

const t0 = Date.UTC(2026, 10, 20, 9, 0);

/** A history of case 7 from `entries`, ids 1, 2, … in order. */
function history(entries: readonly [CaseEventKind, Record<string, unknown> | null, string | null][]): CaseEvent[] {
  return entries.map(([kind, data, text], index) => ({ id: index + 1, caseId: 7, at: t0 + index * 1000, kind, authorKind: 'system', authorId: null, authorName: null, text, data }));
}

describe('the rating scale', () => {
  it('1 to 5, worst to best; 2 and below are low', () => {
    expect(ratingScores).toEqual([1, 2, 3, 4, 5]);
    expect(lowRatingMax).toBe(2);
  });
});

describe('rating buttons’ callback data', () => {
  it('reads what it writes', () => {
    expect(ratingCallbackData(12, 4)).toBe('rate:12:4');
    expect(parseRatingCallback(ratingCallbackData(12, 4))).toEqual({ caseId: 12, score: 4 });
  });

  it('the longest case number fits in 64 bytes (Telegram’s limit)', () => {
    expect(parseRatingCallback('rate:999999999999:5')).toEqual({ caseId: 999_999_999_999, score: 5 });
    expect(Buffer.byteLength(ratingCallbackData(999_999_999_999, 5))).toBe(19);
  });

  it('scores 1 and 5 are read; 0 and 6 are not', () => {
    expect(parseRatingCallback('rate:3:1')).toEqual({ caseId: 3, score: 1 });
    expect(parseRatingCallback('rate:3:5')).toEqual({ caseId: 3, score: 5 });
    expect(parseRatingCallback('rate:3:0')).toBeUndefined();
    expect(parseRatingCallback('rate:3:6')).toBeUndefined();
  });

  it('anything else is malformed: another prefix, extra text at either end, case 0 or a leading zero, 13 digits, a missing part', () => {
    for (const data of ['rating:3:4', 'xrate:3:4', 'rate:3:4x', 'rate:3:45', ' rate:3:4', 'rate:0:4', 'rate:03:4', 'rate:1234567890123:4', 'rate::4', 'rate:3:', 'rate:3', 'rate:a:4']) {
      expect(parseRatingCallback(data), data).toBeUndefined();
    }
  });
});

describe('ratingStars', () => {
  it('full stars for the score, empty ones to five', () => {
    expect(ratingStars(4)).toBe('★★★★☆');
    expect(ratingStars(1)).toBe('★☆☆☆☆');
    expect(ratingStars(5)).toBe('★★★★★');
  });

  it('an average is rounded; out-of-range scores stay within 0 and 5 stars', () => {
    expect(ratingStars(3.5)).toBe('★★★★☆');
    expect(ratingStars(3.49)).toBe('★★★☆☆');
    expect(ratingStars(0)).toBe('☆☆☆☆☆');
    expect(ratingStars(-2)).toBe('☆☆☆☆☆');
    expect(ratingStars(7)).toBe('★★★★★');
  });
});

describe('latestRating', () => {
  it('none when the case was never rated', () => {
    expect(latestRating(history([['case-opened', null, null], ['closed', null, null]]))).toBeUndefined();
  });

  it('a rating without a comment', () => {
    expect(latestRating(history([['closed', null, null], ['rated', { score: 3 }, null]]))).toEqual({ score: 3, comment: undefined });
  });

  it('the latest rating with only the comments after it, several messages one per line', () => {
    const events = history([
      ['rated', { score: 2 }, null],
      ['rating-comment', null, 'slow'],
      ['reopened', null, null],
      ['closed', null, null],
      ['rated', { score: 5 }, null],
      ['rating-comment', null, 'much better'],
      ['rating-comment', null, null],
      ['rating-comment', null, 'thank you'],
    ]);
    expect(latestRating(events)).toEqual({ score: 5, comment: 'much better\nthank you' });
  });

  it('a rated event without a numeric score counts as no rating', () => {
    expect(latestRating(history([['rated', { score: '4' }, null]]))).toBeUndefined();
    expect(latestRating(history([['rated', null, null]]))).toBeUndefined();
  });
});

describe('caseClosedNotice', () => {
  it('tells the client the case is closed, and once delivered asks them to rate it', () => {
    expect(caseClosedNotice(1001, 7)).toEqual({
      to: 'client',
      chatId: 1001,
      caseId: 7,
      notice: { type: 'case-closed', caseId: 7 },
      afterDelivery: [{ to: 'client', chatId: 1001, caseId: 7, notice: { type: 'rate-request', caseId: 7 } }],
    });
  });
});
