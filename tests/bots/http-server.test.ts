import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpServer, createOperatorServer, slackBodyLimit, telegramBodyLimit } from '../../bots/http-server.js';
import { createLogger } from '../../bots/logger.js';

const secret = 'http-server-test-signing-secret';
const telegramSecret = 'telegram-secret-0123456789';
let server: Server;
let port: number;
const reachedBolt: string[] = [];
const updates: unknown[] = [];

function sign(body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

/** One request over a fresh connection; `body` may be sent in pieces to show the answer comes before the rest. */
function send(path: string, body: string | Buffer, headers: Record<string, string | number>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.end(body);
  });
}

beforeAll(async () => {
  server = createHttpServer({
    slack: (req, res) => {
      reachedBolt.push((req as unknown as { rawBody: Buffer }).rawBody.toString());
      res.writeHead(200).end();
    },
    slackSigningSecret: secret,
    telegram: { secret: telegramSecret, handleUpdate: async (u) => void updates.push(u) },
    health: async () => ({ ok: true, parts: {} }),
    metrics: () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' }),
    log: createLogger({ level: 'error', write: () => undefined }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  vi.restoreAllMocks();
  reachedBolt.length = 0;
});

const event = JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'message', channel: 'C1', user: 'U1', text: 'hi', ts: '1.1' } });
const big = `{"type":"event_callback","event":{"type":"message","text":"${'x'.repeat(900_000)}"}}`;

describe('POST /slack/events: cheap checks before any parsing', () => {
  it('passes a signed event on to Bolt with its raw bytes', async () => {
    const answer = await send('/slack/events', event, { 'content-type': 'application/json', ...sign(event) });
    expect(answer.status).toBe(200);
    expect(reachedBolt).toEqual([event]);
  });

  it('refuses an unsigned body of almost a megabyte with 401 without parsing it', async () => {
    const parse = vi.spyOn(JSON, 'parse');
    const answer = await send('/slack/events', big, { 'content-type': 'application/json' });
    expect(answer.status).toBe(401);
    expect(parse).not.toHaveBeenCalled();
    expect(reachedBolt).toEqual([]);
  });

  it('refuses a body with a forged signature after hashing its bytes, never parsing it', async () => {
    const parse = vi.spyOn(JSON, 'parse');
    const forged = { ...sign(big), 'x-slack-signature': `v0=${'0'.repeat(64)}` };
    const answer = await send('/slack/events', big, { 'content-type': 'application/json', ...forged });
    expect(answer.status).toBe(401);
    expect(parse).not.toHaveBeenCalled();
  });

  it.each([
    ['stale', Math.floor(Date.now() / 1000) - 400],
    ['future', Math.floor(Date.now() / 1000) + 400],
  ])('refuses a %s timestamp from the headers alone', async (_label, timestamp) => {
    const parse = vi.spyOn(JSON, 'parse');
    const answer = await send('/slack/events', event, { 'content-type': 'application/json', ...sign(event, timestamp) });
    expect(answer.status).toBe(401);
    expect(parse).not.toHaveBeenCalled();
  });

  it('answers 413 to a declared size over the cap before the body is sent', async () => {
    const answer = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/slack/events', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': slackBodyLimit + 1, ...sign('x') } }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      // Only the headers are sent: the answer must not wait for a body that never comes.
      req.flushHeaders();
    });
    expect(answer).toBe(413);
  });

  it('answers 413 to a chunked body that grows past the cap while it is read', async () => {
    const body = Buffer.alloc(slackBodyLimit + 10, 'a');
    const answer = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/slack/events', method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...sign(body.toString()) } }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
      req.end(body);
    });
    expect(answer).toBe(413);
    expect(reachedBolt).toEqual([]);
  });

  it("answers Slack's unsigned ssl_check itself and passes nothing smuggled with it to Bolt", async () => {
    const answer = await send('/slack/events', `ssl_check=1&token=legacy&payload=${encodeURIComponent(event)}`, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(answer.status).toBe(200);
    expect(reachedBolt).toEqual([]);
  });
});

describe('POST /telegram/webhook', () => {
  it('refuses a wrong secret before reading the body', async () => {
    const parse = vi.spyOn(JSON, 'parse');
    const answer = await send('/telegram/webhook', big, { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong-secret-000000000' });
    expect(answer.status).toBe(403);
    expect(parse).not.toHaveBeenCalled();
  });

  it('answers 413 to an update over its cap', async () => {
    const answer = await send('/telegram/webhook', Buffer.alloc(telegramBodyLimit + 1, 'a'), { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': telegramSecret });
    expect(answer.status).toBe(413);
    expect(updates).toEqual([]);
  });
});

describe('operator endpoints', () => {
  const token = 'metrics-token-0123456789abcdef';
  const downHealth = async () => ({ ok: false, parts: { sqlite: 'ok', redis: 'down: connect ECONNREFUSED 10.1.2.3:6379' } });
  let scrapes = 0;
  const start = async (server: Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  };
  const log = createLogger({ level: 'error', write: () => undefined });
  const metrics = () => {
    scrapes += 1;
    return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'repka_cases_open 1\n' };
  };

  it('with METRICS_TOKEN: /metrics answers 401 without the bearer token and computes nothing', async () => {
    const { url, close } = await start(createHttpServer({ health: downHealth, metrics, metricsToken: token, log }));
    try {
      scrapes = 0;
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789abc' } })).status).toBe(401);
      expect(scrapes).toBe(0);
      const ok = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('repka_cases_open 1\n');
    } finally {
      await close();
    }
  });

  it('the public /healthz names the failing part but not what the error said; the token shows the detail', async () => {
    const { url, close } = await start(createHttpServer({ health: downHealth, metrics, metricsToken: token, log }));
    try {
      const plain = await fetch(`${url}/healthz`);
      expect(plain.status).toBe(503);
      expect(await plain.json()).toEqual({ status: 'unavailable', sqlite: 'ok', redis: 'down' });
      const detailed = await fetch(`${url}/healthz`, { headers: { authorization: `Bearer ${token}` } });
      expect(await detailed.json()).toEqual({ status: 'unavailable', sqlite: 'ok', redis: 'down: connect ECONNREFUSED 10.1.2.3:6379' });
    } finally {
      await close();
    }
  });

  it('with METRICS_PORT: the public port answers 404 on /metrics, the operator port serves it and the detailed /healthz', async () => {
    const pub = await start(createHttpServer({ health: downHealth, metrics, servesMetrics: false, log }));
    const operator = await start(createOperatorServer({ health: downHealth, metrics, log }));
    try {
      expect((await fetch(`${pub.url}/metrics`)).status).toBe(404);
      const scraped = await fetch(`${operator.url}/metrics`);
      // The content type is the one the registry gave, not one the server picks.
      expect(scraped.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await scraped.text()).toBe('repka_cases_open 1\n');
      expect(await (await fetch(`${operator.url}/healthz`)).json()).toMatchObject({ redis: 'down: connect ECONNREFUSED 10.1.2.3:6379' });
      expect((await fetch(`${operator.url}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect((await fetch(`${operator.url}/telegram/webhook`, { method: 'POST', body: '{}' })).status).toBe(404);
    } finally {
      await pub.close();
      await operator.close();
    }
  });
});
