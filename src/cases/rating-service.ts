import type { CaseStore, Client, Clock, DeliveryTrigger, Language, Logger, UnitOfWork } from '../ports.js';
import { languageFromCode } from '../i18n/language.js';
import { clientName } from '../client-name.js';
import { lowRatingMax, parseRatingCallback, unrepliedCommentTarget, withoutReplyFlag, type RatingReply } from './rating.js';
import { runUnitOfWork, type Effects, type InboundResult } from '../unit-of-work.js';
import type { ClientContent } from '../outgoing.js';

export interface RatingServiceDeps {
  readonly uow: UnitOfWork;
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
  /** The language the presser's app reports (an IETF tag), for answers to someone Repka does not know yet. */
  readonly languageCode?: string;
}


export interface RatingResult {
  readonly reply: RatingReply | undefined;
  /** The language to answer in: the presser's. */
  readonly language: Language;
  readonly caseId?: number;
}

/** A client message (not a command), offered to the rating before it goes to a case. */
export interface ClientReply {
  readonly chatId: number;
  /** The message_id of the message it replies to; undefined: it replies to nothing. */
  readonly replyToMessageId?: number;
  readonly content: ClientContent;
}

/**
 * Satisfaction: the client rates a closed case 1 to 5 with the buttons of the rating request,
 * then may comment: by replying to the invitation, or by simply writing within
 * `ratingCommentWindowMs` (see {@link unrepliedCommentTarget}). Ratings and comments are
 * kept in the case history ('rated' with `data.score`, 'rating-comment' with the comment as
 * `text`) and posted into the case thread; a low rating mentions the assignee, or the agent who closed the case.
 * Methods reject only when storage fails.
 */
export class RatingService {
  constructor(private readonly deps: RatingServiceDeps) {}

  /** A rating button was pressed. Refusals (see {@link RatingReply}) change nothing. */
  async rate(inboundKey: string, press: RatingPress): Promise<RatingResult> {
    const known = await this.deps.uow.read((tx) => tx.findClientByChat(press.chatId));
    const language = known?.language ?? languageFromCode(press.languageCode);
    const result = await runUnitOfWork(this.deps, inboundKey, async ({ tx: store, now, send }) => {
      const parsed = parseRatingCallback(press.data);
      if (parsed === undefined) return refuse('malformed');
      const theCase = await store.getCase(parsed.caseId);
      if (theCase === undefined) return refuse('no-such-case');
      const client = await store.getClient(theCase.clientId);
      if (client === undefined || client.chatId !== press.chatId) return refuse('not-yours');
      if (theCase.status === 'open') return refuse('case-open');
      const events = await store.listEvents(theCase.id);
      const closedAt = events.findLastIndex((e) => e.kind === 'closed');
      // One rating per closing: a case closed again after a reopen may be rated again.
      if (events.slice(closedAt + 1).some((e) => e.kind === 'rated')) return refuse('already-rated');

      const { score } = parsed;
      await store.appendEvent({
        caseId: theCase.id,
        at: now,
        kind: 'rated',
        authorKind: 'client',
        authorId: String(client.userId),
        authorName: clientName(client),
        text: null,
        data: { score },
      });
      const closing = events[closedAt];
      const closedBy = closing?.authorKind === 'agent' ? (closing.authorId ?? undefined) : undefined;
      const mention = score <= lowRatingMax ? (theCase.assignee ?? closedBy) : undefined;
      send({ to: 'case-thread', caseId: theCase.id, post: { type: 'rated', score, ...(mention === undefined ? {} : { mention }) } });
      const chatId = client.chatId;
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
   * A client message, offered to the rating first, inside the unit of work of the client's message
   * (CaseService.receiveClientMessage), with the client and whether they have a case open, which
   * that unit has read already: it is a rating comment when it is a text reply to an invitation to
   * comment (whenever it comes), or when {@link unrepliedCommentTarget} says so for a message that
   * replies to nothing. A comment is stored, posted into the case thread and answered (a reply with
   * thanks; the first message taken without a reply with a note that it became the comment and how
   * to open a case instead) and opens no case. Undefined when the message is no comment: then
   * nothing is stored here and the unit goes on with the message as a case's.
   */
  async takeComment(fx: Effects, client: Client, reply: ClientReply, hasOpenCase: boolean): Promise<InboundResult | undefined> {
    if (reply.content.type !== 'text') return undefined;
    // Most messages come from clients with an open case who reply to nothing: no comment, nothing read.
    if (reply.replyToMessageId === undefined && hasOpenCase) return undefined;
    const { text } = reply.content;
    const { tx: store, now, send } = fx;
    const target = await this.commentTarget(store, client.id, reply, hasOpenCase, now);
    if (target === undefined) return undefined;
    const { caseId, score } = target;
    const data = { ...(score === undefined ? {} : { score }), ...(target.replied ? {} : { [withoutReplyFlag]: true }) };
    await store.appendEvent({
      caseId,
      at: now,
      kind: 'rating-comment',
      authorKind: 'client',
      authorId: String(client.userId),
      authorName: clientName(client),
      text,
      data: Object.keys(data).length === 0 ? null : data,
    });
    send({ to: 'case-thread', caseId, post: { type: 'rating-comment', text, ...(score === undefined ? {} : { score }) } });
    const chatId = client.chatId;
    if (target.replied) send({ to: 'client', chatId, caseId, notice: { type: 'rating-comment-thanks', caseId } });
    else if (target.first) send({ to: 'client', chatId, caseId, notice: { type: 'rating-comment-taken', caseId } });
    return { outcome: 'done', caseId };
  }

  /** The case and score a message comments on, read inside the unit of work; undefined: no comment. */
  private async commentTarget(store: CaseStore, clientId: number, reply: ClientReply, hasOpenCase: boolean, now: number): Promise<{ caseId: number; score?: number; replied: boolean; first: boolean } | undefined> {
    if (reply.replyToMessageId !== undefined) {
      const invitation = (await store.listClientEvents(clientId, 'rating-comment-invited')).findLast((e) => e.data?.messageId === reply.replyToMessageId);
      // A reply to any other message of the bot is no comment: it goes to a case as before.
      if (invitation === undefined) return undefined;
      const rated = (await store.listEvents(invitation.caseId)).findLast((e) => e.kind === 'rated' && e.id < invitation.id);
      const score = typeof rated?.data?.score === 'number' ? rated.data.score : undefined;
      return { caseId: invitation.caseId, ...(score === undefined ? {} : { score }), replied: true, first: false };
    }
    const latestCase = await store.findLatestCase(clientId);
    const events = latestCase === undefined ? [] : await store.listEvents(latestCase.id);
    const target = unrepliedCommentTarget({ content: reply.content, hasOpenCase, latestCase, events, now });
    return target === undefined ? undefined : { ...target, replied: false };
  }
}

/** A refusal: nothing stored; the reason is the answer to give. */
function refuse(reason: Exclude<RatingReply, 'thanks'>): InboundResult {
  return { outcome: 'ignored', reason };
}
