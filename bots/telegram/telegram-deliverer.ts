import type { Telegram } from 'telegraf';
import type { Outgoing } from '../../src/outgoing.js';
import type { CaseStore } from '../../src/ports.js';
import { PermanentDeliveryError, RetryLaterError, type Deliverer, type PendingMessage } from '../../src/delivery/deliverer.js';
import type { RateLimiter } from '../../src/delivery/rate-limiter.js';
import { languageFromCode } from '../../src/i18n/language.js';
import { splitText } from '../../src/text/split-text.js';
import { renderClientNotice } from './render/client-notice.js';

/** Telegram's limit for one message text, in UTF-16 code units. */
export const telegramTextLimit = 4096;

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
}

/** Delivers client notices to Telegram chats, in the client's language, split at Telegram's limit. */
export class TelegramDeliverer implements Deliverer {
  constructor(private readonly deps: TelegramDelivererDeps) {}

  async deliver(messages: readonly PendingMessage[], signal: AbortSignal): Promise<number> {
    const head = messages[0]?.message as Extract<Outgoing, { to: 'client' }>;
    const client = this.deps.store.findClientByChat(head.chatId);
    const language = client?.language ?? languageFromCode(undefined);
    const rendered = renderClientNotice(head.notice, language, this.deps.timeZone);
    const chunks = splitText(rendered.text, telegramTextLimit);
    for (const [index, chunk] of chunks.entries()) {
      await this.deps.chatLimiter.take(String(head.chatId), signal);
      await this.deps.globalLimiter.take('global', signal);
      try {
        await this.deps.telegram.sendMessage(head.chatId, chunk, {
          reply_markup: index === chunks.length - 1 ? rendered.replyMarkup : undefined,
          link_preview_options: { is_disabled: true },
        });
      } catch (error) {
        const converted = toDeliveryError(error);
        // Every message to this chat waits as long as Telegram said, not only this one.
        if (converted instanceof RetryLaterError) this.deps.chatLimiter.pause(String(head.chatId), converted.afterMs);
        throw converted;
      }
    }
    return 1;
  }
}
