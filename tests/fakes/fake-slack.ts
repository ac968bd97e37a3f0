import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import { CallLog, close, listen, parseBody, parseMultipart, postRaw, readBody, type RecordedCall } from './http-fake.js';

export { postRaw } from './http-fake.js';

/** One Web API call as the fake received it (form fields parsed; JSON-looking fields decoded). */
export interface SlackCall extends RecordedCall {
  readonly token?: string;
}

/** An injected failure for the next calls of a method. */
export interface FaultSpec {
  /** HTTP status; default 500. */
  readonly status?: number;
  /** Body to answer; default {ok:false,error:'internal_error'} (or 'ratelimited' for 429). */
  readonly body?: Record<string, unknown>;
  /** Seconds, sent as Retry-After (with status 429). */
  readonly retryAfter?: number;
  /** Answer only after this long, ms (a slow platform / timeout). */
  readonly delayMs?: number;
  /** Drop the connection without answering. */
  readonly destroy?: boolean;
  /** Carry the call out (the post lands), then drop the connection: the answer is lost. */
  readonly landThenDrop?: boolean;
}

export interface StoredMessage {
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown;
  user?: string;
  bot_id?: string;
  metadata?: unknown;
  files?: unknown[];
  reactions: string[];
}

/** A Socket Mode acknowledgement the app sent back over the WebSocket: `{ envelope_id, payload? }`. */
export interface SocketAck extends RecordedCall<{ envelope_id: string; payload?: Record<string, unknown> }> {
  readonly method: 'ack';
}

/** Delivery details of a Socket Mode envelope; a retry carries `retryAttempt` ≥ 1. */
export interface EnvelopeOptions {
  /** Default: a fresh UUID. */
  readonly envelopeId?: string;
  readonly retryAttempt?: number;
  readonly retryReason?: string;
}

interface SlackUser {
  id: string;
  name: string;
  real_name?: string;
  display_name?: string;
  is_bot?: boolean;
  tz?: string;
}

let tsCounter = 0;
/** A fresh message ts, strictly increasing across the fake and test-authored events ("1732280000.000101"). */
export function nextTs(): string {
  tsCounter += 1;
  const base = 1_732_280_000 + Math.floor(tsCounter / 1_000_000);
  return `${base}.${String(tsCounter % 1_000_000).padStart(6, '0')}`;
}

const jsonFields = new Set(['blocks', 'attachments', 'metadata', 'files', 'view']);

/**
 * A fake Slack Web API on 127.0.0.1: answers the methods Repka uses as Slack documents them,
 * records every call, keeps channel messages, and injects faults and rate limits on demand.
 */
export class FakeSlack {
  readonly faults: SlackCall[] = [];
  readonly missingChannels = new Set<string>();
  rateLimited = 0;
  private readonly log = new CallLog<SlackCall>();
  private readonly channels = new Map<string, StoredMessage[]>();
  /** Messages by `${channel}:${ts}`, so lookups stay fast with tens of thousands of posts. */
  private readonly byTs = new Map<string, StoredMessage>();
  private readonly users = new Map<string, SlackUser>();
  private readonly uploads = new Map<string, { bytes: Buffer; filename: string; title?: string }>();
  private readonly pendingFaults = new Map<string, { times: number; fault: FaultSpec }>();
  private readonly limits = new Map<string, number>();
  private readonly recent = new Map<string, number[]>();
  private readonly reactions = new Map<string, string[]>();
  private readonly members = new Map<string, string[]>();
  private fileCounter = 0;
  private delayMs = 0;
  private readonly holding = new Set<SlackCall>();
  /** Socket Mode: started by the first apps.connections.open, on this fake's own port. */
  private sockets: WebSocketServer | undefined;
  private readonly tickets = new Set<string>();
  private readonly acks = new CallLog<SocketAck>();

  private constructor(
    private readonly server: Server,
    private readonly base: string,
    private readonly identity: { botUserId: string; botId: string; teamId: string },
    private readonly appToken: string | undefined,
  ) {}

  /**
   * `appToken`: the only app-level token apps.connections.open accepts (default: any `xapp-…`).
   */
  static async start(opts: { botUserId?: string; botId?: string; teamId?: string; port?: number; appToken?: string } = {}): Promise<FakeSlack> {
    const ref: { fake?: FakeSlack } = {};
    const { server, base } = await listen((req, res) => (ref.fake as FakeSlack).handle(req, res), opts.port);
    const fake = new FakeSlack(server, base, { botUserId: opts.botUserId ?? 'U0REPKABOT', botId: opts.botId ?? 'B0REPKABOT', teamId: opts.teamId ?? 'T0TEAM' }, opts.appToken);
    ref.fake = fake;
    return fake;
  }

  /** Web API base URL with the trailing slash WebClient needs. */
  get url(): string {
    return `${this.base}/api/`;
  }

  get calls(): SlackCall[] {
    return this.log.calls;
  }

  callsTo(method: string): SlackCall[] {
    return this.log.calls.filter((c) => c.method === method);
  }

  waitFor(method: string, predicate?: (c: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall> {
    return this.log.waitFor(method, predicate, timeoutMs);
  }

  waitForCount(method: string, n: number, predicate?: (c: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall[]> {
    return this.log.waitForCount(method, n, predicate, timeoutMs);
  }

  /** The next `times` calls of `method` ('*' for any) get `fault`. */
  failNext(method: string, times: number, fault: FaultSpec): void {
    this.pendingFaults.set(method, { times, fault });
  }

  /** At most `perSecond` calls of `method` per channel in any rolling second; more get 429 Retry-After: 1. */
  setRateLimit(method: string, perSecond: number): void {
    this.limits.set(method, perSecond);
  }

  /**
   * Answers every Web API call only after `ms` (a slow Slack; 0, the default: at once). The call
   * takes effect when it is answered, so a caller that dies meanwhile still leaves its post here.
   * Injected faults and rate limits answer without this delay.
   */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** The calls `setDelay` holds now: received, not yet in effect nor answered. */
  held(): SlackCall[] {
    return [...this.holding];
  }

  addUser(user: SlackUser): void {
    this.users.set(user.id, user);
  }

  messages(channel: string): StoredMessage[] {
    return this.channels.get(channel) ?? [];
  }

  /**
   * Keeps a message a human posted, as Slack would show it in the channel. Humans' messages reach
   * the app as events (see sendSlackEvent), not through this fake: this only completes the history.
   */
  addHumanMessage(channel: string, message: { ts: string; user: string; text: string; thread_ts?: string }): void {
    const list = this.channels.get(channel) ?? [];
    const stored: StoredMessage = { ...message, reactions: [] };
    list.push(stored);
    this.channels.set(channel, list);
    this.byTs.set(`${channel}:${message.ts}`, stored);
  }

  /** Sets who is in a channel, as conversations.members answers (default: nobody). */
  setMembers(channel: string, users: readonly string[]): void {
    this.members.set(channel, [...users]);
  }

  /**
   * A response_url for a slash command or interaction. What the app POSTs there is recorded as a
   * call of the method "response_url" with the JSON body as params and `id` added.
   */
  responseUrl(id = 'command'): string {
    return `${this.base}/response/${encodeURIComponent(id)}`;
  }

  /** Reaction names on a message, by channel and ts (any message, including humans'). */
  reactionsOn(channel: string, ts: string): string[] {
    return this.reactions.get(`${channel}:${ts}`) ?? [];
  }

  uploadedFile(fileId: string): { bytes: Buffer; filename: string; title?: string } | undefined {
    return this.uploads.get(fileId);
  }

  /** Socket Mode connections open now. */
  get openSockets(): number {
    return [...(this.sockets?.clients ?? [])].filter((s) => s.readyState === s.OPEN).length;
  }

  /** Every Socket Mode acknowledgement received, oldest first. */
  get socketAcks(): SocketAck[] {
    return this.acks.calls;
  }

  /** Resolves with the app's ack of `envelopeId`, past or future. */
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<SocketAck> {
    return this.acks.waitFor('ack', (a) => a.params.envelope_id === envelopeId, timeoutMs);
  }

  /**
   * Delivers an Events API event over Socket Mode: the same `event_callback` body Slack POSTs over
   * HTTP (see sendSlackEvent), in an `events_api` envelope. Returns the envelope and event ids.
   */
  sendSocketEvent(event: Record<string, unknown>, opts: EnvelopeOptions & { eventId?: string; teamId?: string } = {}): { envelopeId: string; eventId: string } {
    const eventId = opts.eventId ?? newEventId();
    const envelopeId = this.sendEnvelope('events_api', eventCallback(event, eventId, opts.teamId), false, opts);
    return { envelopeId, eventId };
  }

  /** Delivers an interaction payload (block_actions, view_submission…) in an `interactive` envelope; returns the envelope id. */
  sendSocketInteraction(payload: Record<string, unknown>, opts: EnvelopeOptions = {}): string {
    return this.sendEnvelope('interactive', payload, true, opts);
  }

  /** Delivers a slash command (the fields Slack POSTs over HTTP, as a JSON object) in a `slash_commands` envelope; returns the envelope id. */
  sendSocketSlashCommand(fields: Record<string, string>, opts: EnvelopeOptions = {}): string {
    return this.sendEnvelope('slash_commands', commandFields(fields), true, opts);
  }

  /** Tells every open connection to reconnect, as Slack does when it refreshes a connection. */
  disconnectSockets(reason = 'refresh_requested'): void {
    for (const socket of this.sockets?.clients ?? []) socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } }));
  }

  reset(): void {
    this.acks.calls.length = 0;
    this.log.calls.length = 0;
    this.faults.length = 0;
    this.pendingFaults.clear();
    this.limits.clear();
    this.recent.clear();
    this.channels.clear();
    this.byTs.clear();
    this.reactions.clear();
    this.rateLimited = 0;
  }

  async close(): Promise<void> {
    const sockets = this.sockets;
    if (sockets !== undefined) {
      for (const socket of sockets.clients) socket.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    }
    return close(this.server);
  }

  private sendEnvelope(type: string, payload: Record<string, unknown>, acceptsResponsePayload: boolean, opts: EnvelopeOptions): string {
    // Slack sends each envelope to one of the app's open connections: here the newest.
    const socket = [...(this.sockets?.clients ?? [])].filter((s) => s.readyState === s.OPEN).pop();
    if (socket === undefined) throw new Error('no Socket Mode connection is open');
    const envelopeId = opts.envelopeId ?? randomUUID();
    const envelope: Record<string, unknown> = { envelope_id: envelopeId, type, accepts_response_payload: acceptsResponsePayload, payload };
    if (type === 'events_api') Object.assign(envelope, { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryReason ?? '' });
    socket.send(JSON.stringify(envelope));
    return envelopeId;
  }

  /** apps.connections.open: a one-time WebSocket URL for a valid app-level token (sent in the Authorization header). */
  private openConnection(headerToken: string | undefined): Record<string, unknown> {
    if (headerToken === undefined || !headerToken.startsWith('xapp-') || (this.appToken !== undefined && headerToken !== this.appToken)) return { ok: false, error: 'invalid_auth' };
    this.sockets ??= this.startSockets();
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return { ok: true, url: `${this.base.replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=A0FAKE` };
  }

  private startSockets(): WebSocketServer {
    const sockets = new WebSocketServer({
      server: this.server,
      path: '/link/',
      // Each ticket from apps.connections.open opens one connection.
      verifyClient: ({ req }: { req: IncomingMessage }) => this.tickets.delete(new URL(req.url ?? '', this.base).searchParams.get('ticket') ?? ''),
    });
    sockets.on('connection', (socket) => {
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        let message: SocketAck['params'];
        try {
          message = JSON.parse(data.toString()) as SocketAck['params'];
        } catch {
          return; // Slack drops what it cannot parse; the missing ack shows in waitForAck.
        }
        if (typeof message.envelope_id === 'string') this.acks.push({ method: 'ack', params: message, at: Date.now() });
      });
      socket.send(
        JSON.stringify({
          type: 'hello',
          num_connections: sockets.clients.size,
          debug_info: { host: 'applink-fake', started: new Date().toISOString().replace('T', ' ').slice(0, 23), build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: 'A0FAKE' },
        }),
      );
    });
    return sockets;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const body = await readBody(req);
    if (path.startsWith('/upload/')) {
      const id = path.slice('/upload/'.length);
      const entry = this.uploads.get(id);
      if (entry === undefined) return this.send(res, 404, { ok: false, error: 'unknown_upload' });
      // WebClient sends the bytes as a multipart file part; a raw POST body is accepted too.
      const type = req.headers['content-type'] ?? '';
      const part = type.includes('multipart/form-data') ? Object.values(parseMultipart(body, type)).find((v) => Buffer.isBuffer(v)) : undefined;
      entry.bytes = Buffer.isBuffer(part) ? part : body;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`OK - ${body.length}`);
      return;
    }
    if (path.startsWith('/response/')) {
      const payload = parseBody(body, req.headers['content-type']);
      this.log.push({ method: 'response_url', params: { ...payload, id: decodeURIComponent(path.slice('/response/'.length)) }, at: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    const method = path.replace(/^\/api\//, '');
    const raw = parseBody(body, req.headers['content-type']);
    const params: Record<string, any> = {};
    for (const [key, value] of Object.entries(raw)) {
      params[key] = typeof value === 'string' && jsonFields.has(key) && /^[[{]/.test(value) ? JSON.parse(value) : value;
    }
    const auth = req.headers.authorization;
    const headerToken = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const token = headerToken ?? (typeof params.token === 'string' ? params.token : undefined);
    const call: SlackCall = { method, params, token, at: Date.now() };

    const fault = this.takeFault(method);
    if (fault?.landThenDrop) {
      this.faults.push(call);
      this.answer(method, params, headerToken);
      this.log.push(call);
      return void req.socket.destroy();
    }
    if (fault !== undefined) {
      this.faults.push(call);
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.destroy) return void req.socket.destroy();
      const status = fault.status ?? 500;
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
      return this.send(res, status, fault.body ?? { ok: false, error: status === 429 ? 'ratelimited' : 'internal_error' }, headers);
    }
    if (this.overLimit(method, String(params.channel ?? params.channel_id ?? ''))) {
      this.rateLimited += 1;
      this.faults.push(call);
      return this.send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
    }
    if (token === undefined) {
      this.log.push(call);
      return this.send(res, 200, { ok: false, error: 'not_authed' });
    }
    if (this.delayMs > 0) {
      this.holding.add(call);
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      this.holding.delete(call);
    }
    const answer = this.answer(method, params, headerToken);
    this.log.push(call);
    this.send(res, 200, answer);
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

  private overLimit(method: string, channel: string): boolean {
    const limit = this.limits.get(method);
    if (limit === undefined) return false;
    const key = `${method}:${channel}`;
    const now = Date.now();
    const times = (this.recent.get(key) ?? []).filter((t) => now - t < 1000);
    if (times.length >= limit) {
      this.recent.set(key, times);
      return true;
    }
    times.push(now);
    this.recent.set(key, times);
    return false;
  }

  private answer(method: string, p: Record<string, any>, headerToken: string | undefined): Record<string, unknown> {
    const channelOf = (id: string) => {
      let list = this.channels.get(id);
      if (list === undefined) this.channels.set(id, (list = []));
      return list;
    };
    const find = (channel: string, ts: string) => this.byTs.get(`${channel}:${ts}`) ?? this.channels.get(channel)?.find((m) => m.ts === ts);
    switch (method) {
      case 'apps.connections.open':
        return this.openConnection(headerToken);
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', team_id: this.identity.teamId, user: 'repka', user_id: this.identity.botUserId, bot_id: this.identity.botId, is_enterprise_install: false };
      case 'chat.postMessage': {
        if (!p.channel) return { ok: false, error: 'channel_not_found' };
        if (this.missingChannels.has(p.channel)) return { ok: false, error: 'channel_not_found' };
        if (!p.text && !p.blocks) return { ok: false, error: 'no_text' };
        if (typeof p.text === 'string' && p.text.length > 40_000) return { ok: false, error: 'msg_too_long' };
        if (p.thread_ts && !find(p.channel, p.thread_ts)) return { ok: false, error: 'thread_not_found' };
        const message: StoredMessage = { ts: nextTs(), thread_ts: p.thread_ts, text: p.text, blocks: p.blocks, bot_id: this.identity.botId, user: this.identity.botUserId, metadata: p.metadata, reactions: [] };
        channelOf(p.channel).push(message);
        this.byTs.set(`${p.channel}:${message.ts}`, message);
        return { ok: true, channel: p.channel, ts: message.ts, message: { ...message, type: 'message' } };
      }
      case 'chat.update': {
        const message = find(p.channel, p.ts);
        if (message === undefined) return { ok: false, error: 'message_not_found' };
        if (p.text !== undefined) message.text = p.text;
        if (p.blocks !== undefined) message.blocks = p.blocks;
        return { ok: true, channel: p.channel, ts: p.ts, text: message.text };
      }
      case 'chat.delete': {
        const list = this.channels.get(p.channel) ?? [];
        const index = list.findIndex((m) => m.ts === p.ts);
        if (index === -1) return { ok: false, error: 'message_not_found' };
        list.splice(index, 1);
        this.byTs.delete(`${p.channel}:${p.ts}`);
        return { ok: true, channel: p.channel, ts: p.ts };
      }
      case 'chat.postEphemeral':
        if (this.missingChannels.has(p.channel)) return { ok: false, error: 'channel_not_found' };
        if (!p.user) return { ok: false, error: 'user_not_in_channel' };
        return { ok: true, message_ts: nextTs() };
      case 'chat.getPermalink':
        if (!find(p.channel, p.message_ts)) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel: p.channel, permalink: `https://fake.slack.test/archives/${p.channel}/p${String(p.message_ts).replace('.', '')}` };
      case 'reactions.add': {
        // Humans' messages reach the app as events, not through this fake: reactions are kept by channel and ts.
        const key = `${p.channel}:${p.timestamp}`;
        const names = this.reactions.get(key) ?? [];
        if (names.includes(p.name)) return { ok: false, error: 'already_reacted' };
        names.push(p.name);
        this.reactions.set(key, names);
        find(p.channel, p.timestamp)?.reactions.push(p.name);
        return { ok: true };
      }
      case 'users.info': {
        const user = this.users.get(p.user);
        if (user === undefined) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { id: user.id, name: user.name, real_name: user.real_name, tz: user.tz ?? 'Europe/Moscow', is_bot: user.is_bot ?? false, profile: { display_name: user.display_name ?? '', real_name: user.real_name ?? '' } } };
      }
      case 'conversations.replies': {
        const list = this.channels.get(p.channel) ?? [];
        const parent = list.find((m) => m.ts === p.ts);
        if (parent === undefined) return { ok: false, error: 'thread_not_found' };
        return { ok: true, messages: [parent, ...list.filter((m) => m.thread_ts === p.ts && m.ts !== p.ts)], has_more: false };
      }
      case 'conversations.history': {
        const list = [...(this.channels.get(p.channel) ?? [])].filter((m) => !m.thread_ts || m.thread_ts === m.ts).reverse();
        return { ok: true, messages: list.slice(0, Number(p.limit ?? 100)), has_more: false };
      }
      case 'conversations.members':
        if (this.missingChannels.has(p.channel)) return { ok: false, error: 'channel_not_found' };
        return { ok: true, members: this.members.get(p.channel) ?? [], response_metadata: { next_cursor: '' } };
      case 'conversations.info':
        return this.missingChannels.has(p.channel) ? { ok: false, error: 'channel_not_found' } : { ok: true, channel: { id: p.channel, name: p.channel.toLowerCase() } };
      case 'views.open':
      case 'views.update':
      case 'views.publish':
        return { ok: true, view: { id: `V${randomBytes(4).toString('hex').toUpperCase()}`, ...(typeof p.view === 'object' ? p.view : {}) } };
      case 'files.getUploadURLExternal': {
        if (!p.filename || !p.length) return { ok: false, error: 'invalid_arguments' };
        const id = `F${String(++this.fileCounter).padStart(8, '0')}`;
        this.uploads.set(id, { bytes: Buffer.alloc(0), filename: String(p.filename) });
        return { ok: true, upload_url: `${this.base}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const files = (Array.isArray(p.files) ? p.files : []) as { id: string; title?: string }[];
        for (const f of files) {
          const entry = this.uploads.get(f.id);
          if (entry === undefined) return { ok: false, error: 'file_not_found' };
          entry.title = f.title;
        }
        if (p.channel_id) {
          if (this.missingChannels.has(p.channel_id)) return { ok: false, error: 'channel_not_found' };
          channelOf(p.channel_id).push({ ts: nextTs(), thread_ts: p.thread_ts, text: p.initial_comment, files, bot_id: this.identity.botId, reactions: [] });
        }
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title, name: this.uploads.get(f.id)?.filename })) };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }
}

/** The headers Slack signs a request with: v0 HMAC-SHA256 of "v0:<timestamp>:<body>". */
export function signSlackRequest(signingSecret: string, rawBody: string, timestamp = Math.floor(Date.now() / 1000)): { 'x-slack-signature': string; 'x-slack-request-timestamp': string } {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
  return { 'x-slack-signature': `v0=${signature}`, 'x-slack-request-timestamp': String(timestamp) };
}

const newEventId = () => `Ev${randomBytes(5).toString('hex').toUpperCase()}`;

/** The Events API body Slack wraps `event` in (POSTed over HTTP, or the payload of a Socket Mode envelope). */
function eventCallback(event: Record<string, unknown>, eventId: string, teamId = 'T0TEAM'): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    api_app_id: 'A0REPKA',
    event: { event_ts: event.ts, ...event },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: 'U0REPKABOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

/** A slash command's fields as Slack sends them, `fields` added or replacing. */
function commandFields(fields: Record<string, string>): Record<string, string> {
  return { team_id: 'T0TEAM', trigger_id: `${Date.now()}.trigger`, response_url: 'https://hooks.fake.slack.test/commands/1', ...fields };
}

/** POSTs an Events API envelope around `event`, signed, as Slack does. */
export async function sendSlackEvent(
  appUrl: string,
  signingSecret: string,
  event: Record<string, unknown>,
  opts: { eventId?: string; retryNum?: number; retryReason?: string; timestamp?: number; teamId?: string } = {},
): Promise<{ status: number; body: string; eventId: string }> {
  const eventId = opts.eventId ?? newEventId();
  const body = JSON.stringify(eventCallback(event, eventId, opts.teamId));
  const headers: Record<string, string> = { 'content-type': 'application/json', ...signSlackRequest(signingSecret, body, opts.timestamp) };
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = opts.retryReason ?? 'http_timeout';
  }
  const res = await postRaw(`${appUrl}/slack/events`, body, headers);
  return { ...res, eventId };
}

/** POSTs an interaction payload (block_actions, view_submission) form-encoded and signed. */
export function sendSlackInteraction(appUrl: string, signingSecret: string, payload: Record<string, unknown>, opts: { timestamp?: number } = {}): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postRaw(`${appUrl}/slack/events`, body, { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(signingSecret, body, opts.timestamp) });
}

/** POSTs a slash command as Slack does: form fields, signed. */
export function sendSlashCommand(appUrl: string, signingSecret: string, fields: Record<string, string>, opts: { timestamp?: number } = {}): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams(commandFields(fields)).toString();
  return postRaw(`${appUrl}/slack/events`, body, { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(signingSecret, body, opts.timestamp) });
}
