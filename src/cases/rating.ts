import type { ClientContent, Outgoing } from '../outgoing.js';
import type { Case, CaseEvent } from '../ports.js';

/** The scores a client can give a closed case, worst to best. */
export const ratingScores = [1, 2, 3, 4, 5] as const;

/** Scores at or below this mention the assignee (or the closing agent) in the case thread. */
export const lowRatingMax = 2;

/** Callback data of the rating buttons starts with this: "rate:<caseId>:<score>". */
export const ratingCallbackPrefix = 'rate:';

/** Callback data of one rating button, e.g. "rate:12:4": at most 23 bytes, under the 64 a client chat's button may carry. */
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

/**
 * The case's latest rating and the comment given with it, read from its history: a comment sent
 * in several messages is joined, one line per message. Pure.
 */
export function latestRating(events: readonly CaseEvent[]): { score: number; comment?: string } | undefined {
  const rated = events.findLast((e) => e.kind === 'rated');
  if (typeof rated?.data?.score !== 'number') return undefined;
  const lines = events.filter((e) => e.kind === 'rating-comment' && e.id > rated.id && e.text !== null).map((e) => e.text as string);
  return { score: rated.data.score, comment: lines.length === 0 ? undefined : lines.join('\n') };
}

/**
 * How long a client's message that replies to nothing may still be the comment on their rating:
 * 10 minutes (in ms), counted from the moment the invitation to comment reached the client (from
 * the rating itself while the invitation is still on its way). A reply to the invitation is the
 * comment whenever it comes.
 */
export const ratingCommentWindowMs = 10 * 60_000;

/** The rating a message without reply-to comments on; `first` when no such message came before it. */
export interface UnrepliedComment {
  readonly caseId: number;
  /** The score of the rating commented on. */
  readonly score: number;
  /** True for the first message taken this way since the rating: the client is told it became the comment. */
  readonly first: boolean;
}

/** Marks, in `data.withoutReply`, a 'rating-comment' taken by the window rule rather than as a reply. */
export const withoutReplyFlag = 'withoutReply';

/**
 * The rule for a message that replies to nothing, sent right after a rating: it is the rating
 * comment when it is text (a photo, a file, a sticker or anything else opens a case as always,
 * caption or not), the client has no open case, their latest case is closed and rated since it
 * was last closed, and it comes within {@link ratingCommentWindowMs} of the invitation (of the
 * rating, while the invitation is on its way). Every such message in the window is comment, so a
 * comment written in two messages stays one comment; `/new` opens a case at any time. Pure.
 *
 * @param latestCase the client's most recent case (the highest number); undefined: none.
 * @param events the history of `latestCase`.
 * @param now epoch ms.
 */
export function unrepliedCommentTarget(input: {
  readonly content: ClientContent;
  readonly hasOpenCase: boolean;
  readonly latestCase: Case | undefined;
  readonly events: readonly CaseEvent[];
  readonly now: number;
}): UnrepliedComment | undefined {
  const { content, latestCase, events, now } = input;
  if (content.type !== 'text' || content.text.trim() === '') return undefined;
  if (input.hasOpenCase || latestCase === undefined || latestCase.status !== 'closed') return undefined;
  const closedAt = events.findLastIndex((e) => e.kind === 'closed');
  const since = events.slice(closedAt + 1);
  const rated = since.find((e) => e.kind === 'rated');
  if (rated === undefined || typeof rated.data?.score !== 'number') return undefined;
  const invited = since.findLast((e) => e.kind === 'rating-comment-invited' && e.id > rated.id);
  if (now - (invited ?? rated).at > ratingCommentWindowMs) return undefined;
  const first = !since.some((e) => e.kind === 'rating-comment' && e.data?.[withoutReplyFlag] === true);
  return { caseId: latestCase.id, score: rated.data.score, first };
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

/**
 * The private answer to a rating press: `thanks` when it was stored; every other one changed
 * nothing. `undefined` for a duplicate delivery of the same update.
 */
export type RatingReply = 'thanks' | 'already-rated' | 'not-yours' | 'no-such-case' | 'case-open' | 'malformed';
