/**
 * The platforms' published limits, checked on every call the fake Slack and fake Telegram receive,
 * answered with the refusal the platform gives. Written from the platforms' own references, and on
 * purpose independent of Repka's bots/platform-limits.ts, so a wrong number there is caught here:
 *
 * - Block Kit sizes: the Slack-written JSDoc of @slack/types (dist/block-kit/*.d.ts, dist/views.d.ts).
 * - Slack method errors: docs.slack.dev/reference/methods/chat.postMessage (no_text, msg_too_long,
 *   invalid_blocks, invalid_blocks_format), views.push/views.open (invalid_arguments, the trigger
 *   codes), conversations.members (`limit` under 1,000; invalid_limit).
 * - The shape of a Block Kit refusal, as Slack answers it (seen in public code recording real
 *   answers): `{"ok":false,"error":"invalid_blocks","errors":["must be less than 3001 characters
 *   [json-pointer:/blocks/0/text/text]"],"response_metadata":{"messages":["[ERROR] must be less than
 *   3001 characters [json-pointer:/blocks/0/text/text]"]}}`; views answer `invalid_arguments` with
 *   only `response_metadata.messages`, led by "[ERROR] failed to match all allowed schemas
 *   [json-pointer:/view]" (e.g. "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]").
 *   Array limits read "no more than 50 items allowed [json-pointer:/blocks]", unknown types
 *   "unsupported type: markdown [json-pointer:/blocks/0/type]".
 * - Telegram: the Bot API reference (core.telegram.org/bots/api; PaulSonOfLars/telegram-bot-api-spec)
 *   for the limits; the error descriptions as Telegram returns them, collected in teloxide's
 *   `ApiError` ("Bad Request: message is too long", "Bad Request: message text is empty",
 *   "Bad Request: BUTTON_DATA_INVALID", "Bad Request: message is not modified: …",
 *   "Bad Request: bad webhook: HTTPS url must be provided for webhook", "Bad Request: bad webhook:
 *   Webhook can be set up only on ports 80, 88, 443 or 8443"); "Bad Request: message caption is too
 *   long"; 413 "Request Entity Too Large" for an upload over 50 MB (telegraf/telegraf#774);
 *   "Bad Request: file is too big" from getFile over 20 MB (tdlib/telegram-bot-api#51).
 */

/** One Block Kit rule broken: Slack's message and the JSON pointer of the offending value. */
export interface BlockError {
  readonly message: string;
  readonly pointer: string;
}

/** A refusal as the platform sends it: HTTP status and JSON body. */
export interface Refusal {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Slack: Block Kit

/** Message text (`text`) above this is refused with `msg_too_long` (chat.postMessage: "truncate … more than 40,000"). */
export const slackMessageTextMax = 40_000;

/** Every block type @slack/types knows (AnyBlock); anything else is `unsupported type`. */
const knownBlocks = new Set(['actions', 'alert', 'card', 'carousel', 'container', 'context', 'context_actions', 'data_table', 'divider', 'file', 'header', 'image', 'input', 'markdown', 'plan', 'rich_text', 'section', 'table', 'task_card', 'video']);

/** Block elements @slack/types knows, by where they may stand. */
const selectElements = new Set(['static_select', 'multi_static_select', 'external_select', 'multi_external_select', 'users_select', 'multi_users_select', 'conversations_select', 'multi_conversations_select', 'channels_select', 'multi_channels_select']);
const inputOnlyElements = new Set(['plain_text_input', 'email_text_input', 'url_text_input', 'number_input', 'rich_text_input', 'file_input']);
const interactiveElements = new Set(['button', 'checkboxes', 'datepicker', 'datetimepicker', 'timepicker', 'overflow', 'radio_buttons', 'workflow_button', 'feedback_buttons', 'icon_button', ...selectElements]);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects Block Kit errors for one surface (a message or a view). */
class BlockChecker {
  readonly errors: BlockError[] = [];

  private fail(message: string, pointer: string): void {
    this.errors.push({ message, pointer });
  }

  /** A string field of at most `max` characters (and at least `min`). */
  string(value: unknown, pointer: string, max: number, min = 0): void {
    if (value === undefined) return;
    if (typeof value !== 'string') return this.fail('must be a string', pointer);
    if (value.length > max) this.fail(`must be less than ${max + 1} characters`, pointer);
    else if (value.length < min) this.fail(`must be more than ${min - 1} characters`, pointer);
  }

  required(owner: Json, field: string, pointer: string): boolean {
    if (owner[field] !== undefined) return true;
    this.fail(`missing required field: ${field}`, pointer);
    return false;
  }

  /** A text object: plain_text (or mrkdwn unless `plainOnly`), text 1–`max` characters (default 3,000). */
  text(value: unknown, pointer: string, max = 3000, plainOnly = false): void {
    if (value === undefined) return;
    if (!isObject(value)) return this.fail('must provide an object', pointer);
    const allowed = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
    if (!allowed.includes(String(value.type))) return this.fail(`must be one of: ${allowed.join(', ')}`, `${pointer}/type`);
    if (typeof value.text !== 'string') return this.fail('missing required field: text', pointer);
    this.string(value.text, `${pointer}/text`, max, 1);
  }

  array(value: unknown, pointer: string, max: number, min = 0): unknown[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.fail('must provide an array', pointer);
      return [];
    }
    if (value.length > max) this.fail(`no more than ${max} items allowed`, pointer);
    else if (value.length < min) this.fail(`must provide at least ${min} items`, pointer);
    return value;
  }

  /** A confirmation dialog: title ≤100, text ≤300, confirm/deny ≤30 (composition-objects.d.ts). */
  confirm(value: unknown, pointer: string): void {
    if (value === undefined) return;
    if (!isObject(value)) return this.fail('must provide an object', pointer);
    this.text(value.title, `${pointer}/title`, 100, true);
    if (this.required(value, 'text', pointer)) this.text(value.text, `${pointer}/text`, 300);
    this.text(value.confirm, `${pointer}/confirm`, 30, true);
    this.text(value.deny, `${pointer}/deny`, 30, true);
  }

  /** An option: text ≤75 (plain_text in menus), value ≤75, description ≤75, url ≤3,000. */
  option(value: unknown, pointer: string, plainOnly: boolean): void {
    if (!isObject(value)) return this.fail('must provide an object', pointer);
    if (this.required(value, 'text', pointer)) this.text(value.text, `${pointer}/text`, 75, plainOnly);
    this.string(value.value, `${pointer}/value`, 75);
    this.text(value.description, `${pointer}/description`, 75, true);
    this.string(value.url, `${pointer}/url`, 3000);
  }

  /** A block element, in a block whose kind (`where`) decides which elements may stand there. */
  element(value: unknown, pointer: string, where: 'actions' | 'accessory' | 'input'): void {
    if (!isObject(value)) return this.fail('must provide an object', pointer);
    const type = String(value.type);
    const allowed = interactiveElements.has(type) || (where === 'input' && inputOnlyElements.has(type)) || (where === 'accessory' && type === 'image');
    if (!allowed) return this.fail(`unsupported type: ${type}`, `${pointer}/type`);
    this.string(value.action_id, `${pointer}/action_id`, 255);
    this.confirm(value.confirm, `${pointer}/confirm`);
    this.text(value.placeholder, `${pointer}/placeholder`, 150, true);
    switch (type) {
      case 'button':
        if (this.required(value, 'text', pointer)) this.text(value.text, `${pointer}/text`, 75, true);
        this.string(value.value, `${pointer}/value`, 2000);
        this.string(value.url, `${pointer}/url`, 3000);
        this.string(value.accessibility_label, `${pointer}/accessibility_label`, 75);
        break;
      case 'checkboxes':
      case 'radio_buttons':
        this.array(value.options, `${pointer}/options`, 10, 1).forEach((o, i) => this.option(o, `${pointer}/options/${i}`, false));
        break;
      case 'overflow':
        this.array(value.options, `${pointer}/options`, 5, 1).forEach((o, i) => this.option(o, `${pointer}/options/${i}`, true));
        break;
      case 'static_select':
      case 'multi_static_select':
        if (value.options === undefined && value.option_groups === undefined) this.fail('must provide either options or option_groups', pointer);
        this.array(value.options, `${pointer}/options`, 100, 1).forEach((o, i) => this.option(o, `${pointer}/options/${i}`, true));
        this.array(value.option_groups, `${pointer}/option_groups`, 100, 1).forEach((g, i) => {
          const at = `${pointer}/option_groups/${i}`;
          if (!isObject(g)) return this.fail('must provide an object', at);
          this.text(g.label, `${at}/label`, 75, true);
          this.array(g.options, `${at}/options`, 100, 1).forEach((o, j) => this.option(o, `${at}/options/${j}`, true));
        });
        break;
      case 'plain_text_input':
        this.string(value.initial_value, `${pointer}/initial_value`, 3000);
        if (typeof value.max_length === 'number' && (value.max_length < 1 || value.max_length > 3000)) this.fail('must be between 1 and 3000', `${pointer}/max_length`);
        if (typeof value.min_length === 'number' && (value.min_length < 0 || value.min_length > 3000)) this.fail('must be between 0 and 3000', `${pointer}/min_length`);
        break;
      case 'image':
        this.string(value.alt_text, `${pointer}/alt_text`, 2000);
        this.string(value.image_url, `${pointer}/image_url`, 3000);
        break;
      default:
        break;
    }
  }

  block(value: unknown, pointer: string): void {
    if (!isObject(value)) return this.fail('must provide an object', pointer);
    const type = String(value.type);
    if (!knownBlocks.has(type)) return this.fail(`unsupported type: ${type}`, `${pointer}/type`);
    this.string(value.block_id, `${pointer}/block_id`, 255);
    switch (type) {
      case 'section':
        if (value.text === undefined && value.fields === undefined) this.fail('must define either `text` or `fields`', `${pointer}/type`);
        this.text(value.text, `${pointer}/text`, 3000);
        this.array(value.fields, `${pointer}/fields`, 10, 1).forEach((f, i) => this.text(f, `${pointer}/fields/${i}`, 2000));
        if (value.accessory !== undefined) this.element(value.accessory, `${pointer}/accessory`, 'accessory');
        break;
      case 'header':
        if (this.required(value, 'text', pointer)) this.text(value.text, `${pointer}/text`, 150, true);
        break;
      case 'context':
        this.array(value.elements, `${pointer}/elements`, 10, 1).forEach((e, i) => {
          const at = `${pointer}/elements/${i}`;
          if (isObject(e) && e.type === 'image') return this.element(e, at, 'accessory');
          this.text(e, at);
        });
        break;
      case 'actions':
        this.array(value.elements, `${pointer}/elements`, 25, 1).forEach((e, i) => this.element(e, `${pointer}/elements/${i}`, 'actions'));
        break;
      case 'input':
        if (this.required(value, 'label', pointer)) this.text(value.label, `${pointer}/label`, 2000, true);
        this.text(value.hint, `${pointer}/hint`, 2000, true);
        if (this.required(value, 'element', pointer)) this.element(value.element, `${pointer}/element`, 'input');
        break;
      case 'image':
        this.string(value.alt_text, `${pointer}/alt_text`, 2000);
        this.text(value.title, `${pointer}/title`, 2000, true);
        this.string(value.image_url, `${pointer}/image_url`, 3000);
        break;
      case 'markdown':
        this.string(value.text, `${pointer}/text`, 12_000, 1);
        break;
      default:
        break;
    }
  }

  blocks(value: unknown, pointer: string, max: number): unknown[] {
    const list = this.array(value, pointer, max);
    list.forEach((b, i) => this.block(b, `${pointer}/${i}`));
    return list;
  }
}

const pointed = (errors: readonly BlockError[]) => errors.map((e) => `${e.message} [json-pointer:${e.pointer}]`);

/** Block Kit errors of a message's `blocks` (≤50 blocks), as "message [json-pointer:…]" strings; empty when valid. */
export function messageBlockErrors(blocks: unknown): string[] {
  const checker = new BlockChecker();
  checker.blocks(blocks, '/blocks', 50);
  return pointed(checker.errors);
}

/** Block Kit errors of a view (modal or home: ≤100 blocks, title/submit/close ≤24, private_metadata ≤3,000, callback_id ≤255). */
export function viewErrors(view: unknown): string[] {
  const checker = new BlockChecker();
  if (!isObject(view)) return ['must provide an object [json-pointer:/view]'];
  const type = String(view.type);
  if (type !== 'modal' && type !== 'home') return [`unsupported type: ${type} [json-pointer:/view/type]`];
  const blocks = checker.blocks(view.blocks, '/view/blocks', 100);
  if (view.blocks === undefined) checker.required(view, 'blocks', '/view');
  checker.string(view.private_metadata, '/view/private_metadata', 3000);
  checker.string(view.callback_id, '/view/callback_id', 255);
  checker.string(view.external_id, '/view/external_id', 255);
  if (type === 'modal') {
    if (checker.required(view, 'title', '/view')) checker.text(view.title, '/view/title', 24, true);
    checker.text(view.submit, '/view/submit', 24, true);
    checker.text(view.close, '/view/close', 24, true);
    const input = blocks.findIndex((b) => isObject(b) && b.type === 'input');
    if (input !== -1 && view.submit === undefined) checker.errors.push({ message: 'must define `submit` to use an `input` block in modals', pointer: `/view/blocks/${input}/input` });
  }
  return pointed(checker.errors);
}

const slackMessageMethods = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'chat.scheduleMessage']);
const slackViewMethods = new Set(['views.open', 'views.update', 'views.publish', 'views.push']);

/**
 * Slack's answer to a Web API call that breaks a published limit, or undefined when the call is
 * within them. `params` as the fake parsed them (JSON fields decoded; a `blocks` or `view` still a
 * string did not parse). State-dependent refusals (channels, triggers, threads) are the fake's.
 */
export function slackRefusal(method: string, params: Record<string, any>): Record<string, unknown> | undefined {
  if (slackMessageMethods.has(method)) {
    const { blocks, text, attachments } = params;
    if (blocks !== undefined && !Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks_format' };
    if ((text === undefined || text === '') && (blocks === undefined || blocks.length === 0) && attachments === undefined) return { ok: false, error: 'no_text' };
    if (typeof text === 'string' && text.length > slackMessageTextMax) return { ok: false, error: 'msg_too_long' };
    if (blocks !== undefined) {
      const errors = messageBlockErrors(blocks);
      if (errors.length > 0) return { ok: false, error: 'invalid_blocks', errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
    }
    return undefined;
  }
  if (slackViewMethods.has(method)) {
    if (typeof params.view === 'string') return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] must provide an object [json-pointer:/view]'] } };
    const errors = viewErrors(params.view);
    if (errors.length > 0) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] failed to match all allowed schemas [json-pointer:/view]', ...errors.map((e) => `[ERROR] ${e}`)] } };
    return undefined;
  }
  if (method === 'conversations.members' || method === 'conversations.history' || method === 'conversations.replies' || method === 'conversations.list') {
    // "To begin pagination, specify a `limit` value under `1000`" (conversations.members).
    if (params.limit !== undefined) {
      const limit = Number(params.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit >= 1000) return { ok: false, error: 'invalid_limit' };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Telegram

/** Bot API limits (core.telegram.org/bots/api), in UTF-16 code units as Telegram counts them, bytes, or seconds. */
export const telegramLimits = {
  /** sendMessage / editMessageText `text`: 1–4096 characters after entities parsing. */
  textMax: 4096,
  /** `caption`: 0–1024 characters after entities parsing. */
  captionMax: 1024,
  /** InlineKeyboardButton `callback_data`: 1–64 bytes. */
  callbackDataBytesMax: 64,
  /** answerCallbackQuery `text`: 0–200 characters. */
  callbackAnswerMax: 200,
  /** ForceReply / ReplyKeyboardMarkup `input_field_placeholder`: 1–64 characters. */
  placeholderMax: 64,
  /** Photos a bot uploads: at most 10 MB ("sendPhoto … The photo must be at most 10 MB in size"). */
  photoBytesMax: 10 * 1024 * 1024,
  /** Other files a bot uploads: at most 50 MB ("Sending files"). */
  uploadBytesMax: 50 * 1024 * 1024,
  /** Files a bot downloads with getFile: at most 20 MB. */
  downloadBytesMax: 20 * 1024 * 1024,
} as const;

const bad = (description: string, status = 400): Refusal => ({ status, body: { ok: false, error_code: status, description } });

function markupRefusal(markup: unknown): Refusal | undefined {
  if (markup === undefined) return undefined;
  if (!isObject(markup)) return bad("Bad Request: can't parse reply keyboard markup JSON object");
  if (markup.inline_keyboard !== undefined) {
    if (!Array.isArray(markup.inline_keyboard)) return bad('Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
    for (const row of markup.inline_keyboard as unknown[]) {
      if (!Array.isArray(row)) return bad('Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
      for (const button of row as unknown[]) {
        if (!isObject(button) || typeof button.text !== 'string') return bad("Bad Request: can't parse inline keyboard button: Field \"text\" must be of type String");
        if (button.callback_data !== undefined) {
          const bytes = Buffer.byteLength(String(button.callback_data), 'utf8');
          if (bytes < 1 || bytes > telegramLimits.callbackDataBytesMax) return bad('Bad Request: BUTTON_DATA_INVALID');
        }
      }
    }
  }
  if (markup.input_field_placeholder !== undefined) {
    const length = String(markup.input_field_placeholder).length;
    // The wording of this refusal is not in the references we hold: the limit is (1–64, Bot API).
    if (length < 1 || length > telegramLimits.placeholderMax) return bad('Bad Request: input field placeholder must be 1-64 characters long');
  }
  return undefined;
}

/** Telegram counts text in UTF-16 code units, as JavaScript's `length` does. */
const textLength = (text: string) => text.length;

/**
 * Telegram's answer to a Bot API call that breaks a published limit, or undefined when it is within
 * them. `uploads`: the multipart file parts by field name. State-dependent refusals ("message is not
 * modified", a file's size at getFile) are the fake's.
 */
export function telegramRefusal(method: string, params: Record<string, any>, uploads: Record<string, Buffer> = {}): Refusal | undefined {
  for (const [field, bytes] of Object.entries(uploads)) {
    if (bytes.length > telegramLimits.uploadBytesMax) return bad('Request Entity Too Large', 413);
    // Over 10 MB Telegram refuses a photo as it refuses a photo it cannot save (MTProto PHOTO_SAVE_FILE_INVALID).
    if (field === 'photo' && bytes.length > telegramLimits.photoBytesMax) return bad('Bad Request: PHOTO_SAVE_FILE_INVALID');
  }
  switch (method) {
    case 'sendMessage':
    case 'editMessageText': {
      const text = typeof params.text === 'string' ? params.text : '';
      if (text.trim() === '') return bad('Bad Request: message text is empty');
      if (textLength(text) > telegramLimits.textMax) return bad('Bad Request: message is too long');
      return markupRefusal(params.reply_markup);
    }
    case 'sendPhoto':
    case 'sendDocument':
    case 'sendVideo':
    case 'sendAudio':
    case 'sendVoice':
    case 'sendAnimation':
    case 'editMessageCaption':
      if (typeof params.caption === 'string' && textLength(params.caption) > telegramLimits.captionMax) return bad('Bad Request: message caption is too long');
      return markupRefusal(params.reply_markup);
    case 'editMessageReplyMarkup':
      return markupRefusal(params.reply_markup);
    case 'answerCallbackQuery':
      if (typeof params.text === 'string' && textLength(params.text) > telegramLimits.callbackAnswerMax) return bad('Bad Request: MESSAGE_TOO_LONG');
      return undefined;
    case 'setWebhook':
      return webhookRefusal(params);
    default:
      return undefined;
  }
}

function webhookRefusal(params: Record<string, any>): Refusal | undefined {
  const raw = String(params.url ?? '');
  // An empty url removes the webhook (setWebhook docs).
  if (raw !== '') {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return bad("Bad Request: can't parse URL");
    }
    if (url.protocol !== 'https:') return bad('Bad Request: bad webhook: HTTPS url must be provided for webhook');
    if (!['', '443', '80', '88', '8443'].includes(url.port)) return bad('Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
  }
  if (params.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(params.secret_token))) return bad('Bad Request: secret token contains unallowed characters');
  return undefined;
}
