import type { Outgoing } from '../outgoing.js';
import type { CaseEvent } from '../ports.js';

/** The scores a client can give a closed case, worst to best. */
export const ratingScores = [1, 2, 3, 4, 5] as const;

/** Scores at or below this mention the assignee (or the closing agent) in the case thread. */
export const lowRatingMax = 2;

/** Callback data of the rating buttons starts with this: "rate:<caseId>:<score>". */
export const ratingCallbackPrefix = 'rate:';

/** Callback data of one rating button, e.g. "rate:12:4": at most 23 bytes, under Telegram's 64. */
export function ratingCallbackData(caseId: number, score: number): string {
  return `${ratingCallbackPrefix}${caseId}:${score}`;
}

/** Reads a rating button's callback data; undefined when it is not exactly "rate:<caseId>:<1..5>". */
export function parseRatingCallback(data: string): { caseId: number; score: number } | undefined {
  const match = /^rate:([1-9]\d{0,11}):([1-5])$/.exec(data);
  if (match === null) return undefined;
  return { caseId: Number(match[1]), score: Number(match[2]) };
}

/** A score as five stars, e.g. 4 → "★★★★☆". */
export function ratingStars(score: number): string {
  const full = Math.max(0, Math.min(5, Math.round(score)));
  return '★'.repeat(full) + '☆'.repeat(5 - full);
}

/** The case's latest rating and the comment given with it, read from its history. Pure. */
export function latestRating(events: readonly CaseEvent[]): { score: number; comment?: string } | undefined {
  const rated = events.findLast((e) => e.kind === 'rated');
  if (typeof rated?.data?.score !== 'number') return undefined;
  const comment = events.filter((e) => e.kind === 'rating-comment' && e.at >= rated.at).pop()?.text ?? undefined;
  return { score: rated.data.score, comment };
}

/**
 * The client's "case closed" message. Once it is delivered, the request to rate the case follows
 * in the same chat; a client who cannot be reached (blocked the bot) is not asked. Every path that
 * closes a case sends this.
 */
export function caseClosedNotice(chatId: number, caseId: number): Outgoing {
  return {
    to: 'client',
    chatId,
    caseId,
    notice: { type: 'case-closed', caseId },
    afterDelivery: [{ to: 'client', chatId, caseId, notice: { type: 'rate-request', caseId } }],
  };
}
