import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';
import { createTelegramBot } from '../../../bots/telegram/telegram-bot.js';
import type { CaseService } from '../../../src/cases/case-service.js';
import type { RatingService } from '../../../src/cases/rating-service.js';
import type { Logger } from '../../../src/ports.js';

/**
 * The bot as grammY tests a bot: real Bot API Update JSON fed to `handleUpdate`, the domain as a
 * recording stub, and every Bot API call recorded by a stub `callApi` (Telegraf builds a new
 * Telegram client per update, so the stub sits on its prototype): no network.
 */

interface ApiCall {
  readonly method: string;
  readonly payload: Record<string, unknown>;
}
type DomainCall = [method: string, ...args: unknown[]];
interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

let api: ApiCall[];
let apiFails: Error | undefined;
beforeEach(() => {
  api = [];
  apiFails = undefined;
  vi.spyOn(Telegram.prototype, 'callApi').mockImplementation(async (method: string, payload: unknown) => {
    api.push({ method, payload: payload as Record<string, unknown> });
    if (apiFails !== undefined) throw apiFails;
    return true as never;
  });
});
afterEach(() => vi.restoreAllMocks());

const done = { outcome: 'done', caseId: 12 };

/**
 * `durable`: what a service call waits for before it resolves (its unit of work's commit); by
 * default it resolves at once. `fail`: the call throws.
 */
function setup(options: { durable?: () => Promise<void>; fail?: Error } = {}) {
  const calls: DomainCall[] = [];
  const record =
    (method: string, result: unknown = done) =>
    async (...args: unknown[]) => {
      calls.push([method, ...args]);
      if (options.fail !== undefined) throw options.fail;
      await options.durable?.();
      return result;
    };
  const cases = {
    receiveClientMessage: record('receiveClientMessage'),
    receiveClientEdit: record('receiveClientEdit'),
    receiveClientCommand: record('receiveClientCommand'),
    receiveNonPrivateMessage: record('receiveNonPrivateMessage', { outcome: 'done' }),
    setClientLanguage: record('setClientLanguage', { outcome: 'done' }),
  } as unknown as CaseService;
  const ratings = {
    rate: record('rate', { reply: 'thanks', language: 'en', caseId: 12 }),
  } as unknown as RatingService;
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const telegram = createTelegramBot({ token: '42:TEST-token', apiRoot: 'http://127.0.0.1:9', cases, ratings, log });
  // What getMe answers; with it set, handleUpdate calls no getMe.
  telegram.bot.botInfo = { id: 42, is_bot: true, first_name: 'Repka', username: 'repka_bot', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false } as never;
  const feed = (update: unknown) => telegram.handleUpdate(update as Update);
  return { telegram, feed, calls, lines };
}

const olena = { id: 7001, is_bot: false, first_name: 'Olena', last_name: 'Koval', username: 'olena_k', language_code: 'uk' };
const privateChat = { id: 7001, first_name: 'Olena', last_name: 'Koval', username: 'olena_k', type: 'private' };
const profile = { chatId: 7001, userId: 7001, firstName: 'Olena', lastName: 'Koval', username: 'olena_k', languageCode: 'uk' };
const group = { id: -1001987654321, title: 'Acme buyers', type: 'supergroup' };
const repkaBot = { id: 42, is_bot: true, first_name: 'Repka', username: 'repka_bot' };

const message = (update_id: number, fields: Record<string, unknown>, chat: Record<string, unknown> = privateChat) => ({ update_id, message: { message_id: 301, from: olena, chat, date: 1764654000, ...fields } });

/** The rating question Repka sent, as a callback_query carries it. */
const ratingPrompt = {
  message_id: 58,
  from: repkaBot,
  chat: privateChat,
  date: 1764650000,
  text: 'Case #12 is closed. How did we do?',
  reply_markup: { inline_keyboard: [[1, 2, 3, 4, 5].map((s) => ({ text: '★'.repeat(s), callback_data: `rate:12:${s}` }))] },
};
const press = (update_id: number, data: string) => ({ update_id, callback_query: { id: '3175049384726394721', from: olena, message: ratingPrompt, chat_instance: '-4839238410227392011', data } });

describe('a private message', () => {
  it('reaches the case service keyed by update_id, from the client who wrote it, and calls no Bot API', async () => {
    const t = setup();
    await t.feed(message(815000101, { text: 'The discount & the total are wrong' }));
    expect(t.calls.map((c) => c.slice(0, 4))).toEqual([['receiveClientMessage', 'tg:815000101', profile, { type: 'text', text: 'The discount & the total are wrong' }]]);
    // With the message's id, which a later edit of it names.
    expect(t.calls[0]?.[4]).toBe(301);
    expect(api).toEqual([]);
  });

  it('passes the largest size of a photo and a document with its name and type', async () => {
    const t = setup();
    const photo = [
      { file_id: 'AgACAgIAAxkBAAIBPmc-s', file_unique_id: 'AQADs', file_size: 1315, width: 90, height: 67 },
      { file_id: 'AgACAgIAAxkBAAIBPmc-m', file_unique_id: 'AQADm', file_size: 19021, width: 320, height: 240 },
      { file_id: 'AgACAgIAAxkBAAIBPmc-x', file_unique_id: 'AQADx', file_size: 97812, width: 1280, height: 960 },
    ];
    await t.feed(message(815000102, { photo, caption: 'the receipt' }));
    await t.feed(message(815000103, { document: { file_name: 'invoice 12.pdf', mime_type: 'application/pdf', file_id: 'BQACAgIAAxkBAAIBP2c', file_unique_id: 'AgADB', file_size: 48213 } }));
    expect(t.calls.filter((c) => c[0] === 'receiveClientMessage').map((c) => c[3])).toEqual([
      { type: 'photo', file: { fileId: 'AgACAgIAAxkBAAIBPmc-x', fileName: 'photo-301.jpg', mimeType: 'image/jpeg', sizeBytes: 97812 }, caption: 'the receipt' },
      { type: 'document', file: { fileId: 'BQACAgIAAxkBAAIBP2c', fileName: 'invoice 12.pdf', mimeType: 'application/pdf', sizeBytes: 48213 }, caption: undefined, durationSec: undefined },
    ]);
    expect(api).toEqual([]);
  });

  it('maps every other kind of message to something, never dropping one', async () => {
    const t = setup();
    const kinds = [
      { voice: { duration: 4, mime_type: 'audio/ogg', file_id: 'AwACAgIAAxkBAAIBQGc', file_unique_id: 'AgADQ', file_size: 10531 } },
      { sticker: { width: 512, height: 512, emoji: '👍', set_name: 'HotCherry', is_animated: true, is_video: false, type: 'regular', file_id: 'CAACAgIAAxkBAAIBQWc', file_unique_id: 'AgADR', file_size: 21478 } },
      { location: { latitude: 55.751244, longitude: 37.618423 } },
      { contact: { phone_number: '+79001234567', first_name: 'Olena', user_id: 7001 } },
      { poll: { id: '5359823474392', question: 'Which plan?', options: [{ text: 'A', voter_count: 0 }, { text: 'B', voter_count: 0 }], total_voter_count: 0, is_closed: false, is_anonymous: true, type: 'regular', allows_multiple_answers: false } },
    ];
    for (const [index, fields] of kinds.entries()) await t.feed(message(815000170 + index, fields));
    expect(t.calls.map((c) => (c[3] as { type: string }).type)).toEqual(['voice', 'sticker', 'location', 'contact', 'other']);
    expect(t.calls.map((c) => c[0])).toEqual(Array(kinds.length).fill('receiveClientMessage'));
  });

  it('that answers a message reaches the case service with the id of the message it answers (a rating comment is decided there)', async () => {
    const t = setup();
    await t.feed(message(815000104, { text: 'the agent was quick', reply_to_message: ratingPrompt }));
    expect(t.calls).toEqual([['receiveClientMessage', 'tg:815000104', profile, { type: 'text', text: 'the agent was quick' }, 301, 58]]);
  });

  it('an edit is not a new message: it reaches the case service as an edit of the message it names', async () => {
    const t = setup();
    await t.feed({ update_id: 815000105, edited_message: { message_id: 301, from: olena, chat: privateChat, date: 1764654000, edit_date: 1764654060, text: 'The discount is wrong' } });
    expect(t.calls).toEqual([['receiveClientEdit', 'tg:815000105', profile, 301, { type: 'text', text: 'The discount is wrong' }]]);
    expect(api).toEqual([]);
  });
});

describe('commands', () => {
  it('known commands, with their bot_command entity and with @botname, reach the case service as commands', async () => {
    const t = setup();
    await t.feed(message(815000111, { text: '/start', entities: [{ offset: 0, length: 6, type: 'bot_command' }] }));
    await t.feed(message(815000112, { text: '/status@repka_bot', entities: [{ offset: 0, length: 17, type: 'bot_command' }] }));
    await t.feed(message(815000113, { text: '/NEW printer jams', entities: [{ offset: 0, length: 4, type: 'bot_command' }] }));
    expect(t.calls).toEqual([
      ['receiveClientCommand', 'tg:815000111', profile, 'start'],
      ['receiveClientCommand', 'tg:815000112', profile, 'status'],
      ['receiveClientCommand', 'tg:815000113', profile, 'new'],
    ]);
  });

  it('an unknown command is what the client wrote', async () => {
    const t = setup();
    await t.feed(message(815000114, { text: '/refund 40', entities: [{ offset: 0, length: 7, type: 'bot_command' }] }));
    expect(t.calls.map((c) => c.slice(0, 4))).toEqual([['receiveClientMessage', 'tg:815000114', profile, { type: 'text', text: '/refund 40' }]]);
  });
});

describe('buttons', () => {
  it('a rating button is rated and answered with the rating reply in the client language', async () => {
    const t = setup();
    await t.feed(press(815000121, 'rate:12:4'));
    expect(t.calls).toEqual([['rate', 'tg:815000121', { chatId: 7001, data: 'rate:12:4', messageId: 58, languageCode: 'uk' }]]);
    expect(api).toHaveLength(1);
    expect(api[0]?.method).toBe('answerCallbackQuery');
    expect(api[0]?.payload).toMatchObject({ callback_query_id: '3175049384726394721', text: expect.any(String) });
    expect((api[0]?.payload.text as string).length).toBeGreaterThan(0);
  });

  it('a language button sets the language, and the button is answered without a text', async () => {
    const t = setup();
    await t.feed(press(815000122, 'lang:en'));
    expect(t.calls).toEqual([['setClientLanguage', 'tg:815000122', profile, 'en']]);
    expect(api).toEqual([{ method: 'answerCallbackQuery', payload: { callback_query_id: '3175049384726394721' } }]);
  });

  it('a button of no known kind changes nothing, but is still answered so the client sees no spinner', async () => {
    const t = setup();
    await t.feed(press(815000123, 'lang:xx'));
    await t.feed(press(815000124, 'something-old'));
    expect(t.calls).toEqual([]);
    expect(api.map((c) => c.method)).toEqual(['answerCallbackQuery', 'answerCallbackQuery']);
  });

  it('an answerCallbackQuery Telegram refuses is logged, and the update still counts as handled', async () => {
    const t = setup();
    apiFails = new Error('400: Bad Request: query is too old and response timeout expired or query ID is invalid');
    await expect(t.feed(press(815000125, 'rate:12:5'))).resolves.toBeUndefined();
    expect(t.lines.filter((l) => l.level === 'warn')).toEqual([{ level: 'warn', message: 'answerCallbackQuery failed', fields: { error: apiFails.message } }]);
  });
});

describe('groups and membership', () => {
  it('a message in a group gets the once-per-chat note, keyed by the chat, and opens no case', async () => {
    const t = setup();
    await t.feed(message(815000131, { text: 'hello @repka_bot' }, group));
    expect(t.calls).toEqual([['receiveNonPrivateMessage', `tg-chat:${group.id}`, group.id]]);
  });

  it('being added to a group gets the same note; being removed, or blocked in a private chat, gets nothing', async () => {
    const t = setup();
    const member = (update_id: number, chat: Record<string, unknown>, from: string, to: string) => ({
      update_id,
      my_chat_member: { chat, from: olena, date: 1764654000, old_chat_member: { user: repkaBot, status: from }, new_chat_member: { user: repkaBot, status: to } },
    });
    await t.feed(member(815000132, group, 'left', 'member'));
    await t.feed(member(815000133, group, 'member', 'left'));
    await t.feed(member(815000134, privateChat, 'member', 'kicked'));
    expect(t.calls).toEqual([['receiveNonPrivateMessage', `tg-chat:${group.id}`, group.id]]);
    expect(api).toEqual([]);
  });
});

describe('failures', () => {
  it('a domain error is logged by bot.catch and fails the update (webhook 500, Telegram delivers it again)', async () => {
    const t = setup({ fail: new Error('SQLITE_FULL: database or disk is full') });
    await expect(t.feed(message(815000141, { text: 'hello' }))).rejects.toThrow('update 815000141 was not stored');
    expect(t.lines.filter((l) => l.level === 'error')).toEqual([{ level: 'error', message: 'telegram update failed', fields: { updateId: 815000141, error: 'SQLITE_FULL: database or disk is full' } }]);
  });
});

describe('an update counts as handled only once durable', () => {
  it('waits for the service call (which resolves once its commit is durable) before the update counts as handled', async () => {
    let commit: () => void = () => undefined;
    const t = setup({ durable: () => new Promise<void>((resolve) => (commit = resolve)) });
    let handled = false;
    const handling = t.feed(message(815000151, { text: 'the discount was wrong' })).then(() => (handled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.calls).toHaveLength(1);
    expect(handled).toBe(false);
    commit();
    await handling;
    expect(handled).toBe(true);
  });

  it('fails the update when the commit fails', async () => {
    const t = setup({ durable: () => Promise.reject(new Error('not stored: disk I/O error')) });
    await expect(t.feed(message(815000152, { text: 'hello' }))).rejects.toThrow(/not stored/);
  });
});
