import { describe, expect, it } from 'vitest';
import { messageBlockErrors, slackRefusal, telegramLimits, telegramRefusal, viewErrors } from './platform-validator.js';

const text = (n: number) => 'x'.repeat(n);
const plain = (t: string) => ({ type: 'plain_text', text: t });
const mrkdwn = (t: string) => ({ type: 'mrkdwn', text: t });
const section = (t: string) => ({ type: 'section', text: mrkdwn(t) });
const button = (fields: Record<string, unknown> = {}) => ({ type: 'button', text: plain('Go'), action_id: 'go', ...fields });
const actions = (...elements: unknown[]) => [{ type: 'actions', elements }];
const modal = (fields: Record<string, unknown> = {}) => ({ type: 'modal', title: plain('Title'), blocks: [section('hi')], ...fields });

/** Each limit: [what, valid at the limit, one over, Slack's error for one over]. */
const blockLimits: [string, unknown, unknown, string][] = [
  ['section text 3,000', [section(text(3000))], [section(text(3001))], 'must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
  ['section text at least 1', [section('x')], [section('')], 'must be more than 0 characters [json-pointer:/blocks/0/text/text]'],
  ['fields ≤10', [{ type: 'section', fields: Array.from({ length: 10 }, () => mrkdwn('f')) }], [{ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }], 'no more than 10 items allowed [json-pointer:/blocks/0/fields]'],
  ['field text 2,000', [{ type: 'section', fields: [mrkdwn(text(2000))] }], [{ type: 'section', fields: [mrkdwn(text(2001))] }], 'must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]'],
  ['header 150', [{ type: 'header', text: plain(text(150)) }], [{ type: 'header', text: plain(text(151)) }], 'must be less than 151 characters [json-pointer:/blocks/0/text/text]'],
  ['header plain_text only', [{ type: 'header', text: plain('h') }], [{ type: 'header', text: mrkdwn('h') }], 'must be one of: plain_text [json-pointer:/blocks/0/text/type]'],
  ['context ≤10 elements', [{ type: 'context', elements: Array.from({ length: 10 }, () => mrkdwn('c')) }], [{ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) }], 'no more than 10 items allowed [json-pointer:/blocks/0/elements]'],
  ['actions ≤25 elements', actions(...Array.from({ length: 25 }, () => button())), actions(...Array.from({ length: 26 }, () => button())), 'no more than 25 items allowed [json-pointer:/blocks/0/elements]'],
  ['button text 75', actions(button({ text: plain(text(75)) })), actions(button({ text: plain(text(76)) })), 'must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]'],
  ['action_id 255', actions(button({ action_id: text(255) })), actions(button({ action_id: text(256) })), 'must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]'],
  ['button value 2,000', actions(button({ value: text(2000) })), actions(button({ value: text(2001) })), 'must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]'],
  ['block_id 255', [{ ...section('s'), block_id: text(255) }], [{ ...section('s'), block_id: text(256) }], 'must be less than 256 characters [json-pointer:/blocks/0/block_id]'],
  ['confirm title 100', actions(button({ confirm: { title: plain(text(100)), text: plain('sure?') } })), actions(button({ confirm: { title: plain(text(101)), text: plain('sure?') } })), 'must be less than 101 characters [json-pointer:/blocks/0/elements/0/confirm/title/text]'],
  ['confirm text 300', actions(button({ confirm: { text: mrkdwn(text(300)) } })), actions(button({ confirm: { text: mrkdwn(text(301)) } })), 'must be less than 301 characters [json-pointer:/blocks/0/elements/0/confirm/text/text]'],
  ['confirm button 30', actions(button({ confirm: { text: plain('?'), confirm: plain(text(30)) } })), actions(button({ confirm: { text: plain('?'), confirm: plain(text(31)) } })), 'must be less than 31 characters [json-pointer:/blocks/0/elements/0/confirm/confirm/text]'],
  ['≤50 blocks', Array.from({ length: 50 }, () => ({ type: 'divider' })), Array.from({ length: 51 }, () => ({ type: 'divider' })), 'no more than 50 items allowed [json-pointer:/blocks]'],
  ['known block types', [{ type: 'rich_text', elements: [] }], [{ type: 'fancy' }], 'unsupported type: fancy [json-pointer:/blocks/0/type]'],
  ['section needs text or fields', [section('s')], [{ type: 'section' }], 'must define either `text` or `fields` [json-pointer:/blocks/0/type]'],
  ['no text input in an actions block', actions(button()), actions({ type: 'plain_text_input', action_id: 'x' }), 'unsupported type: plain_text_input [json-pointer:/blocks/0/elements/0/type]'],
];

describe('Block Kit limits of a message (@slack/types JSDoc)', () => {
  it.each(blockLimits)('%s: accepted at the limit, refused one over with Slack\'s message and pointer', (_what, atLimit, over, error) => {
    expect(messageBlockErrors(atLimit)).toEqual([]);
    expect(messageBlockErrors(over)).toContain(error);
  });

  it('answers invalid_blocks with Slack\'s errors list and response_metadata.messages', () => {
    expect(slackRefusal('chat.postMessage', { channel: 'C1', text: 'x', blocks: [section(text(3001))] })).toEqual({
      ok: false,
      error: 'invalid_blocks',
      errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      response_metadata: { messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] },
    });
    expect(slackRefusal('chat.update', { channel: 'C1', ts: '1.1', blocks: [{ type: 'header', text: plain(text(151)) }] })).toMatchObject({ error: 'invalid_blocks' });
    expect(slackRefusal('chat.postEphemeral', { channel: 'C1', user: 'U1', blocks: [section(text(3001))] })).toMatchObject({ error: 'invalid_blocks' });
  });

  it('message text: msg_too_long over 40,000; no_text without text or blocks; invalid_blocks_format for blocks that are not an array', () => {
    expect(slackRefusal('chat.postMessage', { channel: 'C1', text: text(40_000) })).toBeUndefined();
    expect(slackRefusal('chat.postMessage', { channel: 'C1', text: text(40_001) })).toEqual({ ok: false, error: 'msg_too_long' });
    expect(slackRefusal('chat.postMessage', { channel: 'C1' })).toEqual({ ok: false, error: 'no_text' });
    expect(slackRefusal('chat.postMessage', { channel: 'C1', text: '' })).toEqual({ ok: false, error: 'no_text' });
    expect(slackRefusal('chat.postMessage', { channel: 'C1', blocks: [section('only blocks')] })).toBeUndefined();
    expect(slackRefusal('chat.postMessage', { channel: 'C1', text: 'x', blocks: '[{"type":' })).toEqual({ ok: false, error: 'invalid_blocks_format' });
  });
});

/** View limits: [what, valid at the limit, one over, Slack's message]. */
const viewLimits: [string, unknown, unknown, string][] = [
  ['title 24', modal({ title: plain(text(24)) }), modal({ title: plain(text(25)) }), 'must be less than 25 characters [json-pointer:/view/title/text]'],
  ['submit 24', modal({ submit: plain(text(24)) }), modal({ submit: plain(text(25)) }), 'must be less than 25 characters [json-pointer:/view/submit/text]'],
  ['close 24', modal({ close: plain(text(24)) }), modal({ close: plain(text(25)) }), 'must be less than 25 characters [json-pointer:/view/close/text]'],
  ['≤100 blocks', modal({ blocks: Array.from({ length: 100 }, () => ({ type: 'divider' })) }), modal({ blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }), 'no more than 100 items allowed [json-pointer:/view/blocks]'],
  ['private_metadata 3,000', modal({ private_metadata: text(3000) }), modal({ private_metadata: text(3001) }), 'must be less than 3001 characters [json-pointer:/view/private_metadata]'],
  ['callback_id 255', modal({ callback_id: text(255) }), modal({ callback_id: text(256) }), 'must be less than 256 characters [json-pointer:/view/callback_id]'],
  ['title required', modal(), { type: 'modal', blocks: [] }, 'missing required field: title [json-pointer:/view]'],
  ['input needs submit', modal({ submit: plain('Go'), blocks: [{ type: 'input', label: plain('L'), element: { type: 'plain_text_input', action_id: 'a' } }] }), modal({ blocks: [{ type: 'input', label: plain('L'), element: { type: 'plain_text_input', action_id: 'a' } }] }), 'must define `submit` to use an `input` block in modals [json-pointer:/view/blocks/0/input]'],
  ['input label 2,000', modal({ submit: plain('Go'), blocks: [{ type: 'input', label: plain(text(2000)), element: { type: 'plain_text_input', action_id: 'a' } }] }), modal({ submit: plain('Go'), blocks: [{ type: 'input', label: plain(text(2001)), element: { type: 'plain_text_input', action_id: 'a' } }] }), 'must be less than 2001 characters [json-pointer:/view/blocks/0/label/text]'],
];

const select = (options: unknown[], placeholder = 'Pick') => ({ type: 'input', label: plain('Dept'), element: { type: 'static_select', action_id: 'd', placeholder: plain(placeholder), options } });
const option = (t: string, v = 'v') => ({ text: plain(t), value: v });
const selectModal = (block: unknown) => modal({ submit: plain('Ask'), blocks: [block] });
viewLimits.push(
  ['option text 75', selectModal(select([option(text(75))])), selectModal(select([option(text(76))])), 'must be less than 76 characters [json-pointer:/view/blocks/0/element/options/0/text/text]'],
  ['option value 75', selectModal(select([option('o', text(75))])), selectModal(select([option('o', text(76))])), 'must be less than 76 characters [json-pointer:/view/blocks/0/element/options/0/value]'],
  ['≤100 options', selectModal(select(Array.from({ length: 100 }, (_, i) => option(`o${i}`)))), selectModal(select(Array.from({ length: 101 }, (_, i) => option(`o${i}`)))), 'no more than 100 items allowed [json-pointer:/view/blocks/0/element/options]'],
  ['select placeholder 150', selectModal(select([option('o')], text(150))), selectModal(select([option('o')], text(151))), 'must be less than 151 characters [json-pointer:/view/blocks/0/element/placeholder/text]'],
);

describe('Block Kit limits of a view (views.d.ts)', () => {
  it.each(viewLimits)('%s: accepted at the limit, refused one over', (_what, atLimit, over, error) => {
    expect(viewErrors(atLimit)).toEqual([]);
    expect(viewErrors(over)).toContain(error);
  });

  it('answers invalid_arguments with response_metadata.messages led by "failed to match all allowed schemas"', () => {
    for (const method of ['views.open', 'views.update', 'views.publish', 'views.push']) {
      expect(slackRefusal(method, { view: modal({ title: plain(text(25)) }) })).toEqual({
        ok: false,
        error: 'invalid_arguments',
        response_metadata: { messages: ['[ERROR] failed to match all allowed schemas [json-pointer:/view]', '[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'] },
      });
    }
    expect(slackRefusal('views.publish', { user_id: 'U1', view: { type: 'home', blocks: [section('home')] } })).toBeUndefined();
  });
});

describe('conversations.* limit (conversations.members: "a limit value under 1000")', () => {
  it('accepts 999, refuses 1000 with invalid_limit', () => {
    expect(slackRefusal('conversations.members', { channel: 'C1', limit: '999' })).toBeUndefined();
    expect(slackRefusal('conversations.members', { channel: 'C1', limit: '1000' })).toEqual({ ok: false, error: 'invalid_limit' });
    expect(slackRefusal('conversations.history', { channel: 'C1', limit: 1000 })).toEqual({ ok: false, error: 'invalid_limit' });
  });
});

const tgError = (status: number, description: string) => ({ status, body: { ok: false, error_code: status, description } });
const keyboard = (data: string) => ({ inline_keyboard: [[{ text: 'b', callback_data: data }]] });

describe('Telegram Bot API limits', () => {
  it('text 1–4096 characters (UTF-16 units) for sendMessage and editMessageText', () => {
    for (const method of ['sendMessage', 'editMessageText']) {
      expect(telegramRefusal(method, { chat_id: 1, text: text(4096) })).toBeUndefined();
      expect(telegramRefusal(method, { chat_id: 1, text: text(4097) })).toEqual(tgError(400, 'Bad Request: message is too long'));
      expect(telegramRefusal(method, { chat_id: 1, text: '' })).toEqual(tgError(400, 'Bad Request: message text is empty'));
      expect(telegramRefusal(method, { chat_id: 1, text: ' \n ' })).toEqual(tgError(400, 'Bad Request: message text is empty'));
    }
    // An emoji outside the BMP counts twice, as Telegram counts UTF-16 code units.
    expect(telegramRefusal('sendMessage', { chat_id: 1, text: '😀'.repeat(2048) })).toBeUndefined();
    expect(telegramRefusal('sendMessage', { chat_id: 1, text: `${'😀'.repeat(2048)}x` })).toEqual(tgError(400, 'Bad Request: message is too long'));
  });

  it('caption ≤1024', () => {
    expect(telegramRefusal('sendPhoto', { chat_id: 1, caption: text(1024) })).toBeUndefined();
    expect(telegramRefusal('sendDocument', { chat_id: 1, caption: text(1025) })).toEqual(tgError(400, 'Bad Request: message caption is too long'));
  });

  it('callback_data 1–64 bytes (UTF-8), BUTTON_DATA_INVALID otherwise', () => {
    expect(telegramRefusal('sendMessage', { chat_id: 1, text: 'x', reply_markup: keyboard(text(64)) })).toBeUndefined();
    expect(telegramRefusal('sendMessage', { chat_id: 1, text: 'x', reply_markup: keyboard(text(65)) })).toEqual(tgError(400, 'Bad Request: BUTTON_DATA_INVALID'));
    expect(telegramRefusal('sendMessage', { chat_id: 1, text: 'x', reply_markup: keyboard('я'.repeat(33)) })).toEqual(tgError(400, 'Bad Request: BUTTON_DATA_INVALID'));
    expect(telegramRefusal('editMessageReplyMarkup', { chat_id: 1, message_id: 1, reply_markup: keyboard('') })).toEqual(tgError(400, 'Bad Request: BUTTON_DATA_INVALID'));
  });

  it('answerCallbackQuery text ≤200, force_reply placeholder 1–64', () => {
    expect(telegramRefusal('answerCallbackQuery', { callback_query_id: '1', text: text(200) })).toBeUndefined();
    expect(telegramRefusal('answerCallbackQuery', { callback_query_id: '1', text: text(201) })?.status).toBe(400);
    expect(telegramRefusal('sendMessage', { chat_id: 1, text: 'x', reply_markup: { force_reply: true, input_field_placeholder: text(64) } })).toBeUndefined();
    expect(telegramRefusal('sendMessage', { chat_id: 1, text: 'x', reply_markup: { force_reply: true, input_field_placeholder: text(65) } })?.status).toBe(400);
    expect(telegramRefusal('sendMessage', { chat_id: 1, text: 'x', reply_markup: { force_reply: true, input_field_placeholder: '' } })?.status).toBe(400);
  });

  it('uploads: photos ≤10 MB, other files ≤50 MB (413 Request Entity Too Large)', () => {
    expect(telegramRefusal('sendPhoto', { chat_id: 1 }, { photo: Buffer.alloc(telegramLimits.photoBytesMax) })).toBeUndefined();
    expect(telegramRefusal('sendPhoto', { chat_id: 1 }, { photo: Buffer.alloc(telegramLimits.photoBytesMax + 1) })?.status).toBe(400);
    expect(telegramRefusal('sendDocument', { chat_id: 1 }, { document: Buffer.alloc(telegramLimits.uploadBytesMax) })).toBeUndefined();
    expect(telegramRefusal('sendDocument', { chat_id: 1 }, { document: Buffer.alloc(telegramLimits.uploadBytesMax + 1) })).toEqual(tgError(413, 'Request Entity Too Large'));
  });

  it('setWebhook: https on 443, 80, 88 or 8443; a secret of 1–256 of A-Za-z0-9_-', () => {
    for (const url of ['https://a.example/hook', 'https://a.example:8443/hook', 'https://a.example:88/h', 'https://a.example:80/h']) expect(telegramRefusal('setWebhook', { url })).toBeUndefined();
    expect(telegramRefusal('setWebhook', { url: 'http://a.example/hook' })).toEqual(tgError(400, 'Bad Request: bad webhook: HTTPS url must be provided for webhook'));
    expect(telegramRefusal('setWebhook', { url: 'https://a.example:3000/hook' })).toEqual(tgError(400, 'Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443'));
    expect(telegramRefusal('setWebhook', { url: 'https://a.example/h', secret_token: text(256) })).toBeUndefined();
    expect(telegramRefusal('setWebhook', { url: 'https://a.example/h', secret_token: text(257) })).toEqual(tgError(400, 'Bad Request: secret token contains unallowed characters'));
    expect(telegramRefusal('setWebhook', { url: 'https://a.example/h', secret_token: 'no spaces' })).toEqual(tgError(400, 'Bad Request: secret token contains unallowed characters'));
  });
});
