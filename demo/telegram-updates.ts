import { commandUpdate, textUpdate, type TgUser, type Update } from '../tests/fakes/fake-telegram.js';

/** A message the bot sent, as the fake Telegram keeps it. */
export interface BotMessage {
  readonly message_id: number;
  readonly text?: string;
}

/**
 * What Telegram sends when `from` writes `text` in the private chat: a command (`/start`, with its
 * bot_command entity) or a text message; with `replyTo`, a reply to that bot message, carrying it
 * as `reply_to_message` the way Telegram does (the rating's comment is such a reply).
 */
export function clientMessage(from: TgUser, text: string, replyTo?: { readonly message: BotMessage; readonly bot: { readonly id: number; readonly username: string } }): Update {
  const plain = /^\/[a-z]+/i.test(text) ? commandUpdate(from, text) : textUpdate(from, text);
  if (replyTo === undefined) return plain;
  const { message, bot } = replyTo;
  return {
    ...plain,
    message: {
      ...plain.message,
      reply_to_message: {
        message_id: message.message_id,
        from: { id: bot.id, is_bot: true, first_name: 'Repka', username: bot.username },
        chat: plain.message.chat,
        date: Math.floor(Date.now() / 1000),
        ...(message.text === undefined ? {} : { text: message.text }),
      },
    },
  };
}
