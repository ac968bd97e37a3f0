import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Update } from 'telegraf/types';
import type { Logger } from '../src/ports.js';
import { slackEnvelopeProblem } from './slack/slack-envelope.js';
import { parseWebhookUpdate } from './telegram/webhook-update.js';

/**
 * Largest Telegram update accepted, bytes. An update carries one message: text or caption of at
 * most 4,096 characters (16 KB of UTF-8 at worst) with its entities, and the message it replies
 * to; real updates are a few KB.
 */
export const telegramBodyLimit = 256 * 1024;
/**
 * Largest Slack request accepted, bytes. A message event holds at most 40,000 characters of text
 * (Slack truncates longer ones) plus its rich-text `blocks` copy, a few hundred KB at the very
 * worst; interactions and slash commands are smaller. Bolt's own default is 4 MB.
 */
export const slackBodyLimit = 1024 * 1024;

export interface HealthReport {
  readonly ok: boolean;
  /** Per part: "ok" or what is wrong. */
  readonly parts: Readonly<Record<string, string>>;
}

/** One rendering of the metrics, in the format its content type names. */
export interface MetricsScrape {
  /** The registry's own content type (prom-client's `registry.contentType`). */
  readonly contentType: string;
  readonly body: string;
}

export interface HttpServerDeps {
  /** Bolt's HTTP receiver listener; undefined in Socket Mode (then /slack/events answers 404). */
  readonly slack?: RequestListener;
  /** Slack's signing secret: a signed body Bolt cannot route safely (see slack-envelope.ts) gets 400 here instead of reaching Bolt. */
  readonly slackSigningSecret?: string;
  /** Handles one Telegram update; undefined in long-polling mode. Throws when it was not stored. */
  readonly telegram?: { readonly secret: string; readonly handleUpdate: (update: Update) => Promise<void> };
  readonly health: () => Promise<HealthReport>;
  /** The Prometheus exposition; may read storage and Redis first. */
  readonly metrics: () => MetricsScrape | Promise<MetricsScrape>;
  readonly log: Logger;
  /** True once Repka is shutting down: requests still arriving on kept-alive connections are refused. */
  readonly stopping?: () => boolean;
  /** When set, `/metrics` and the detail of `/healthz` need `Authorization: Bearer <token>` (401 otherwise). */
  readonly metricsToken?: string;
  /** Whether `/metrics` is served here (default true); false when it has its own port (see createOperatorServer). */
  readonly servesMetrics?: boolean;
}

/** What the operator's server needs: the same health and metrics, nothing of the platforms. */
export type OperatorServerDeps = Pick<HttpServerDeps, 'health' | 'metrics' | 'log' | 'metricsToken' | 'stopping'>;

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json', extra: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Reads the body as bytes, refusing it once more than `limit` bytes arrived (or at once, when the
 * declared Content-Length is larger): nothing beyond the cap is ever buffered.
 */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return 'too-large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return 'too-large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Answers `status` without reading the rest of the body, and closes the connection once the answer is out. */
function refuseUnread(req: IncomingMessage, res: ServerResponse, status: number, error: string): void {
  res.on('finish', () => req.destroy());
  send(res, status, { error }, 'application/json', { connection: 'close' });
}

/** Slack signs within a 5-minute window; a request dated further in the past or the future is refused. Seconds. */
const slackWindowSec = 5 * 60;

/** `v0=` and 64 hex digits: the only signature Slack sends. */
const slackSignatureShape = /^v0=[0-9a-f]{64}$/;

/**
 * What is wrong with the signing headers alone, before any byte of the body is read: missing,
 * not Slack's shape, or dated outside the 5-minute window (either way: a request dated ahead
 * could be replayed for longer).
 */
function slackHeadersProblem(req: IncomingMessage, nowSec: number): string | undefined {
  const signature = req.headers['x-slack-signature'];
  const timestamp = req.headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return 'missing Slack signature headers';
  if (!slackSignatureShape.test(signature)) return 'malformed Slack signature';
  const at = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSec - at) > slackWindowSec) return 'request timestamp outside the 5-minute window';
  return undefined;
}

/**
 * Slack's request signature over the raw bytes: `v0=` + hex HMAC-SHA256(secret, `v0:<timestamp>:<body>`),
 * compared in constant time (https://api.slack.com/authentication/verifying-requests-from-slack).
 */
function signedBySlack(req: IncomingMessage, body: Buffer, signingSecret: string): boolean {
  const signature = Buffer.from(String(req.headers['x-slack-signature']));
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${String(req.headers['x-slack-request-timestamp'])}:`);
  hmac.update(body);
  const expected = Buffer.from(`v0=${hmac.digest('hex')}`);
  return signature.length === expected.length && timingSafeEqual(signature, expected);
}

/** Slack's `ssl_check=1&token=…` is the one unsigned request it sends; a few hundred bytes. */
const sslCheckLimit = 8 * 1024;

/**
 * Slack's certificate check: unsigned, form-encoded, answered 200 with nothing acted on
 * (https://docs.slack.dev/interactivity/implementing-slash-commands/#responding_basic_receipt,
 * as Bolt's parseAndVerifyHTTPRequest treats it). Anything else unsigned gets 401.
 */
async function answerSslCheck(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, sslCheckLimit);
  if (body === 'too-large') return refuseUnread(req, res, 401, 'missing Slack signature headers');
  if (new URLSearchParams(body.toString('latin1')).get('ssl_check') !== '1') return send(res, 401, { error: 'missing Slack signature headers' });
  res.writeHead(200, { 'content-length': 0 });
  res.end();
}

/** The one HTTP server: /slack/events, /telegram/webhook, /healthz, /metrics. */
export function createHttpServer(deps: HttpServerDeps): Server {
  const handleTelegram = async (req: IncomingMessage, res: ServerResponse) => {
    const telegram = deps.telegram;
    if (telegram === undefined) return send(res, 404, { error: 'webhook mode is off' });
    if (req.method !== 'POST') return refuseUnread(req, res, 405, 'POST only');
    if (!secretMatches(req.headers['x-telegram-bot-api-secret-token'], telegram.secret)) return refuseUnread(req, res, 403, 'bad secret token');
    const body = await readBody(req, telegramBodyLimit);
    // The rest of the body is never read: the connection closes so it cannot be reused half-read.
    if (body === 'too-large') return refuseUnread(req, res, 413, 'update too large');
    const parsed = parseWebhookUpdate(body.toString('utf8'));
    if ('problem' in parsed) return send(res, 400, { error: parsed.problem });
    const update = parsed.update;
    try {
      await telegram.handleUpdate(update);
      send(res, 200, { ok: true });
    } catch (error) {
      deps.log.error('telegram update not stored', { updateId: update.update_id, error: (error as Error).message });
      send(res, 500, { error: 'not stored; please retry' });
    }
  };

  /*
   * Cheapest checks first, so unsigned traffic cannot slow signed traffic down: the headers
   * (no body read), the size (declared, then enforced while reading), the HMAC over the raw
   * bytes, and only then JSON parsing and the envelope checks. Bolt verifies the signature
   * again on the buffered body (cheap) before it parses it.
   */
  const handleSlack = async (req: IncomingMessage, res: ServerResponse) => {
    const slack = deps.slack;
    if (slack === undefined) return send(res, 404, { error: 'Slack runs in Socket Mode' });
    if (req.method !== 'POST') return refuseUnread(req, res, 405, 'POST only');
    const secret = deps.slackSigningSecret;
    if (secret === undefined) return refuseUnread(req, res, 404, 'Slack runs in Socket Mode');
    const headerProblem = slackHeadersProblem(req, Date.now() / 1000);
    if (headerProblem !== undefined) {
      if (req.headers['x-slack-signature'] === undefined && req.headers['content-type'] === 'application/x-www-form-urlencoded') return answerSslCheck(req, res);
      return refuseUnread(req, res, 401, headerProblem);
    }
    const body = await readBody(req, slackBodyLimit);
    if (body === 'too-large') return refuseUnread(req, res, 413, 'request too large');
    if (!signedBySlack(req, body, secret)) return send(res, 401, { error: 'bad Slack signature' });
    const problem = slackEnvelopeProblem(body.toString(), req.headers['content-type']);
    if (problem !== undefined) {
      deps.log.warn('malformed Slack request', { problem });
      return send(res, 400, { error: `not a Slack request: ${problem}` });
    }
    // Bolt reads a body already buffered as `rawBody` instead of the stream.
    return slack(Object.assign(req, { rawBody: body }), res);
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/slack/events':
        return handleSlack(req, res);
      case '/telegram/webhook':
        return handleTelegram(req, res);
      case '/healthz':
        return answerHealth(req, res, deps, false);
      case '/metrics':
        if (deps.servesMetrics === false) return send(res, 404, { error: 'not found' });
        return answerMetrics(req, res, deps);
      default:
        return send(res, 404, { error: 'not found' });
    }
  };
  return serve(deps, route);
}

/**
 * The operator's own server (METRICS_PORT): `/metrics` and `/healthz` with every detail, for
 * Prometheus and the people running Repka; none of the platforms' endpoints.
 */
export function createOperatorServer(deps: OperatorServerDeps): Server {
  return serve(deps, async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') return answerMetrics(req, res, deps);
    if (path === '/healthz') return answerHealth(req, res, deps, true);
    return send(res, 404, { error: 'not found' });
  });
}

/** Whether the request carries `Authorization: Bearer <token>`, compared in constant time. */
function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') && secretMatches(header.slice('Bearer '.length), token);
}

async function answerMetrics(req: IncomingMessage, res: ServerResponse, deps: OperatorServerDeps): Promise<void> {
  if (deps.metricsToken !== undefined && !bearerMatches(req, deps.metricsToken)) {
    return send(res, 401, { error: 'metrics need Authorization: Bearer <METRICS_TOKEN>' }, 'application/json', { 'www-authenticate': 'Bearer' });
  }
  const scrape = await deps.metrics();
  return send(res, 200, scrape.body, scrape.contentType);
}

/**
 * `/healthz`: 200 `{"status":"ok", part: "ok", …}` or 503 naming the failing part. A load
 * balancer sees only "ok"/"down" per part; what went wrong (error texts) is shown on the
 * operator's server, or with the metrics token.
 */
async function answerHealth(req: IncomingMessage, res: ServerResponse, deps: OperatorServerDeps, detailed: boolean): Promise<void> {
  const report = await deps.health();
  const detail = detailed || (deps.metricsToken !== undefined && bearerMatches(req, deps.metricsToken));
  const parts = detail ? report.parts : Object.fromEntries(Object.entries(report.parts).map(([part, state]) => [part, state === 'ok' ? 'ok' : 'down']));
  return send(res, report.ok ? 200 : 503, { status: report.ok ? 'ok' : 'unavailable', ...parts });
}

function serve(deps: Pick<HttpServerDeps, 'log' | 'stopping'>, route: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Server {
  return createServer((req, res) => {
    if (deps.stopping?.()) {
      // Stop taking work: nothing new is accepted (the platforms retry later), and the connection
      // closes, so clients holding it open reconnect to the next instance.
      res.shouldKeepAlive = false;
      req.resume();
      // The same body for /healthz as when a part is down: the failing part is the server itself.
      return send(res, 503, { status: 'unavailable', server: 'shutting down; retry later' }, 'application/json', { connection: 'close' });
    }
    route(req, res).catch((error: Error) => {
      deps.log.error('http request failed', { path: req.url, error: error.message });
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
}
