import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { CallLog, close, listen, parseBody, postRaw, readBody, type RecordedCall } from './http-fake.js';
import { telegramLimits, telegramRefusal } from './platform-validator.js';

export type TelegramCall = RecordedCall;

/** An injected failure for the next calls of a method. */
export interface FaultSpec {
  /** HTTP status and error_code; default 500. */
  readonly status?: number;
  readonly description?: string;
  /** Seconds: answers 429 with parameters.retry_after. */
  readonly retryAfter?: number;
  /** Answer only after this long, ms. */
  readonly delayMs?: number;
  /** Drop the connection without answering. */
  readonly destroy?: boolean;
}

export interface TgUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/** A call Telegram refused because it broke a published limit or a rule of the Bot API (see `FakeTelegram.violations`). */
export interface Violation {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly status: number;
  readonly description: string;
  readonly at: number;
}

type Chat = { id: number; type: 'private' | 'group' | 'supergroup' | 'channel'; title?: string };
export type Update = Record<string, any> & { update_id: number };

interface SentMessage {
  message_id: number;
  text?: string;
  caption?: string;
  reply_markup?: any;
  parse_mode?: string;
  /** sendPhoto / sendDocument: the uploaded bytes and the multipart field they came in. */
  file?: { readonly field: 'photo' | 'document'; readonly bytes: Buffer };
}

/** The multipart field a send method takes its file in. */
const field = (method: string): 'photo' | 'document' => (method === 'sendPhoto' ? 'photo' : 'document');

const jsonFields = new Set(['reply_markup', 'reply_parameters', 'link_preview_options', 'allowed_updates', 'entities']);

/**
 * A fake Telegram Bot API on 127.0.0.1: answers what Repka calls as the Bot API documents, records
 * every call, serves files and long polling, and injects faults, rate limits and blocked chats.
 */
export class FakeTelegram {
  readonly faults: TelegramCall[] = [];
  readonly blockedChats = new Set<number>();
  /**
   * The webhook setWebhook registered. A test sets `last_error_message` (and `last_error_date`,
   * Unix seconds) to stand for Telegram failing to deliver to it; getWebhookInfo reports them.
   */
  readonly webhook: { url?: string; secret_token?: string; last_error_message?: string; last_error_date?: number } = {};
  /** Every call refused for breaking a published limit or a Bot API rule; a test fails on any unless it expects refusals. */
  readonly violations: Violation[] = [];
  /** Calls refused for their token (401 Unauthorized, 404 for a malformed one): not in `calls`, which holds the bot's own. */
  readonly unauthorized: { method: string; status: 401 | 404; at: number }[] = [];
  private refusalsExpected = false;
  rateLimited = 0;
  private readonly log = new CallLog<TelegramCall>();
  private readonly files = new Map<string, { bytes: Buffer; path: string; size: number }>();
  private readonly sent = new Map<number, SentMessage[]>();
  private readonly pendingFaults = new Map<string, { times: number; fault: FaultSpec }>();
  private readonly recent = new Map<number, number[]>();
  private readonly updates: Update[] = [];
  private readonly pollers = new Set<() => void>();
  private perChatPerSecond: number | undefined;
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly apiRoot: string,
    private readonly token: string,
    private readonly bot: { id: number; username: string },
  ) {}

  static async start(opts: { token: string; botId?: number; botUsername?: string; port?: number }): Promise<FakeTelegram> {
    const ref: { fake?: FakeTelegram } = {};
    const { server, base } = await listen((req, res) => (ref.fake as FakeTelegram).handle(req, res), opts.port);
    const fake = new FakeTelegram(server, base, opts.token, { id: opts.botId ?? 777000111, username: opts.botUsername ?? 'repka_test_bot' });
    ref.fake = fake;
    return fake;
  }

  get calls(): TelegramCall[] {
    return this.log.calls;
  }

  callsTo(method: string): TelegramCall[] {
    return this.log.calls.filter((c) => c.method === method);
  }

  waitFor(method: string, predicate?: (c: TelegramCall) => boolean, timeoutMs?: number): Promise<TelegramCall> {
    return this.log.waitFor(method, predicate, timeoutMs);
  }

  waitForCount(method: string, n: number, predicate?: (c: TelegramCall) => boolean, timeoutMs?: number): Promise<TelegramCall[]> {
    return this.log.waitForCount(method, n, predicate, timeoutMs);
  }

  failNext(method: string, times: number, fault: FaultSpec): void {
    this.pendingFaults.set(method, { times, fault });
  }

  /** More than `perChatPerSecond` sends to one chat in a rolling second get 429 retry_after 1. */
  setRateLimit(perChatPerSecond: number): void {
    this.perChatPerSecond = perChatPerSecond;
  }

  /** A file a client sent, for getFile and download. `size`: what Telegram reports (default: the bytes' length), so a test can stand for a big file without holding it. */
  addFile(fileId: string, bytes: Buffer, filePath = `documents/${fileId}`, size = bytes.length): void {
    this.files.set(fileId, { bytes, path: filePath, size });
  }

  /** The test means to send oversized or forbidden things: refusals are answered as Telegram does, but not held against it. */
  expectRefusals(expected = true): void {
    this.refusalsExpected = expected;
  }

  /** Throws listing every violation unless the test declared it expects refusals. */
  assertNoViolations(): void {
    if (this.refusalsExpected || this.violations.length === 0) return;
    const lines = this.violations.slice(0, 10).map((v) => `${v.method} → ${v.status} ${v.description}; sent ${JSON.stringify(v.params).slice(0, 300)}`);
    throw new Error(`fake Telegram refused ${this.violations.length} call(s) as Telegram would (call telegram.expectRefusals() if the test means it):\n${lines.join('\n')}`);
  }

  /** Queues an update for getUpdates (long polling). */
  pushUpdate(update: Update): void {
    this.updates.push(update);
    for (const wake of [...this.pollers]) wake();
  }

  sentTo(chatId: number): SentMessage[] {
    return this.sent.get(chatId) ?? [];
  }

  reset(): void {
    this.log.calls.length = 0;
    this.faults.length = 0;
    this.pendingFaults.clear();
    this.sent.clear();
    this.recent.clear();
    this.rateLimited = 0;
    this.perChatPerSecond = undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.pollers]) wake();
    await close(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.apiRoot);
    const body = await readBody(req);
    const fileRoute = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileRoute !== null) {
      const file = [...this.files.values()].find((f) => f.path === decodeURIComponent(fileRoute[2] ?? ''));
      if (fileRoute[1] !== this.token || file === undefined) return this.send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(file.bytes);
      return;
    }
    const route = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (route === null) return this.send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    // Telegram answers 404 for a path whose token is not even shaped like one, 401 for a well-formed token it does not know.
    if (!/^\d+:[A-Za-z0-9_-]+$/.test(route[1] as string)) {
      this.unauthorized.push({ method: route[2] as string, status: 404, at: Date.now() });
      return this.send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    }
    if (route[1] !== this.token) {
      this.unauthorized.push({ method: route[2] as string, status: 401, at: Date.now() });
      return this.send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    const method = route[2] as string;
    const params: Record<string, any> = {};
    const uploads: Record<string, Buffer> = {};
    for (const [key, value] of Object.entries({ ...Object.fromEntries(url.searchParams), ...parseBody(body, req.headers['content-type']) })) {
      if (Buffer.isBuffer(value)) uploads[key] = value;
      params[key] = typeof value === 'string' && jsonFields.has(key) && /^[[{]/.test(value) ? JSON.parse(value) : value;
    }
    if (typeof params.chat_id === 'string' && /^-?\d+$/.test(params.chat_id)) params.chat_id = Number(params.chat_id);
    const call: TelegramCall = { method, params, at: Date.now() };

    const fault = this.takeFault(method);
    if (fault !== undefined) {
      this.faults.push(call);
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.destroy) return void req.socket.destroy();
      if (fault.retryAfter !== undefined) {
        return this.send(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${fault.retryAfter}`, parameters: { retry_after: fault.retryAfter } });
      }
      const status = fault.status ?? 500;
      return this.send(res, status, { ok: false, error_code: status, description: fault.description ?? 'Internal Server Error' });
    }
    if (method.startsWith('send') && this.overLimit(Number(params.chat_id))) {
      this.rateLimited += 1;
      this.faults.push(call);
      return this.send(res, 429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    }
    if (method === 'getUpdates') return this.poll(call, res);
    const refused = telegramRefusal(method, params, uploads);
    const [status, answer] = refused !== undefined ? [refused.status, refused.body] : this.answer(method, params);
    if (refused !== undefined || (status === 400 && /not modified/.test(String(answer.description)))) {
      // Uploaded bytes are kept as their size: a 50 MB Buffer would make the report unreadable and slow.
      const shown = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Buffer.isBuffer(v) ? `<${v.length} bytes>` : v]));
      this.violations.push({ method, params: shown, status, description: String(answer.description), at: Date.now() });
    }
    this.log.push(call);
    this.send(res, status, answer);
  }

  private async poll(call: TelegramCall, res: ServerResponse): Promise<void> {
    if (this.webhook.url) {
      this.log.push(call);
      return this.send(res, 409, { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" });
    }
    const offset = Number(call.params.offset ?? 0);
    // Telegram forgets updates below the offset: they were confirmed.
    while (this.updates.length > 0 && (this.updates[0]?.update_id ?? 0) < offset) this.updates.shift();
    this.log.push(call);
    const timeoutMs = Math.min(Number(call.params.timeout ?? 0), 50) * 1000;
    if (this.updates.length === 0 && timeoutMs > 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.pollers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, timeoutMs);
        this.pollers.add(wake);
      });
    }
    const limit = Number(call.params.limit ?? 100);
    this.send(res, 200, { ok: true, result: this.closed ? [] : this.updates.slice(0, limit) });
  }

  private takeFault(method: string): FaultSpec | undefined {
    for (const key of [method, '*']) {
      const pending = this.pendingFaults.get(key);
      if (pending !== undefined && pending.times > 0) {
        pending.times -= 1;
        if (pending.times === 0) this.pendingFaults.delete(key);
        return pending.fault;
      }
    }
    return undefined;
  }

  private overLimit(chatId: number): boolean {
    if (this.perChatPerSecond === undefined) return false;
    const now = Date.now();
    const times = (this.recent.get(chatId) ?? []).filter((t) => now - t < 1000);
    const over = times.length >= this.perChatPerSecond;
    if (!over) times.push(now);
    this.recent.set(chatId, times);
    return over;
  }

  private answer(method: string, p: Record<string, any>): [number, Record<string, unknown>] {
    const ok = (result: unknown): [number, Record<string, unknown>] => [200, { ok: true, result }];
    const bad = (description: string, code = 400): [number, Record<string, unknown>] => [code, { ok: false, error_code: code, description }];
    const me = { id: this.bot.id, is_bot: true, first_name: 'Repka', username: this.bot.username, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
    const store = (chatId: number, message: Omit<SentMessage, 'message_id'>) => {
      const list = this.sent.get(chatId) ?? [];
      const stored = { message_id: list.length + 1, ...message };
      list.push(stored);
      this.sent.set(chatId, list);
      return { ...stored, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: chatId > 0 ? 'private' : 'supergroup' }, from: me };
    };
    switch (method) {
      case 'getMe':
        return ok(me);
      case 'setWebhook':
        this.webhook.url = p.url;
        this.webhook.secret_token = p.secret_token;
        return ok(true);
      case 'deleteWebhook':
        delete this.webhook.url;
        delete this.webhook.secret_token;
        return ok(true);
      case 'getWebhookInfo':
        return ok({
          url: this.webhook.url ?? '',
          has_custom_certificate: false,
          pending_update_count: this.updates.length,
          ...(this.webhook.last_error_message === undefined ? {} : { last_error_message: this.webhook.last_error_message, last_error_date: this.webhook.last_error_date ?? Math.floor(Date.now() / 1000) }),
        });
      case 'sendMessage': {
        const text = String(p.text);
        if (this.blockedChats.has(p.chat_id)) return bad('Forbidden: bot was blocked by the user', 403);
        return ok(store(p.chat_id, { text, reply_markup: p.reply_markup, parse_mode: p.parse_mode }));
      }
      case 'sendPhoto':
      case 'sendDocument':
        if (this.blockedChats.has(p.chat_id)) return bad('Forbidden: bot was blocked by the user', 403);
        return ok(store(p.chat_id, { caption: p.caption, reply_markup: p.reply_markup, ...(Buffer.isBuffer(p[field(method)]) ? { file: { field: field(method), bytes: p[field(method)] as Buffer } } : {}) }));
      case 'editMessageText': {
        const message = this.sentTo(Number(p.chat_id)).find((m) => m.message_id === Number(p.message_id));
        if (message === undefined) return bad('Bad Request: message to edit not found');
        if (message.text === p.text && JSON.stringify(message.reply_markup ?? null) === JSON.stringify(p.reply_markup ?? null)) {
          return bad('Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        message.text = p.text;
        message.reply_markup = p.reply_markup;
        return ok({ ...message, chat: { id: p.chat_id, type: 'private' } });
      }
      case 'editMessageReplyMarkup': {
        const message = this.sentTo(Number(p.chat_id)).find((m) => m.message_id === Number(p.message_id));
        if (message === undefined) return bad('Bad Request: message to edit not found');
        if (JSON.stringify(message.reply_markup ?? null) === JSON.stringify(p.reply_markup ?? null)) {
          return bad('Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        message.reply_markup = p.reply_markup;
        return ok({ ...message, chat: { id: p.chat_id, type: 'private' } });
      }
      case 'answerCallbackQuery':
      case 'sendChatAction':
      case 'setMyCommands':
      case 'deleteMessage':
        return ok(true);
      case 'getFile': {
        const file = this.files.get(p.file_id);
        if (file === undefined) return bad('Bad Request: invalid file_id');
        // Bots download at most 20 MB: "Bad Request: file is too big" (tdlib/telegram-bot-api#51).
        if (file.size > telegramLimits.downloadBytesMax) return bad('Bad Request: file is too big');
        return ok({ file_id: p.file_id, file_unique_id: `u-${p.file_id}`, file_size: file.size, file_path: file.path });
      }
      default:
        return bad('Not Found', 404);
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

let updateCounter = 100_000 + Math.floor(Math.random() * 100_000);
let messageCounter = 1;

type Opts = { updateId?: number; chat?: Chat };

function message(from: TgUser, fields: Record<string, unknown>, opts: Opts = {}): Update {
  const chat = opts.chat ?? { id: from.id, type: 'private', first_name: from.first_name, last_name: from.last_name, username: from.username };
  return {
    update_id: opts.updateId ?? ++updateCounter,
    message: { message_id: messageCounter++, from: { is_bot: false, ...from }, chat, date: Math.floor(Date.now() / 1000), ...fields },
  };
}

/** A text message, as Telegram sends it. */
export function textUpdate(from: TgUser, text: string, opts?: Opts): Update {
  return message(from, { text }, opts);
}

/** A bot command such as "/start", with its bot_command entity. */
export function commandUpdate(from: TgUser, command: string, opts?: Opts): Update {
  return message(from, { text: command, entities: [{ type: 'bot_command', offset: 0, length: command.split(/\s/)[0]?.length ?? command.length }] }, opts);
}

/** A photo in three sizes, the largest with `fileId`. */
export function photoUpdate(from: TgUser, fileId: string, caption?: string, opts?: Opts): Update {
  const sizes = [
    { file_id: `${fileId}-s`, file_unique_id: `${fileId}-us`, width: 90, height: 60, file_size: 1200 },
    { file_id: `${fileId}-m`, file_unique_id: `${fileId}-um`, width: 320, height: 213, file_size: 15_000 },
    { file_id: fileId, file_unique_id: `${fileId}-u`, width: 1280, height: 853, file_size: 120_000 },
  ];
  return message(from, { photo: sizes, ...(caption ? { caption } : {}) }, opts);
}

export function documentUpdate(from: TgUser, fileId: string, fileName: string, mimeType: string, caption?: string, opts?: Opts): Update {
  return message(from, { document: { file_id: fileId, file_unique_id: `${fileId}-u`, file_name: fileName, mime_type: mimeType, file_size: 2048 }, ...(caption ? { caption } : {}) }, opts);
}

export function stickerUpdate(from: TgUser, emoji = '👍', opts?: Opts): Update {
  return message(from, { sticker: { file_id: 'sticker-1', file_unique_id: 'sticker-u1', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji, set_name: 'FakeSet' } }, opts);
}

export function voiceUpdate(from: TgUser, fileId: string, durationSec: number, opts?: Opts): Update {
  return message(from, { voice: { file_id: fileId, file_unique_id: `${fileId}-u`, duration: durationSec, mime_type: 'audio/ogg', file_size: 4096 } }, opts);
}

export function locationUpdate(from: TgUser, latitude: number, longitude: number, opts?: Opts): Update {
  return message(from, { location: { latitude, longitude } }, opts);
}

export function contactUpdate(from: TgUser, phoneNumber: string, firstName: string, opts?: Opts): Update {
  return message(from, { contact: { phone_number: phoneNumber, first_name: firstName } }, opts);
}

/** A press of an inline button with `data`. */
export function callbackQueryUpdate(from: TgUser, data: string, target?: { message_id: number; chat_id: number }, opts: Opts = {}): Update {
  return {
    update_id: opts.updateId ?? ++updateCounter,
    callback_query: {
      id: String(Date.now()) + String(updateCounter),
      from: { is_bot: false, ...from },
      chat_instance: `ci-${from.id}`,
      data,
      ...(target ? { message: { message_id: target.message_id, date: Math.floor(Date.now() / 1000), chat: { id: target.chat_id, type: 'private' }, text: '…' } } : {}),
    },
  };
}

/** POSTs an update to the app's webhook with the secret header (none when `secret` is undefined). */
export function postTelegramUpdate(appUrl: string, secret: string | undefined, update: unknown, path = '/telegram/webhook'): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== undefined) headers['x-telegram-bot-api-secret-token'] = secret;
  return postRaw(`${appUrl}${path}`, JSON.stringify(update), headers);
}
