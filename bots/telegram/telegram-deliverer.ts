import type { Telegram } from 'telegraf';
import type { Outgoing } from '../../src/outgoing.js';
import { systemClock, type CaseStore, type Clock } from '../../src/ports.js';
import { PermanentDeliveryError, RetryLaterError, type Deliverer, type PendingMessage } from '../../src/delivery/deliverer.js';
import type { RateLimiter } from '../../src/delivery/rate-limiter.js';
import { languageFromCode } from '../../src/i18n/language.js';
import { splitText } from '../../src/text/split-text.js';
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
  readonly store: CaseStore;
  /** Per chat (~1 message/s). */
  readonly chatLimiter: RateLimiter;
  /** Whole bot (~30 messages/s). */
  readonly globalLimiter: RateLimiter;
  /** Time zone for times shown to clients. */
  readonly timeZone: string;
  /** Stamps the history entries deliveries write. Default: the system clock. */
  readonly clock?: Clock;
}

/** Delivers client notices to Telegram chats, in the client's language, split at Telegram's limit. */
export class TelegramDeliverer implements Deliverer {
  constructor(private readonly deps: TelegramDelivererDeps) {}

  async deliver(messages: readonly PendingMessage[], signal: AbortSignal): Promise<number> {
    const head = messages[0]?.message as Extract<Outgoing, { to: 'client' }>;
    const client = this.deps.store.findClientByChat(head.chatId);
    const language = client?.language ?? languageFromCode(undefined);
    const rendered = renderClientNotice(head.notice, language, this.deps.timeZone);
    if (head.editMessageId !== undefined) {
      await this.edit(head.chatId, head.editMessageId, rendered.text, signal);
      return 1;
    }
    const chunks = splitText(rendered.text, telegramTextLimit);
    let lastMessageId: number | undefined;
    for (const [index, chunk] of chunks.entries()) {
      await this.deps.chatLimiter.take(String(head.chatId), signal);
      await this.deps.globalLimiter.take('global', signal);
      try {
        const sent = await this.deps.telegram.sendMessage(head.chatId, chunk, {
          reply_markup: index === chunks.length - 1 ? rendered.replyMarkup : undefined,
          link_preview_options: { is_disabled: true },
        });
        lastMessageId = sent.message_id;
      } catch (error) {
        const converted = toDeliveryError(error);
        // Every message to this chat waits as long as Telegram said, not only this one.
        if (converted instanceof RetryLaterError) this.deps.chatLimiter.pause(String(head.chatId), converted.afterMs);
        throw converted;
      }
    }
    if (head.notice.type === 'rating-comment-invite' && lastMessageId !== undefined) {
      // A reply to exactly this message is the rating comment: remember which message it is.
      this.deps.store.appendEvent({
        caseId: head.notice.caseId,
        at: (this.deps.clock ?? systemClock).now(),
        kind: 'rating-comment-invited',
        authorKind: 'system',
        authorId: null,
        authorName: null,
        text: null,
        data: { messageId: lastMessageId },
      });
    }
    return 1;
  }

  /** Replaces the text of an earlier message (its buttons go: none are sent); already replaced counts as done. */
  private async edit(chatId: number, messageId: number, text: string, signal: AbortSignal): Promise<void> {
    await this.deps.chatLimiter.take(String(chatId), signal);
    await this.deps.globalLimiter.take('global', signal);
    try {
      await this.deps.telegram.editMessageText(chatId, messageId, undefined, splitText(text, telegramTextLimit)[0] ?? text);
    } catch (error) {
      // A retry after a lost answer finds the edit already made.
      if (/message is not modified/i.test((error as { response?: { description?: string } }).response?.description ?? '')) return;
      const converted = toDeliveryError(error);
      if (converted instanceof RetryLaterError) this.deps.chatLimiter.pause(String(chatId), converted.afterMs);
      throw converted;
    }
  }
}
