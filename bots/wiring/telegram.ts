import { Telegram } from 'telegraf';
import type { Config } from '../config.js';
import type { CaseService } from '../../src/cases/case-service.js';
import type { RatingService } from '../../src/cases/rating-service.js';
import type { Logger } from '../../src/ports.js';
import { rethrowTelegramRejection } from '../rejected-credential.js';
import { createTelegramBot, type TelegramBot } from '../telegram/telegram-bot.js';
import { withRetries, type Stop } from './startup.js';

/** Updates Repka asks Telegram for. */
const allowedUpdates = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

/** Checks the bot token (`getMe`), so a refused one stops start-up in one line before any queue is opened. */
export async function checkTelegram(config: Config, log: Logger): Promise<void> {
  const telegram = new Telegram(config.telegram.botToken, { apiRoot: config.telegram.apiRoot });
  await withRetries('Telegram getMe', 6, () => telegram.getMe().catch(rethrowTelegramRejection), () => false, log);
}

/** The client-facing bot. */
export function createClientBot(config: Config, cases: CaseService, ratings: RatingService, log: Logger): TelegramBot {
  return createTelegramBot({ token: config.telegram.botToken, apiRoot: config.telegram.apiRoot, cases, ratings, log });
}

/**
 * Starts taking updates: sets the webhook (TELEGRAM_WEBHOOK_URL; the HTTP server takes them) or
 * starts long polling. Returns how to stop polling.
 */
export async function receiveUpdates(config: Config, bot: TelegramBot, log: Logger): Promise<Stop> {
  const webhook = config.telegram.webhookUrl;
  if (webhook) {
    await withRetries(
      'Telegram setWebhook',
      6,
      () => bot.bot.telegram.setWebhook(webhook, { secret_token: config.telegram.webhookSecret, allowed_updates: [...allowedUpdates] }).catch(rethrowTelegramRejection),
      (error) => (error as { response?: { error_code?: number } }).response?.error_code === 401,
      log,
    );
    return () => undefined;
  }
  bot.bot.launch({ allowedUpdates: [...allowedUpdates] }).catch((error: Error) => log.error('telegram polling stopped', { error: error.message }));
  return () => bot.bot.stop('shutdown');
}
