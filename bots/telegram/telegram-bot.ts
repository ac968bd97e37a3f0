import { Telegraf, type Context } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { CaseService, ClientCommand, InboundResult } from '../../src/cases/case-service.js';
import type { ClientProfile, Language, Logger } from '../../src/ports.js';
import { languages } from '../../src/i18n/language.js';
import { clientContentOf } from './listeners/client-content.js';
import { languageCallbackPrefix, renderRatingReply } from './render/client-notice.js';
import type { RatingService } from '../../src/cases/rating-service.js';
import { ratingCallbackPrefix } from '../../src/cases/rating.js';

export interface TelegramBotDeps {
  readonly token: string;
  readonly apiRoot: string;
  readonly cases: CaseService;
  /** Rating buttons and rating comments. */
  readonly ratings: RatingService;
  readonly log: Logger;
}

export interface TelegramBot {
  readonly bot: Telegraf;
  /**
   * Handles one update as the webhook and polling do. Throws when it could not be stored, so the
   * webhook answers 500 and Telegram delivers it again.
   */
  handleUpdate(update: Update): Promise<void>;
}

const commands: Record<string, ClientCommand> = { start: 'start', status: 'status', new: 'new', help: 'help', language: 'language' };

function profileOf(ctx: Context): ClientProfile | undefined {
  const from = ctx.from;
  const chat = ctx.chat;
  if (from === undefined || chat === undefined) return undefined;
  return {
    chatId: chat.id,
    userId: from.id,
    firstName: from.first_name,
    lastName: from.last_name,
    username: from.username,
    languageCode: from.language_code,
  };
}

/**
 * The client-facing bot: private chats open and feed cases; groups and channels get one polite
 * note that Repka works in private chats. Listeners only read the update and call the case service.
 */
export function createTelegramBot(deps: TelegramBotDeps): TelegramBot {
  const bot = new Telegraf(deps.token, { telegram: { apiRoot: deps.apiRoot, webhookReply: false } });
  const failed = new WeakSet<object>();
  const key = (ctx: Context) => `tg:${ctx.update.update_id}`;
  const log = (what: string, result: InboundResult, ctx: Context) => deps.log.debug(what, { updateId: ctx.update.update_id, ...result });

  // An update counts as handled (webhook 200, polling offset moved on) only once its writes are
  // durable: every service call resolves only then, and the listeners await it.
  bot.use(async (ctx, next) => {
    const chat = ctx.chat;
    if (chat !== undefined && chat.type !== 'private') {
      // Once per chat: the key is the chat, not the update.
      if (ctx.message !== undefined || ctx.myChatMember !== undefined) {
        const added = ctx.myChatMember === undefined || ['member', 'administrator'].includes(ctx.myChatMember.new_chat_member.status);
        if (added) log('non-private chat', await deps.cases.receiveNonPrivateMessage(`tg-chat:${chat.id}`, chat.id), ctx);
      }
      return;
    }
    return next();
  });

  bot.on('callback_query', async (ctx) => {
    const data = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
    if (data?.startsWith(ratingCallbackPrefix)) {
      const query = ctx.callbackQuery;
      const result = await deps.ratings.rate(key(ctx), { chatId: ctx.chat?.id ?? query.from.id, data, messageId: query.message?.message_id, languageCode: query.from.language_code });
      deps.log.debug('rating', { updateId: ctx.update.update_id, ...result });
      const text = result.reply === undefined ? undefined : renderRatingReply(result.reply, result.language);
      await ctx.answerCbQuery(text).catch((error: Error) => deps.log.warn('answerCallbackQuery failed', { error: error.message }));
      return;
    }
    const profile = profileOf(ctx);
    if (data?.startsWith(languageCallbackPrefix) && profile !== undefined) {
      const language = data.slice(languageCallbackPrefix.length) as Language;
      if (languages.includes(language)) log('language', await deps.cases.setClientLanguage(key(ctx), profile, language), ctx);
    }
    await ctx.answerCbQuery().catch((error: Error) => deps.log.warn('answerCallbackQuery failed', { error: error.message }));
  });

  bot.on('message', async (ctx) => {
    const profile = profileOf(ctx);
    if (profile === undefined) return;
    const message = ctx.message;
    const command = 'text' in message ? /^\/([a-z]+)(?:@\w+)?(?:\s|$)/i.exec(message.text)?.[1]?.toLowerCase() : undefined;
    const known = command === undefined ? undefined : commands[command];
    if (known !== undefined) {
      log('client command', await deps.cases.receiveClientCommand(key(ctx), profile, known), ctx);
      return;
    }
    const replyTo = 'reply_to_message' in message ? message.reply_to_message?.message_id : undefined;
    const content = clientContentOf(message);
    // A rating comment or a case's message: one unit of work decides (CaseService.receiveClientMessage).
    log('client message', await deps.cases.receiveClientMessage(key(ctx), profile, content, message.message_id, replyTo), ctx);
  });

  // A client corrects a message they sent: the thread shows the new text, the history keeps both.
  bot.on('edited_message', async (ctx) => {
    const profile = profileOf(ctx);
    if (profile === undefined) return;
    const edited = ctx.editedMessage;
    log('client edit', await deps.cases.receiveClientEdit(key(ctx), profile, edited.message_id, clientContentOf(edited as never)), ctx);
  });

  bot.catch((error, ctx) => {
    failed.add(ctx.update);
    deps.log.error('telegram update failed', { updateId: ctx.update.update_id, error: (error as Error).message });
  });

  return {
    bot,
    async handleUpdate(update) {
      await bot.handleUpdate(update);
      if (failed.has(update)) throw new Error(`update ${update.update_id} was not stored`);
    },
  };
}
