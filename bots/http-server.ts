import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { defaultBodyLimit, isValidSlackRequest } from '@slack/bolt';
import type { Update } from 'telegraf/types';
import type { Logger } from '../src/ports.js';
import { slackEnvelopeProblem } from './slack/slack-envelope.js';
import { parseWebhookUpdate } from './telegram/webhook-update.js';

/** Largest Telegram update accepted, bytes; real updates are a few KB. */
export const telegramBodyLimit = 1024 * 1024;

export interface HealthReport {
  readonly ok: boolean;
  /** Per part: "ok" or what is wrong. */
  readonly parts: Readonly<Record<string, string>>;
}

export interface HttpServerDeps {
  /** Bolt's HTTP receiver listener; undefined in Socket Mode (then /slack/events answers 404). */
  readonly slack?: RequestListener;
  /** Slack's signing secret: a signed body Bolt cannot route safely (see slack-envelope.ts) gets 400 here instead of reaching Bolt. */
  readonly slackSigningSecret?: string;
  /** Handles one Telegram update; undefined in long-polling mode. Throws when it was not stored. */
  readonly telegram?: { readonly secret: string; readonly handleUpdate: (update: Update) => Promise<void> };
  readonly health: () => Promise<HealthReport>;
  /** The Prometheus text; may read Redis first. */
  readonly metrics: () => string | Promise<string>;
  readonly log: Logger;
  /** True once Repka is shutting down: requests still arriving on kept-alive connections are refused. */
  readonly stopping?: () => boolean;
}

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

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return 'too-large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Bolt rejects a Slack timestamp more than this far in the past; Slack's own verifiers reject one as far ahead too. Seconds. */
const slackWindowSec = 5 * 60;

/** True when `x-slack-request-timestamp` is dated beyond the window ahead of now: such a request could be replayed for longer. */
function slackTimestampAhead(header: string | string[] | undefined): boolean {
  const timestamp = Number(header);
  return typeof header === 'string' && Number.isFinite(timestamp) && timestamp > Date.now() / 1000 + slackWindowSec;
}

function signedBySlack(req: IncomingMessage, body: Buffer, signingSecret: string): boolean {
  const signature = req.headers['x-slack-signature'];
  const timestamp = req.headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return false;
  return isValidSlackRequest({ signingSecret, body: body.toString(), headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) } });
}

/** The one HTTP server: /slack/events, /telegram/webhook, /healthz, /metrics. */
export function createHttpServer(deps: HttpServerDeps): Server {
  const handleTelegram = async (req: IncomingMessage, res: ServerResponse) => {
    const telegram = deps.telegram;
    if (telegram === undefined) return send(res, 404, { error: 'webhook mode is off' });
    if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
    if (!secretMatches(req.headers['x-telegram-bot-api-secret-token'], telegram.secret)) return send(res, 403, { error: 'bad secret token' });
    const body = await readBody(req, telegramBodyLimit);
    if (body === 'too-large') {
      // The rest of the body is never read: close the connection so it cannot be reused half-read.
      res.on('finish', () => req.destroy());
      return send(res, 413, { error: 'update too large' }, 'application/json', { connection: 'close' });
    }
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

  const handleSlack = async (req: IncomingMessage, res: ServerResponse) => {
    const slack = deps.slack;
    if (slack === undefined) return send(res, 404, { error: 'Slack runs in Socket Mode' });
    if (slackTimestampAhead(req.headers['x-slack-request-timestamp'])) return send(res, 401, { error: 'request timestamp outside the 5-minute window' });
    const body = await readBody(req, defaultBodyLimit);
    if (body === 'too-large') {
      res.on('finish', () => req.destroy());
      return send(res, 413, { error: 'request too large' }, 'application/json', { connection: 'close' });
    }
    const secret = deps.slackSigningSecret;
    const problem = secret === undefined ? undefined : slackEnvelopeProblem(body.toString(), req.headers['content-type']);
    // Unsigned requests go on to Bolt, which answers them 401 whatever they contain.
    if (secret !== undefined && problem !== undefined && signedBySlack(req, body, secret)) {
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
      case '/healthz': {
        const report = await deps.health();
        return send(res, report.ok ? 200 : 503, report.ok ? { status: 'ok', ...report.parts } : { status: 'unavailable', ...report.parts });
      }
      case '/metrics':
        return send(res, 200, await deps.metrics(), 'text/plain; version=0.0.4');
      default:
        return send(res, 404, { error: 'not found' });
    }
  };

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
