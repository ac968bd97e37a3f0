import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/fake-slack.js';
import { FakeTelegram } from '../fakes/fake-telegram.js';
import { e2eDatabase, redisUrl, supportChannel } from './harness.js';
import { testPostgresUrl } from '../support/test-storage.js';
import { builtRepka } from '../support/built-repka.js';


/** Secrets of this test run: none of them, nor their distinctive halves, may appear in anything Repka prints. */
const secrets = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-SecretBotTokenValue',
  SLACK_SIGNING_SECRET: 'signing-secret-Value-0987654321',
  TELEGRAM_BOT_TOKEN: '7654321:AAH-SecretTelegramTokenValue_xyz0123',
  TELEGRAM_WEBHOOK_SECRET: 'webhook-secret-Value_123456789',
  METRICS_TOKEN: 'metrics-token-SecretValue-12345',
};
const fragments = [...Object.values(secrets), 'SecretBotTokenValue', 'SecretTelegramTokenValue', 'signing-secret-Value', 'webhook-secret-Value', 'metrics-token-SecretValue'];

let slack: FakeSlack;
let telegram: FakeTelegram;
let html: Server;
let garbage: Server;
let htmlUrl: string;
let garbageUrl: string;
let dir: string;

const serve = async (body: string, type: string): Promise<{ server: Server; url: string }> => {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(502, { 'content-type': type }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

beforeAll(async () => {
  slack = await FakeSlack.start();
  slack.addChannel(supportChannel, { name: 'support', members: ['U0REPKABOT'] });
  telegram = await FakeTelegram.start({ token: secrets.TELEGRAM_BOT_TOKEN });
  ({ server: html, url: htmlUrl } = await serve('<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>', 'text/html'));
  ({ server: garbage, url: garbageUrl } = await serve('\u0000\u0001{"ok":tru', 'application/json'));
  dir = mkdtempSync(join(tmpdir(), 'repka-secrets-'));
  writeFileSync(join(dir, 'not-a-folder'), 'a file');
});
afterAll(async () => {
  await slack.close();
  await telegram.close();
  await new Promise((resolve) => html.close(resolve));
  await new Promise((resolve) => garbage.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function start(patch: Record<string, string>): Promise<{ code: number | null; output: string }> {
  // On PostgreSQL, a database of its own, as on SQLite a file of its own.
  const database = await e2eDatabase();
  const env = {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    DATABASE_PATH: join(dir, `${Math.random().toString(36).slice(2)}.sqlite`),
    ...(database === undefined ? {} : { DATABASE_URL: database.url }),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `secrets-${process.pid}`,
    SLACK_API_URL: slack.url,
    SLACK_SUPPORT_CHANNEL: supportChannel,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_WEBHOOK_URL: 'https://repka.example.com/telegram/webhook',
    LOG_LEVEL: 'debug',
    ...secrets,
    ...patch,
  };
  // One process (plain Node on the compiled code, as `npm start` runs it), killed if it has not exited
  // within 50 s, so a hanging start cannot outlive the test.
  const [command, args] = builtRepka('main');
  const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 50_000, killSignal: 'SIGKILL' });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exit = await new Promise<{ code: number | null; output: string }>((resolve) => child.on('exit', (code) => resolve({ code, output })));
  await database?.drop();
  return exit;
}

/** A database that cannot be opened: on SQLite, its folder would be inside a regular file; on PostgreSQL, one the server does not have. */
function unopenableDatabase(): Record<string, string> {
  if (testPostgresUrl === undefined) return { DATABASE_PATH: join(dir, 'not-a-folder', 'repka.sqlite') };
  const url = new URL(testPostgresUrl);
  url.pathname = '/repka_absent_database';
  return { DATABASE_URL: url.toString() };
}

describe('no token or secret is printed, whatever fails at start', () => {
  it.concurrent.each([
    ['Telegram answers HTML', () => ({ TELEGRAM_API_ROOT: htmlUrl })],
    ['Telegram answers garbage', () => ({ TELEGRAM_API_ROOT: garbageUrl })],
    ['Telegram cannot be reached', () => ({ TELEGRAM_API_ROOT: 'http://127.0.0.1:1' })],
    ['Slack answers HTML', () => ({ SLACK_API_URL: `${htmlUrl}/api/` })],
    ['Slack answers garbage', () => ({ SLACK_API_URL: `${garbageUrl}/api/` })],
    ['Redis cannot be reached', () => ({ REDIS_URL: 'redis://127.0.0.1:1' })],
    ['the database cannot be opened', unopenableDatabase],
    ['the configuration is invalid', () => ({ SLACK_SUPPORT_CHANNEL: 'support' })],
  ])('%s: exits 1 and prints none of them', async (_what, patch) => {
    const { code, output } = await start(patch());
    expect(code, output).toBe(1);
    expect(output).toMatch(/repka: /);
    for (const fragment of fragments) expect(output, `printed ${fragment}`).not.toContain(fragment);
  }, 60_000);
});
