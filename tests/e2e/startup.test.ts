import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/fake-slack.js';
import { FakeTelegram } from '../fakes/fake-telegram.js';
import { e2eDatabase, redisUrl, registerChannels, signingSecret, supportChannel, telegramToken } from './harness.js';
import { builtRepka } from '../support/built-repka.js';

const root = new URL('../../', import.meta.url).pathname;

let slack: FakeSlack;
let telegram: FakeTelegram;
let dir: string;
/** On PostgreSQL, the database these Repkas share (on SQLite, each has a file of its own). */
let databaseUrl: string | undefined;

beforeAll(async () => {
  slack = await FakeSlack.start();
  telegram = await FakeTelegram.start({ token: telegramToken });
  registerChannels(slack);
  slack.rejectToken('xoxb-wrong-token', 'invalid_auth');
  slack.rejectToken('xoxb-revoked-token', 'token_revoked');
  dir = mkdtempSync(join(tmpdir(), 'repka-startup-'));
  databaseUrl = (await e2eDatabase())?.url;
});
afterAll(async () => {
  await slack.close();
  await telegram.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stderr: string;
  /** From spawn to exit, ms. */
  readonly ms: number;
}

/** `npm start` as one process in `cwd` (default: a fresh folder), with only `env` (and PATH) as its environment. */
function start(env: Record<string, string>, cwd = mkdtempSync(join(dir, 'run-'))): Promise<Run> {
  const began = Date.now();
  const [command, args] = builtRepka('main');
  const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 50_000, killSignal: 'SIGKILL' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr, ms: Date.now() - began })));
}

const fakesEnv = (): Record<string, string> => ({
  PORT: '0',
  DATABASE_PATH: join(dir, `${Math.random().toString(36).slice(2)}.sqlite`),
  ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: `startup-${process.pid}`,
  SLACK_BOT_TOKEN: 'xoxb-good-token',
  SLACK_SIGNING_SECRET: signingSecret,
  SLACK_API_URL: slack.url,
  SLACK_SUPPORT_CHANNEL: supportChannel,
  TELEGRAM_BOT_TOKEN: telegramToken,
  TELEGRAM_API_ROOT: telegram.apiRoot,
});

const callsSince = <C extends { at: number }>(calls: readonly C[], since: number) => calls.filter((c) => c.at >= since);

describe('a credential the platform refuses stops start-up at once, naming the variable', () => {
  it.each([
    ['invalid_auth', 'xoxb-wrong-token'],
    ['token_revoked', 'xoxb-revoked-token'],
  ])('Slack answers %s to auth.test: one line naming SLACK_BOT_TOKEN, asked once', async (answer, token) => {
    const since = Date.now();
    const run = await start({ ...fakesEnv(), SLACK_BOT_TOKEN: token });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n'), run.stderr).toEqual([expect.stringMatching(new RegExp(`^repka: cannot start: SLACK_BOT_TOKEN was rejected by Slack: ${answer}; copy the Bot User OAuth Token`))]);
    expect(run.stderr).not.toContain(token);
    expect(callsSince(slack.callsTo('auth.test'), since)).toHaveLength(1);
    // Not 13 s of retries (their pauses alone add up to 12.5 s): loading the code and asking once.
    expect(run.ms).toBeLessThan(12_000);
  }, 20_000);

  it.each([
    ['webhook mode', { TELEGRAM_WEBHOOK_URL: 'https://repka.example.com/telegram/webhook', TELEGRAM_WEBHOOK_SECRET: 'webhook-secret-0123456789' }],
    ['long polling', {}],
  ])('Telegram answers 401 in %s: one line naming TELEGRAM_BOT_TOKEN, asked once, before any queue', async (_mode, extra) => {
    const since = Date.now();
    const badToken = '999999:not-the-bots-token';
    const run = await start({ ...fakesEnv(), ...extra, TELEGRAM_BOT_TOKEN: badToken });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n'), run.stderr).toEqual([expect.stringMatching(/^repka: cannot start: TELEGRAM_BOT_TOKEN was rejected by Telegram: 401 Unauthorized; put the token @BotFather gives you/)]);
    expect(run.stderr).not.toContain('not-the-bots-token');
    expect(callsSince(telegram.unauthorized, since)).toEqual([{ method: 'getMe', status: 401, at: expect.any(Number) }]);
    // Not 13 s of retries (their pauses alone add up to 12.5 s): loading the code and asking once.
    expect(run.ms).toBeLessThan(12_000);
  }, 20_000);
});

describe('a platform that cannot be reached is retried, and said once', () => {
  it('Slack refuses connections: one warning, then the failure, in two lines', async () => {
    const run = await start({ ...fakesEnv(), SLACK_API_URL: 'http://127.0.0.1:1/api/' });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(2);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'warn', msg: 'Slack auth.test failed, retrying', attempts: 6 });
    expect(lines[1]).toMatch(/^repka: cannot start: Slack auth.test failed: .*ECONNREFUSED/);
  }, 40_000);
});

describe('the first npm start with .env copied from .env.example', () => {
  it('unchanged: every placeholder named at once, before any call to Slack or Telegram', async () => {
    const cwd = mkdtempSync(join(dir, 'example-'));
    copyFileSync(join(root, '.env.example'), join(cwd, '.env'));
    const since = Date.now();
    // The environment wins over .env: the platform URLs point at the fakes, to see that nothing is called.
    const run = await start({ SLACK_API_URL: slack.url, TELEGRAM_API_ROOT: telegram.apiRoot, DATABASE_PATH: join(cwd, 'repka.sqlite') }, cwd);
    expect(run.code).toBe(1);
    // One line (the contract's "one-line reason"), every problem in it.
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    const problems = (lines[0] as string).replace(/^repka: invalid configuration, 4 problems: /, '').split(' | ');
    expect(lines[0]).toMatch(/^repka: invalid configuration, 4 problems: \(1\) /);
    expect(problems).toEqual([
      expect.stringMatching(/^\(1\) SLACK_BOT_TOKEN is still the example's placeholder: fill in your Bot User OAuth Token/),
      expect.stringMatching(/^\(2\) SLACK_SIGNING_SECRET is still the example's placeholder: fill in your Signing Secret/),
      expect.stringMatching(/^\(3\) SLACK_SUPPORT_CHANNEL is still the example's placeholder: .*channel details → bottom/),
      expect.stringMatching(/^\(4\) TELEGRAM_BOT_TOKEN is still the example's placeholder: fill in the token @BotFather gave you/),
    ]);
    expect(callsSince(slack.calls, since)).toEqual([]);
    expect(callsSince(telegram.calls, since)).toEqual([]);
    expect(callsSince(telegram.unauthorized, since)).toEqual([]);
  }, 20_000);

  it('a channel written as #support, which .env reads as a comment: explained, with where the ID is', async () => {
    const cwd = mkdtempSync(join(dir, 'hash-'));
    writeFileSync(join(cwd, '.env'), 'SLACK_SUPPORT_CHANNEL=#support\n');
    const { SLACK_SUPPORT_CHANNEL: _unused, ...env } = fakesEnv();
    const run = await start(env, cwd);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      'repka: invalid configuration: SLACK_SUPPORT_CHANNEL is empty: in .env a # starts a comment, so SLACK_SUPPORT_CHANNEL=#support reads as SLACK_SUPPORT_CHANNEL=; use the channel ID (C…): in Slack, channel details → bottom',
    );
  }, 20_000);
});
