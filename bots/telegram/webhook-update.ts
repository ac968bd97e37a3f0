import type { Update } from 'telegraf/types';

/*
 * The webhook is reachable from the internet, so its body is checked before Telegraf sees it: the
 * parts Repka reads must have the types the Bot API documents. Real Telegram updates always pass;
 * anything else would otherwise fail inside Telegraf (a 500 that Telegram retries forever) or be
 * stored with values of the wrong type and fail every delivery attempt after it.
 */

type Check = (value: unknown) => boolean;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString: Check = (value) => typeof value === 'string';
const isNumber: Check = (value) => typeof value === 'number' && Number.isFinite(value);
const isId: Check = (value) => Number.isSafeInteger(value);
const optional = (check: Check): Check => (value) => value === undefined || check(value);

/** An object whose listed fields pass their checks (other fields are not looked at). */
const shape =
  (fields: Record<string, Check>): Check =>
  (value) =>
    isObject(value) && Object.entries(fields).every(([key, check]) => check(value[key]));

const user = shape({ id: isId, first_name: isString, last_name: optional(isString), username: optional(isString), language_code: optional(isString) });
const chat = shape({ id: isId, type: isString });
const file = shape({ file_id: isString, file_name: optional(isString), mime_type: optional(isString), file_size: optional(isNumber), duration: optional(isNumber) });

const message = shape({
  message_id: isId,
  chat,
  from: optional(user),
  text: optional(isString),
  caption: optional(isString),
  photo: optional((value) => Array.isArray(value) && value.every(file)),
  document: optional(file),
  video: optional(file),
  audio: optional(file),
  voice: optional(file),
  animation: optional(file),
  video_note: optional(file),
  sticker: optional(shape({ emoji: optional(isString), set_name: optional(isString) })),
  location: optional(shape({ latitude: isNumber, longitude: isNumber })),
  contact: optional(shape({ phone_number: isString, first_name: isString, last_name: optional(isString) })),
  reply_to_message: optional(shape({ message_id: isId })),
});

const callbackQuery = shape({ id: isString, from: user, data: optional(isString), message: optional(shape({ message_id: isId, chat })) });
const chatMemberUpdate = shape({ chat, from: user, new_chat_member: shape({ status: isString }) });

/** The update kinds Repka acts on, and the message-like kinds Telegraf reads `chat` and `from` of. */
const kinds: Record<string, Check> = {
  message,
  edited_message: message,
  channel_post: message,
  edited_channel_post: message,
  business_message: message,
  edited_business_message: message,
  callback_query: callbackQuery,
  my_chat_member: chatMemberUpdate,
  chat_member: chatMemberUpdate,
};

/** Any other kind: an object, and where it names a chat or a sender they have the documented shape. */
const otherKind = shape({ chat: optional(chat), from: optional(user) });

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** The same pattern without the global flag, whose `test` keeps no state between strings. */
const hasLoneSurrogate = new RegExp(loneSurrogate.source);

/**
 * Replaces lone surrogates in every string of a parsed body, in place (a walk is several times
 * cheaper than a JSON.parse reviver); false when an object has a "__proto__" key (JSON.parse makes
 * it an own property, which later spreads and merges would turn into a prototype).
 */
function clean(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return true;
  const record = node as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key === '__proto__') return false;
    const item = record[key];
    if (typeof item === 'string') {
      if (hasLoneSurrogate.test(item)) record[key] = item.replace(loneSurrogate, '\ufffd');
    } else if (!clean(item)) return false;
  }
  return true;
}

/**
 * Parses a webhook body into an update Repka can handle, or says what is wrong with it (for a 400).
 * Lone UTF-16 surrogates (possible as JSON escapes, never sent by Telegram) become U+FFFD: Slack's
 * form encoding cannot carry them. Never throws.
 */
export function parseWebhookUpdate(body: string): { readonly update: Update } | { readonly problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { problem: 'malformed JSON' };
  }
  if (!isObject(value) || !isId(value.update_id)) return { problem: 'not a Telegram update (no update_id)' };
  let clear: boolean;
  try {
    clear = clean(value);
  } catch {
    return { problem: 'not a Telegram update (nested too deeply)' };
  }
  if (!clear) return { problem: 'not a Telegram update (a "__proto__" key)' };
  for (const [key, item] of Object.entries(value)) {
    if (key === 'update_id') continue;
    if (!(kinds[key] ?? otherKind)(item)) return { problem: `not a Telegram update (malformed "${key}")` };
  }
  return { update: value as unknown as Update };
}
