import type { Telegram } from 'telegraf';
import { deliveredMessageIds } from '../../src/cases/reply-edits.js';
import { clientFileKind, FileUnavailableError, readAll, type ClientFileLimits, type FileSource, type SharedFile } from '../../src/files.js';
import type { Outgoing } from '../../src/outgoing.js';
import { systemClock, type Clock, type UnitOfWork } from '../../src/ports.js';
import { PermanentDeliveryError, RetryLaterError, type Deliverer, type PendingMessage } from '../../src/delivery/deliverer.js';
import type { Pacer } from '../../src/delivery/rate-limiter.js';
import { languageFromCode } from '../../src/i18n/language.js';
import { splitText } from '../text/split-text.js';
import { telegramLimits } from '../platform-limits.js';
import { renderClientNotice } from './render/client-notice.js';

/** Telegram's limit for one message text, in UTF-16 code units (see bots/platform-limits.ts). */
export const telegramTextLimit = telegramLimits.messageText;

/**
 * Converts a Telegram API error into what the drainer should do: wait (429 retry_after), give up
 * (the client blocked the bot, the chat is gone), or retry (5xx, network: rethrown as they are).
 */
export function toDeliveryError(error: unknown): unknown {
  const e = error as { code?: number; response?: { error_code?: number; description?: string; parameters?: { retry_after?: number } } };
  const code = e.response?.error_code ?? (typeof e.code === 'number' ? e.code : undefined);
  const description = e.response?.description ?? '';
  if (code === 429) return new RetryLaterError((e.response?.parameters?.retry_after ?? 1) * 1000, `Telegram: ${description}`);
  if (code === 403) {
    const reason = /blocked/i.test(description) ? 'the client blocked the bot' : /deactivated/i.test(description) ? "the client's account is deleted" : `Telegram refused: ${description}`;
    return new PermanentDeliveryError(reason, { cause: error });
  }
  if (code === 400) return new PermanentDeliveryError(`Telegram refused the message: ${description}`, { cause: error });
  return error;
}

export interface TelegramDelivererDeps {
  readonly telegram: Telegram;
  /** Reads the client and writes what deliveries record in the history. */
  readonly uow: UnitOfWork;
  /** Per chat (~1 message/s). */
  readonly chatLimiter: Pacer;
  /** Whole bot (~30 messages/s). */
  readonly globalLimiter: Pacer;
  /** Time zone for times shown to clients. */
  readonly timeZone: string;
  /** Stamps the history entries deliveries write. Default: the system clock. */
  readonly clock?: Clock;
  /** Reads the files agents attach to a reply (Slack). Without it a reply's file is refused as undeliverable. */
  readonly files?: FileSource;
}

/** Telegram's limits for what a bot sends, bytes (https://core.telegram.org/bots/api#sending-files). */
export const telegramFileLimits: ClientFileLimits = { photoBytes: telegramLimits.photoUploadMb * 1024 * 1024, fileBytes: telegramLimits.fileUploadMb * 1024 * 1024, captionChars: telegramLimits.caption };

/** Delivers client notices to Telegram chats, in the client's language, split at Telegram's limit. */
export class TelegramDeliverer implements Deliverer {
  constructor(private readonly deps: TelegramDelivererDeps) {}

  async deliver(messages: readonly PendingMessage[], signal: AbortSignal): Promise<number> {
    const head = messages[0]?.message as Extract<Outgoing, { to: 'client' }>;
    const client = await this.deps.uow.read((tx) => tx.findClientByChat(head.chatId));
    const language = client?.language ?? languageFromCode(undefined);
    const rendered = renderClientNotice(head.notice, language, this.deps.timeZone);
    if (head.editMessageId !== undefined) {
      await this.edit(head.chatId, head.editMessageId, rendered.text, signal);
      return 1;
    }
    if (head.notice.type === 'agent-reply' && head.notice.file !== undefined) {
      // The first file carries the reply (who, which case, the text) as its caption; later ones go bare.
      await this.deliverFile(head.chatId, head.notice.file, (head.notice.part ?? 1) === 1 ? rendered.text.trimEnd() : undefined, signal);
      return 1;
    }
    const { editOf, caseId, notice } = head;
    if (editOf !== undefined && caseId !== undefined) {
      if (rendered.text.length > telegramTextLimit) throw new PermanentDeliveryError(`the edit could not be made: it is longer than one Telegram message (${telegramTextLimit} characters); send the rest with !reply`);
      await this.edit(head.chatId, await this.deliveredReply(caseId, editOf.replyTs), rendered.text, signal);
      // Only now does the client's message read the new text: the history says so from here on.
      await this.deps.uow.run((tx) =>
        tx.appendEvent({
          caseId,
          at: (this.deps.clock ?? systemClock).now(),
          kind: 'agent-reply-edited',
          authorKind: 'agent',
          authorId: editOf.by,
          authorName: editOf.byName,
          text: notice.type === 'agent-reply' ? notice.text : null,
          data: { ts: editOf.replyTs, previousText: editOf.previousText },
        }),
      );
      return 1;
    }
    const sent = await this.sendText(head.chatId, rendered.text, rendered.replyMarkup, signal, head.notice.type === 'rating-comment-invite' ? head.notice.caseId : undefined);
    if (notice.type === 'agent-reply' && notice.replyTs !== undefined) {
      const replyTs = notice.replyTs;
      // Which Telegram messages carry this reply: an edit of the agent's Slack message changes them.
      await this.deps.uow.run((tx) =>
        tx.appendEvent({
          caseId: notice.caseId,
          at: (this.deps.clock ?? systemClock).now(),
          kind: 'reply-delivered',
          authorKind: 'system',
          authorId: null,
          authorName: null,
          text: null,
          data: { ts: replyTs, messageIds: sent },
        }),
      );
    }
    return 1;
  }

  /** The one Telegram message that delivered the reply posted at Slack ts `replyTs`; a reply sent in several parts is not edited. */
  private async deliveredReply(caseId: number, replyTs: string): Promise<number> {
    const ids = deliveredMessageIds(await this.deps.uow.read((tx) => tx.listEvents(caseId)), replyTs);
    if (ids.length === 0) throw new PermanentDeliveryError('the edit could not be made: the original reply never reached the client');
    if (ids.length > 1) throw new PermanentDeliveryError(`the edit could not be made: the reply reached the client as ${ids.length} messages; send a correction with !reply`);
    return ids[0] as number;
  }

  /**
   * A reply's file as a photo or a document, with `caption` (the reply's text) when it fits
   * Telegram's caption limit; a longer text goes as its own message first. A photo Telegram will
   * not take as one (size, dimensions) goes as a document. A file Slack will not hand over, or
   * Telegram refuses, fails this message (the thread is told) after the text was sent alone.
   */
  private async deliverFile(chatId: number, file: SharedFile, caption: string | undefined, signal: AbortSignal): Promise<void> {
    let pending = caption;
    if (pending !== undefined && pending.length > telegramLimits.caption) {
      await this.sendText(chatId, pending, undefined, signal);
      pending = undefined;
    }
    const kind = clientFileKind(file, telegramFileLimits);
    const failed = async (reason: string, cause: unknown): Promise<never> => {
      if (pending !== undefined) await this.sendText(chatId, pending, undefined, signal);
      throw new PermanentDeliveryError(`${reason}${pending !== undefined ? '; the text was sent without it' : ''}`, { cause });
    };
    if (kind === 'too-big' || this.deps.files === undefined) return failed(`${file.name} could not be sent: ${kind === 'too-big' ? `over Telegram's ${telegramLimits.fileUploadMb} MB for bots` : 'no file source'}`, undefined);
    // Read whole first (at most 50 MB): telegraf pipes a stream into its upload without passing on
    // the stream's errors, so a download that broke mid-way would leave the upload hanging.
    let bytes: Buffer;
    try {
      bytes = await readAll(await this.deps.files.open(file, telegramFileLimits.fileBytes, signal));
    } catch (error) {
      if (error instanceof FileUnavailableError) return failed(error.message, error);
      throw error;
    }
    for (const as of kind === 'photo' && bytes.length <= telegramFileLimits.photoBytes ? (['photo', 'document'] as const) : (['document'] as const)) {
      await this.deps.chatLimiter.take(String(chatId), signal);
      await this.deps.globalLimiter.take('global', signal);
      try {
        const input = { source: bytes, filename: file.name };
        const extra = pending === undefined ? {} : { caption: pending };
        if (as === 'photo') await this.deps.telegram.sendPhoto(chatId, input, extra);
        else await this.deps.telegram.sendDocument(chatId, input, extra);
        return;
      } catch (error) {
        const converted = toDeliveryError(error);
        // Telegram takes no photo over 10 MB or of extreme proportions; the same file goes as a document.
        if (as === 'photo' && converted instanceof PermanentDeliveryError) continue;
        if (converted instanceof RetryLaterError) this.deps.chatLimiter.pause(String(chatId), converted.afterMs);
        if (converted instanceof PermanentDeliveryError) return failed(`Telegram refused ${file.name}: ${converted.message}`, error);
        throw converted;
      }
    }
  }

  /**
   * Sends `text` split at Telegram's limit; `markup` on the last part. `invitedCaseId`: remember the
   * last part as that case's rating-comment invitation. Returns the messages' ids.
   */
  private async sendText(chatId: number, text: string, markup: ReturnType<typeof renderClientNotice>['replyMarkup'], signal: AbortSignal, invitedCaseId?: number): Promise<number[]> {
    const chunks = splitText(text, telegramTextLimit);
    const sentIds: number[] = [];
    let lastMessageId: number | undefined;
    for (const [index, chunk] of chunks.entries()) {
      await this.deps.chatLimiter.take(String(chatId), signal);
      await this.deps.globalLimiter.take('global', signal);
      try {
        const sent = await this.deps.telegram.sendMessage(chatId, chunk, {
          reply_markup: index === chunks.length - 1 ? markup : undefined,
          link_preview_options: { is_disabled: true },
        });
        lastMessageId = sent.message_id;
        sentIds.push(sent.message_id);
      } catch (error) {
        const converted = toDeliveryError(error);
        // Every message to this chat waits as long as Telegram said, not only this one.
        if (converted instanceof RetryLaterError) this.deps.chatLimiter.pause(String(chatId), converted.afterMs);
        throw converted;
      }
    }
    if (invitedCaseId !== undefined && lastMessageId !== undefined) {
      // A reply to exactly this message is the rating comment: remember which message it is.
      await this.deps.uow.run((tx) => tx.appendEvent({
        caseId: invitedCaseId,
        at: (this.deps.clock ?? systemClock).now(),
        kind: 'rating-comment-invited',
        authorKind: 'system',
        authorId: null,
        authorName: null,
        text: null,
        data: { messageId: lastMessageId },
      }));
    }
    return sentIds;
  }

  /** Replaces the text of an earlier message (its buttons go: none are sent); already replaced counts as done. */
  private async edit(chatId: number, messageId: number, text: string, signal: AbortSignal): Promise<void> {
    await this.deps.chatLimiter.take(String(chatId), signal);
    await this.deps.globalLimiter.take('global', signal);
    try {
      // As sent: no link preview (see sendText).
      await this.deps.telegram.editMessageText(chatId, messageId, undefined, splitText(text, telegramTextLimit)[0] ?? text, { link_preview_options: { is_disabled: true } });
    } catch (error) {
      // A retry after a lost answer finds the edit already made.
      if (/message is not modified/i.test((error as { response?: { description?: string } }).response?.description ?? '')) return;
      const converted = toDeliveryError(error);
      if (converted instanceof RetryLaterError) this.deps.chatLimiter.pause(String(chatId), converted.afterMs);
      throw converted;
    }
  }
}
