import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import { CallLog, close, listen, parseBody, parseMultipart, postRaw, readBody, type RecordedCall } from './http-fake.js';
import { slackRefusal } from './platform-validator.js';

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

/** A call Slack refused because it broke a published limit or a rule of the platform (see `FakeSlack.violations`). */
export interface Violation {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly answer: Record<string, unknown>;
  readonly at: number;
}

/** A conversation as the fake keeps it (conversations.info's fields). */
export interface ChannelSpec {
  /** Default: the id in lower case. */
  readonly name?: string;
  /** Default false: a public channel, which conversations.join can enter. */
  readonly isPrivate?: boolean;
  /** Default true: the bot is in the channel, so it may post there and receives its events. */
  readonly botIsMember?: boolean;
  readonly isArchived?: boolean;
  /** Human members (user ids), as conversations.members lists them besides the bot. Default: none. */
  readonly members?: readonly string[];
}

interface Channel {
  id: string;
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  botIsMember: boolean;
  members: string[];
}

/** A file a human shared in Slack, served at its url_private_download to a bearer of a bot token. */
export interface SharedFile {
  readonly id: string;
  readonly name: string;
  readonly mimetype: string;
  readonly bytes: Buffer;
  readonly title?: string;
}

/** How long Slack honours a trigger_id: "A trigger_id expires 3 s after the click" (docs.slack.dev, modals). */
export const triggerLifetimeMs = 3000;

const issuedTriggers = new Map<string, { issuedAt: number; used: boolean }>();
let triggerCounter = 0;

/**
 * A fresh trigger_id in Slack's form ("132456.7890123.abcdef"), valid for one views.open/views.push
 * within 3 s of now (or of `issuedAt`, ms, to build one that is already old). Every interaction a
 * test sends should carry one of these; the fake refuses any other.
 */
export function newTriggerId(issuedAt = Date.now()): string {
  triggerCounter += 1;
  const id = `${Math.floor(issuedAt / 1000)}.${7_000_000 + triggerCounter}.${randomBytes(16).toString('hex')}`;
  issuedTriggers.set(id, { issuedAt, used: false });
  return id;
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
  /** Channels that no longer exist (deleted): every call naming them gets channel_not_found. */
  readonly missingChannels = new Set<string>();
  /** Every call refused for breaking a published limit or a platform rule; a test fails on any unless it expects refusals. */
  readonly violations: Violation[] = [];
  private refusalsExpected = false;
  private readonly rejectedTokens = new Map<string, string>();
  private readonly rooms = new Map<string, Channel>();
  private readonly views = new Map<string, { hash: string; view: Record<string, unknown>; triggerId?: string }>();
  private readonly shared = new Map<string, SharedFile>();
  private readonly deletedFiles = new Set<string>();
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

  /**
   * Slack refuses `token` (bot or app-level) from now on, as it refuses a token that is wrong
   * (`invalid_auth`, the default), revoked (`token_revoked`) or whose app or user is deactivated
   * (`account_inactive`): every Web API call with it answers HTTP 200 `{ok:false, error}`.
   */
  rejectToken(token: string, error: 'invalid_auth' | 'token_revoked' | 'account_inactive' = 'invalid_auth'): void {
    this.rejectedTokens.set(token, error);
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

  /** Display name (else real name, else name) → user ID of every added user: whom `@Name` mentions. */
  userIdsByName(): Map<string, string> {
    return new Map([...this.users.values()].map((u) => [u.display_name || u.real_name || u.name, u.id] as const));
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

  /**
   * Creates (or replaces) a channel. Slack refuses every call naming a channel that does not exist
   * (channel_not_found), posts only where the bot is a member (not_in_channel), and hides a private
   * channel from a bot outside it (channel_not_found).
   */
  addChannel(id: string, spec: ChannelSpec = {}): void {
    this.rooms.set(id, { id, name: spec.name ?? id.toLowerCase(), isPrivate: spec.isPrivate ?? false, isArchived: spec.isArchived ?? false, botIsMember: spec.botIsMember ?? true, members: [...(spec.members ?? [])] });
  }

  /** Changes an existing channel (e.g. the bot leaves it, or it is archived). Throws for an unknown id. */
  updateChannel(id: string, change: ChannelSpec): void {
    const room = this.rooms.get(id);
    if (room === undefined) throw new Error(`no channel ${id}: addChannel it first`);
    this.addChannel(id, { name: room.name, isPrivate: room.isPrivate, isArchived: room.isArchived, botIsMember: room.botIsMember, members: room.members, ...change });
  }

  /** Whether the bot is in the channel now (after conversations.join, say); undefined for an unknown channel. */
  botIsMember(id: string): boolean | undefined {
    return this.rooms.get(id)?.botIsMember;
  }

  /** Sets who is in a channel, as conversations.members answers (besides the bot); creates the channel if needed. */
  setMembers(channel: string, users: readonly string[]): void {
    if (!this.rooms.has(channel)) this.addChannel(channel);
    this.updateChannel(channel, { members: users });
  }

  /**
   * A human deletes a message (a case card, say): it is gone, chat.update answers message_not_found,
   * and posts into its thread answer thread_not_found.
   */
  deleteMessage(channel: string, ts: string): void {
    const list = this.channels.get(channel) ?? [];
    const index = list.findIndex((m) => m.ts === ts);
    if (index === -1) throw new Error(`no message ${ts} in ${channel}`);
    list.splice(index, 1);
    this.byTs.delete(`${channel}:${ts}`);
  }

  /** See newTriggerId (module function). */
  newTriggerId(issuedAt?: number): string {
    return newTriggerId(issuedAt);
  }

  /** The views this fake opened or published, by id, with their current hash (for the next views.update). */
  view(id: string): { hash: string; view: Record<string, unknown>; triggerId?: string } | undefined {
    return this.views.get(id);
  }

  /** The view views.open opened with `triggerId`, once it has: its id and hash, as Slack answered. */
  viewOpenedBy(triggerId: string): { id: string; hash: string; view: Record<string, unknown> } | undefined {
    for (const [id, entry] of this.views) if (entry.triggerId === triggerId) return { id, hash: entry.hash, view: entry.view };
    return undefined;
  }

  /**
   * Keeps a file a human shares, served at its `url_private_download` (Bearer bot token only, as
   * Slack does) and returns the file object Slack puts in a file_share event's `files`.
   */
  shareFile(file: Omit<SharedFile, 'id'> & { id?: string }): Record<string, unknown> {
    const id = file.id ?? `F${String(++this.fileCounter).padStart(8, '0')}`;
    const entry: SharedFile = { ...file, id };
    this.shared.set(id, entry);
    return this.fileObject(entry);
  }

  /** Deletes a shared file: its download answers 404 and files.info `file_deleted`, as Slack does. */
  deleteSharedFile(id: string): void {
    this.shared.delete(id);
    this.deletedFiles.add(id);
  }

  /** The file object Slack gives for a shared file (events' `files`, files.info's `file`). */
  private fileObject(file: SharedFile): Record<string, unknown> {
    const id = file.id;
    const path = `${this.base}/files-pri/${this.identity.teamId}-${id}`;
    return {
      id,
      created: Math.floor(Date.now() / 1000),
      timestamp: Math.floor(Date.now() / 1000),
      name: file.name,
      title: file.title ?? file.name,
      mimetype: file.mimetype,
      filetype: file.name.split('.').pop() ?? 'binary',
      pretty_type: file.mimetype,
      user: 'U0AGENT1',
      mode: 'hosted',
      editable: false,
      is_external: false,
      external_type: '',
      is_public: true,
      size: file.bytes.length,
      url_private: `${path}/${encodeURIComponent(file.name)}`,
      url_private_download: `${path}/download/${encodeURIComponent(file.name)}`,
      permalink: `https://fake.slack.test/files/U0AGENT1/${id}/${encodeURIComponent(file.name)}`,
    };
  }

  /** The test means to send oversized or forbidden things: refusals are answered as Slack does, but not held against it. */
  expectRefusals(expected = true): void {
    this.refusalsExpected = expected;
  }

  /** Throws listing every violation unless the test declared it expects refusals. */
  assertNoViolations(): void {
    if (this.refusalsExpected || this.violations.length === 0) return;
    const lines = this.violations.slice(0, 10).map((v) => `${v.method} → ${JSON.stringify(v.answer)}; sent ${JSON.stringify(v.params).slice(0, 300)}`);
    throw new Error(`fake Slack refused ${this.violations.length} call(s) as Slack would (call slack.expectRefusals() if the test means it):\n${lines.join('\n')}`);
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
    if (path.startsWith('/files-pri/')) return this.serveSharedFile(req, res, path);
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
    const rejected = this.rejectedTokens.get(token);
    if (rejected !== undefined) {
      this.log.push(call);
      return this.send(res, 200, { ok: false, error: rejected });
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

  /** url_private(_download): the bytes for a bearer of a bot token; Slack's sign-in page (HTML, 200) for anyone else. */
  private serveSharedFile(req: IncomingMessage, res: ServerResponse, path: string): void {
    const match = /^\/files-pri\/[^/]+-(F[^/]+)\//.exec(path);
    const file = match ? this.shared.get(match[1] as string) : undefined;
    const auth = req.headers.authorization ?? '';
    if (!/^Bearer xox[bp]-/.test(auth)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Fake workspace</body></html>');
      return;
    }
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('file not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.length) });
    res.end(file.bytes);
  }

  /** Records a refusal Slack gives for a broken rule; the harness fails the test on it unless expected. */
  private refuse(method: string, params: Record<string, unknown>, answer: Record<string, unknown>): Record<string, unknown> {
    this.violations.push({ method, params, answer, at: Date.now() });
    return answer;
  }

  /**
   * The channel a call names, or Slack's refusal: channel_not_found for an unknown, deleted or
   * (to a bot outside it) private channel; `needMember`: not_in_channel unless the bot is in it;
   * `writing`: is_archived for an archived one. A user id (U…/W…) stands for a DM with a known user.
   */
  private room(id: unknown, opts: { needMember?: boolean; writing?: boolean } = {}): Channel | Record<string, unknown> {
    const key = typeof id === 'string' ? id : '';
    if (/^[UW]/.test(key) && this.users.has(key)) return { id: key, name: key, isPrivate: true, isArchived: false, botIsMember: true, members: [key] };
    // A DM channel conversations.open gave out: D + the user's id.
    if (/^D[UW]/.test(key) && this.users.has(key.slice(1))) return { id: key, name: key, isPrivate: true, isArchived: false, botIsMember: true, members: [key.slice(1)] };
    const room = this.rooms.get(key);
    if (room === undefined || this.missingChannels.has(key) || (room.isPrivate && !room.botIsMember)) return { ok: false, error: 'channel_not_found' };
    if (opts.writing && room.isArchived) return { ok: false, error: 'is_archived' };
    if (opts.needMember && !room.botIsMember) return { ok: false, error: 'not_in_channel' };
    return room;
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
    const refused = slackRefusal(method, p);
    if (refused !== undefined) return this.refuse(method, p, refused);
    const isRoom = (r: Channel | Record<string, unknown>): r is Channel => typeof (r as Channel).botIsMember === 'boolean' && !('ok' in r);
    const refuseRoom = (r: Record<string, unknown>) => (r.error === 'not_in_channel' ? this.refuse(method, p, r) : r);
    switch (method) {
      case 'apps.connections.open':
        return this.openConnection(headerToken);
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', team_id: this.identity.teamId, user: 'repka', user_id: this.identity.botUserId, bot_id: this.identity.botId, is_enterprise_install: false };
      case 'chat.postMessage': {
        const room = this.room(p.channel, { needMember: true, writing: true });
        if (!isRoom(room)) return refuseRoom(room);
        if (p.thread_ts && !find(p.channel, p.thread_ts)) return { ok: false, error: 'thread_not_found' };
        const message: StoredMessage = { ts: nextTs(), thread_ts: p.thread_ts, text: p.text, blocks: p.blocks, bot_id: this.identity.botId, user: this.identity.botUserId, metadata: p.metadata, reactions: [] };
        channelOf(p.channel).push(message);
        this.byTs.set(`${p.channel}:${message.ts}`, message);
        return { ok: true, channel: p.channel, ts: message.ts, message: { ...message, type: 'message' } };
      }
      case 'chat.update': {
        const room = this.room(p.channel, { writing: true });
        if (!isRoom(room)) return refuseRoom(room);
        const message = find(p.channel, p.ts);
        if (message === undefined) return { ok: false, error: 'message_not_found' };
        // "cant_update_message: Authenticated user does not have permission to update this message" (chat.update).
        if (message.bot_id !== this.identity.botId) return { ok: false, error: 'cant_update_message' };
        if (p.text !== undefined) message.text = p.text;
        if (p.blocks !== undefined) message.blocks = p.blocks;
        return { ok: true, channel: p.channel, ts: p.ts, text: message.text };
      }
      case 'chat.delete': {
        const room = this.room(p.channel);
        if (!isRoom(room)) return refuseRoom(room);
        const list = this.channels.get(p.channel) ?? [];
        const index = list.findIndex((m) => m.ts === p.ts);
        if (index === -1) return { ok: false, error: 'message_not_found' };
        list.splice(index, 1);
        this.byTs.delete(`${p.channel}:${p.ts}`);
        return { ok: true, channel: p.channel, ts: p.ts };
      }
      case 'chat.postEphemeral': {
        const room = this.room(p.channel, { needMember: true, writing: true });
        if (!isRoom(room)) return refuseRoom(room);
        if (!p.user) return { ok: false, error: 'user_not_in_channel' };
        return { ok: true, message_ts: nextTs() };
      }
      case 'chat.getPermalink':
        if (!find(p.channel, p.message_ts)) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel: p.channel, permalink: `https://fake.slack.test/archives/${p.channel}/p${String(p.message_ts).replace('.', '')}` };
      case 'reactions.add': {
        const room = this.room(p.channel, { needMember: true, writing: true });
        if (!isRoom(room)) return refuseRoom(room);
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
        const room = this.room(p.channel, { needMember: true });
        if (!isRoom(room)) return refuseRoom(room);
        const list = this.channels.get(p.channel) ?? [];
        const parent = list.find((m) => m.ts === p.ts);
        if (parent === undefined) return { ok: false, error: 'thread_not_found' };
        return { ok: true, messages: [parent, ...list.filter((m) => m.thread_ts === p.ts && m.ts !== p.ts)], has_more: false };
      }
      case 'conversations.history': {
        const room = this.room(p.channel, { needMember: true });
        if (!isRoom(room)) return refuseRoom(room);
        const list = [...(this.channels.get(p.channel) ?? [])].filter((m) => !m.thread_ts || m.thread_ts === m.ts).reverse();
        return { ok: true, messages: list.slice(0, Number(p.limit ?? 100)), has_more: false };
      }
      case 'conversations.members': {
        const room = this.room(p.channel);
        if (!isRoom(room)) return refuseRoom(room);
        const all = [...(room.botIsMember ? [this.identity.botUserId] : []), ...room.members];
        // Pages of `limit` (default 100, "Fewer than the requested number of items may be returned"), cursor = base64 offset.
        const limit = Number(p.limit ?? 100);
        const start = p.cursor ? Number(Buffer.from(String(p.cursor), 'base64').toString().replace(/^offset:/, '')) : 0;
        if (!Number.isInteger(start) || start < 0 || start > all.length) return { ok: false, error: 'invalid_cursor' };
        const end = start + limit;
        return { ok: true, members: all.slice(start, end), response_metadata: { next_cursor: end < all.length ? Buffer.from(`offset:${end}`).toString('base64') : '' } };
      }
      case 'conversations.info': {
        const room = this.room(p.channel);
        if (!isRoom(room)) return refuseRoom(room);
        return { ok: true, channel: this.conversation(room) };
      }
      case 'conversations.join': {
        const room = this.rooms.get(String(p.channel ?? ''));
        if (room === undefined || this.missingChannels.has(room.id)) return { ok: false, error: 'channel_not_found' };
        // "method_not_supported_for_channel_type: This type of conversation cannot be used with this method": private channels need /invite.
        if (room.isPrivate) return { ok: false, error: room.botIsMember ? 'method_not_supported_for_channel_type' : 'channel_not_found' };
        if (room.isArchived) return { ok: false, error: 'is_archived' };
        const already = room.botIsMember;
        room.botIsMember = true;
        return { ok: true, channel: this.conversation(room), ...(already ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } } : {}) };
      }
      case 'conversations.open': {
        // docs.slack.dev/reference/methods/conversations.open: `users` (comma-separated) or `channel`;
        // errors users_list_not_supplied, user_not_found. One user: the bot's 1:1 DM with them, the
        // same channel every time. Multi-person DMs are not modelled (Repka opens none).
        const users = String(p.users ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
        if (users.length === 0) return this.refuse(method, p, { ok: false, error: 'users_list_not_supplied' });
        if (users.some((u) => !this.users.has(u))) return { ok: false, error: 'user_not_found' };
        if (users.length > 1) return this.refuse(method, p, { ok: false, error: 'not_modelled_multi_person_dm' });
        return { ok: true, channel: { id: `D${users[0]}` } };
      }
      case 'views.open':
      case 'views.push': {
        const trigger = issuedTriggers.get(String(p.trigger_id ?? ''));
        // views.open errors: invalid_trigger_id, exchanged_trigger_id ("already exchanged in a previous call"), expired_trigger_id.
        if (trigger === undefined) return this.refuse(method, p, { ok: false, error: 'invalid_trigger_id' });
        if (trigger.used) return this.refuse(method, p, { ok: false, error: 'exchanged_trigger_id' });
        if (Date.now() - trigger.issuedAt > triggerLifetimeMs) return this.refuse(method, p, { ok: false, error: 'expired_trigger_id' });
        trigger.used = true;
        return { ok: true, view: this.keepView(`V${randomBytes(5).toString('hex').toUpperCase()}`, p.view, String(p.trigger_id)) };
      }
      case 'views.update': {
        const id = String(p.view_id ?? '');
        const existing = this.views.get(id);
        // views.update errors: not_found ("the requested view can't be found"), hash_conflict.
        if (existing === undefined) return this.refuse(method, p, { ok: false, error: 'not_found' });
        if (p.hash !== undefined && p.hash !== existing.hash) return { ok: false, error: 'hash_conflict' };
        return { ok: true, view: this.keepView(id, p.view, existing.triggerId) };
      }
      case 'views.publish':
        if (!p.user_id || !this.users.has(String(p.user_id))) return { ok: false, error: 'user_not_found' };
        return { ok: true, view: this.keepView(`V${randomBytes(5).toString('hex').toUpperCase()}`, p.view) };
      case 'files.info': {
        // files.info errors: file_not_found, file_deleted (docs.slack.dev/reference/methods/files.info).
        const id = String(p.file ?? '');
        const file = this.shared.get(id);
        // Not a violation: a file deleted after it was shared is the world changing, not Repka erring.
        if (file === undefined) return { ok: false, error: this.deletedFiles.has(id) ? 'file_deleted' : 'file_not_found' };
        return { ok: true, file: this.fileObject(file) };
      }
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
          const room = this.room(p.channel_id, { needMember: true, writing: true });
          if (!isRoom(room)) return refuseRoom(room);
          if (p.thread_ts && !find(p.channel_id, p.thread_ts)) return { ok: false, error: 'thread_not_found' };
          channelOf(p.channel_id).push({ ts: nextTs(), thread_ts: p.thread_ts, text: p.initial_comment, files, bot_id: this.identity.botId, reactions: [] });
        }
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title, name: this.uploads.get(f.id)?.filename })) };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** conversations.info's `channel` object for a room. */
  private conversation(room: Channel): Record<string, unknown> {
    return {
      id: room.id,
      name: room.name,
      is_channel: !room.isPrivate,
      is_group: room.isPrivate,
      is_im: false,
      is_private: room.isPrivate,
      is_archived: room.isArchived,
      is_general: false,
      is_member: room.botIsMember,
      created: 1_700_000_000,
      creator: 'U0ADMIN',
      num_members: room.members.length + (room.botIsMember ? 1 : 0),
    };
  }

  private keepView(id: string, view: unknown, triggerId?: string): Record<string, unknown> {
    const body = typeof view === 'object' && view !== null ? (view as Record<string, unknown>) : {};
    const hash = `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
    this.views.set(id, { hash, view: body, ...(triggerId !== undefined ? { triggerId } : {}) });
    return { ...body, id, team_id: this.identity.teamId, hash, app_id: 'A0REPKA', bot_id: this.identity.botId, state: { values: {} } };
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
  return { team_id: 'T0TEAM', trigger_id: newTriggerId(), response_url: 'https://hooks.fake.slack.test/commands/1', ...fields };
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

/** Interactions Slack sends with a fresh trigger_id (block_actions, shortcuts, view_submission). */
const triggering = new Set(['block_actions', 'shortcut', 'message_action', 'view_submission']);

/**
 * POSTs an interaction payload (block_actions, view_submission) form-encoded and signed. A payload
 * of a kind Slack sends with a trigger_id gets a fresh one (newTriggerId) unless it carries its own.
 */
export function sendSlackInteraction(appUrl: string, signingSecret: string, payload: Record<string, unknown>, opts: { timestamp?: number } = {}): Promise<{ status: number; body: string }> {
  const full = triggering.has(String(payload.type)) && payload.trigger_id === undefined ? { ...payload, trigger_id: newTriggerId() } : payload;
  const body = new URLSearchParams({ payload: JSON.stringify(full) }).toString();
  return postRaw(`${appUrl}/slack/events`, body, { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(signingSecret, body, opts.timestamp) });
}

/** POSTs a slash command as Slack does: form fields, signed. */
export function sendSlashCommand(appUrl: string, signingSecret: string, fields: Record<string, string>, opts: { timestamp?: number } = {}): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams(commandFields(fields)).toString();
  return postRaw(`${appUrl}/slack/events`, body, { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(signingSecret, body, opts.timestamp) });
}

/** The fields every human message event carries. */
export interface HumanMessage {
  readonly channel: string;
  readonly user: string;
  /** Slack's wire form (escaped, `<@U…>`, `<https://…|label>`, `:emoji:`): encode typed text with slack-wire.ts. */
  readonly text: string;
  /** Default: nextTs(). */
  readonly ts?: string;
  readonly thread_ts?: string;
  /** Default 'channel' ('group' for a private channel). */
  readonly channel_type?: string;
}

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };
const decodeEntities = (text: string) => text.replace(/&(amp|lt|gt);/g, (m) => entities[m] ?? m);

/**
 * The rich_text copy Slack puts in a message event's `blocks`: the wire text cut into `text`,
 * `link`, `user`, `channel`, `usergroup`, `broadcast` and `emoji` elements (docs.slack.dev,
 * rich text block). Text elements hold the decoded characters, as Slack's own copy does.
 */
export function richTextOf(wire: string): Record<string, unknown>[] {
  const elements: Record<string, unknown>[] = [];
  const pushText = (raw: string) => {
    if (raw === '') return;
    const text = decodeEntities(raw);
    const last = elements[elements.length - 1];
    if (last?.type === 'text') last.text = `${String(last.text)}${text}`;
    else elements.push({ type: 'text', text });
  };
  const token = /<([^<>]+)>|:([a-z0-9_+'-]+):/g;
  let at = 0;
  for (let m = token.exec(wire); m !== null; m = token.exec(wire)) {
    pushText(wire.slice(at, m.index));
    at = m.index + m[0].length;
    if (m[2] !== undefined) {
      elements.push({ type: 'emoji', name: m[2] });
      continue;
    }
    const [target, label] = (m[1] as string).split('|', 2) as [string, string | undefined];
    if (target.startsWith('@')) elements.push({ type: 'user', user_id: target.slice(1) });
    else if (target.startsWith('#')) elements.push({ type: 'channel', channel_id: target.slice(1) });
    else if (target.startsWith('!subteam^')) elements.push({ type: 'usergroup', usergroup_id: target.slice('!subteam^'.length) });
    else if (target.startsWith('!')) elements.push({ type: 'broadcast', range: target.slice(1) });
    else elements.push({ type: 'link', url: decodeEntities(target), ...(label !== undefined ? { text: decodeEntities(label) } : {}) });
  }
  pushText(wire.slice(at));
  return [{ type: 'rich_text', block_id: randomBytes(3).toString('base64url').slice(0, 4), elements: [{ type: 'rich_text_section', elements }] }];
}

/** A human's message event exactly as Slack sends it: wire text, a rich_text `blocks` copy, client_msg_id, team. */
export function messageEvent(message: HumanMessage): Record<string, unknown> {
  const ts = message.ts ?? nextTs();
  return {
    type: 'message',
    user: message.user,
    text: message.text,
    blocks: richTextOf(message.text),
    client_msg_id: randomUUID(),
    team: 'T0TEAM',
    channel: message.channel,
    event_ts: ts,
    ts,
    ...(message.thread_ts !== undefined ? { thread_ts: message.thread_ts, parent_user_id: 'U0REPKABOT' } : {}),
    channel_type: message.channel_type ?? 'channel',
  };
}

/** A reply also sent to the channel ("Also send to #channel"): subtype thread_broadcast, with its `root`. */
export function threadBroadcastEvent(message: HumanMessage & { readonly thread_ts: string }): Record<string, unknown> {
  const event = messageEvent(message);
  return { ...event, subtype: 'thread_broadcast', root: { type: 'message', ts: message.thread_ts, thread_ts: message.thread_ts, user: 'U0REPKABOT', bot_id: 'B0REPKABOT' } };
}

/** A message with files: subtype file_share, `files` as FakeSlack.shareFile returns them. */
export function fileShareEvent(message: HumanMessage & { readonly files: readonly Record<string, unknown>[] }): Record<string, unknown> {
  const { files, ...rest } = message;
  const event = messageEvent(rest);
  return { ...event, subtype: 'file_share', files, upload: false, display_as_bot: false, ...(message.text === '' ? { blocks: undefined } : {}) };
}

/** A human edits a message: subtype message_changed, hidden, with the new `message` and the `previous_message`. */
export function messageChangedEvent(original: HumanMessage & { readonly ts: string }, newText: string): Record<string, unknown> {
  const ts = nextTs();
  const before = messageEvent(original);
  const strip = (m: Record<string, unknown>) => {
    const { channel: _channel, event_ts: _eventTs, channel_type: _type, ...rest } = m;
    return rest;
  };
  const after = { ...strip(before), text: newText, blocks: richTextOf(newText), edited: { user: original.user, ts } };
  return { type: 'message', subtype: 'message_changed', hidden: true, message: after, previous_message: strip(before), channel: original.channel, event_ts: ts, ts, channel_type: original.channel_type ?? 'channel' };
}

/** A human deletes a message: subtype message_deleted, hidden, `deleted_ts` and the `previous_message`. */
export function messageDeletedEvent(original: HumanMessage & { readonly ts: string }): Record<string, unknown> {
  const ts = nextTs();
  const { channel: _channel, event_ts: _eventTs, channel_type: _type, ...previous } = messageEvent(original);
  return { type: 'message', subtype: 'message_deleted', hidden: true, deleted_ts: original.ts, channel: original.channel, previous_message: previous, event_ts: ts, ts, channel_type: original.channel_type ?? 'channel' };
}
