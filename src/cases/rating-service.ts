import type { CaseStore, Clock, DeliveryTrigger, Language, Logger, Outbox } from '../ports.js';
import { languageFromCode } from '../i18n/language.js';
import { clientName } from '../client-name.js';
import { lowRatingMax, parseRatingCallback } from './rating.js';
import { runUnitOfWork, type InboundResult } from '../unit-of-work.js';

export interface RatingServiceDeps {
  readonly store: CaseStore;
  readonly outbox: Outbox;
  readonly trigger: DeliveryTrigger;
  readonly clock: Clock;
  readonly log: Logger;
}

/** A press of a rating button in a client's chat. */
export interface RatingPress {
  /** The chat the button was pressed in. */
  readonly chatId: number;
  /** The callback data, expected "rate:<caseId>:<score>". */
  readonly data: string;
  /** The rating request message carrying the button; its buttons are replaced by the score. Undefined: not known. */
  readonly messageId?: number;
  /** Telegram's language_code of the presser, for answers to someone Repka does not know yet. */
  readonly languageCode?: string;
}

/**
 * The private answer to a rating press: `thanks` when it was stored; every other one changed
 * nothing. `undefined` for a duplicate delivery of the same update.
 */
export type RatingReply = 'thanks' | 'already-rated' | 'not-yours' | 'no-such-case' | 'case-open' | 'malformed';

export interface RatingResult {
  readonly reply: RatingReply | undefined;
  /** The language to answer in: the presser's. */
  readonly language: Language;
  readonly caseId?: number;
}

/** A client message that replies to an earlier message of the bot. */
export interface ClientReply {
  readonly chatId: number;
  /** The message_id of the bot's message it replies to. */
  readonly replyToMessageId: number;
  readonly text: string;
}

/**
 * Satisfaction: the client rates a closed case 1 to 5 with the buttons of the rating request,
 * then may reply to the invitation with a comment. Ratings and comments are kept in the case
 * history ('rated' with `data.score`, 'rating-comment' with the comment as `text`) and posted
 * into the case thread; a low rating mentions the assignee, or the agent who closed the case.
 * Methods throw only when storage fails.
 */
export class RatingService {
  constructor(private readonly deps: RatingServiceDeps) {}

  /** A rating button was pressed. Refusals (see {@link RatingReply}) change nothing. */
  rate(inboundKey: string, press: RatingPress): RatingResult {
    const { store } = this.deps;
    const language = store.findClientByChat(press.chatId)?.language ?? languageFromCode(press.languageCode);
    const result = runUnitOfWork(this.deps, inboundKey, ({ now, send }) => {
      const parsed = parseRatingCallback(press.data);
      if (parsed === undefined) return refuse('malformed');
      const theCase = store.getCase(parsed.caseId);
      if (theCase === undefined) return refuse('no-such-case');
      const client = store.getClient(theCase.clientId);
      if (client === undefined || client.telegramChatId !== press.chatId) return refuse('not-yours');
      if (theCase.status === 'open') return refuse('case-open');
      const events = store.listEvents(theCase.id);
      const closedAt = events.findLastIndex((e) => e.kind === 'closed');
      // One rating per closing: a case closed again after a reopen may be rated again.
      if (events.slice(closedAt + 1).some((e) => e.kind === 'rated')) return refuse('already-rated');

      const { score } = parsed;
      store.appendEvent({
        caseId: theCase.id,
        at: now,
        kind: 'rated',
        authorKind: 'client',
        authorId: String(client.telegramUserId),
        authorName: clientName(client),
        text: null,
        data: { score },
      });
      const closing = events[closedAt];
      const closedBy = closing?.authorKind === 'agent' ? (closing.authorId ?? undefined) : undefined;
      const mention = score <= lowRatingMax ? (theCase.assignee ?? closedBy) : undefined;
      send({ to: 'case-thread', caseId: theCase.id, post: { type: 'rated', score, ...(mention === undefined ? {} : { mention }) } });
      const chatId = client.telegramChatId;
      if (press.messageId !== undefined) {
        send({ to: 'client', chatId, caseId: theCase.id, notice: { type: 'rating-recorded', caseId: theCase.id, score }, editMessageId: press.messageId });
      }
      send({ to: 'client', chatId, caseId: theCase.id, notice: { type: 'rating-comment-invite', caseId: theCase.id } });
      return { outcome: 'done', caseId: theCase.id };
    });
    switch (result.outcome) {
      case 'duplicate':
        return { reply: undefined, language };
      case 'ignored':
        return { reply: result.reason as RatingReply, language };
      case 'done':
        return { reply: 'thanks', language, caseId: result.caseId };
    }
  }

  /**
   * A client message replying to a message of the bot. When that message is an invitation to
   * comment on a rating, the text becomes the rating comment of its case (no case is opened) and
   * the result says what happened; otherwise undefined and nothing is stored (the caller treats
   * it as an ordinary message).
   */
  receiveComment(inboundKey: string, reply: ClientReply): InboundResult | undefined {
    const { store } = this.deps;
    const client = store.findClientByChat(reply.chatId);
    if (client === undefined) return undefined;
    const invitation = store
      .listClientEvents(client.id, 'rating-comment-invited')
      .findLast((e) => e.data?.messageId === reply.replyToMessageId);
    if (invitation === undefined) return undefined;
    const caseId = invitation.caseId;
    return runUnitOfWork(this.deps, inboundKey, ({ now, send }) => {
      const events = store.listEvents(caseId);
      const rated = events.findLast((e) => e.kind === 'rated' && e.id < invitation.id);
      const score = typeof rated?.data?.score === 'number' ? rated.data.score : undefined;
      store.appendEvent({
        caseId,
        at: now,
        kind: 'rating-comment',
        authorKind: 'client',
        authorId: String(client.telegramUserId),
        authorName: clientName(client),
        text: reply.text,
        data: score === undefined ? null : { score },
      });
      send({ to: 'case-thread', caseId, post: { type: 'rating-comment', text: reply.text, ...(score === undefined ? {} : { score }) } });
      send({ to: 'client', chatId: client.telegramChatId, caseId, notice: { type: 'rating-comment-thanks', caseId } });
      return { outcome: 'done', caseId };
    });
  }
}

/** A refusal: nothing stored; the reason is the answer to give. */
function refuse(reason: Exclude<RatingReply, 'thanks'>): InboundResult {
  return { outcome: 'ignored', reason };
}
