import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/fake-slack.js';
import { FakeTelegram, textUpdate } from '../fakes/fake-telegram.js';
import { e2eDatabase, ivan, redisUrl, registerChannels, signingSecret, supportChannel, telegramToken } from './harness.js';
import { builtRepka } from '../support/built-repka.js';


interface Exit {
  code: number | null;
  stderr: string;
}

function run(env: Record<string, string>, cwd: string): { child: ChildProcess; exited: Promise<Exit>; stderr: () => string } {
  const [command, args] = builtRepka('main');
  const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  return { child, exited, stderr: () => stderr };
}

let slack: FakeSlack;
let telegram: FakeTelegram;
let dir: string;
/** On PostgreSQL, this file's database (on SQLite, its file in `dir`). */
let databaseUrl: string | undefined;

beforeAll(async () => {
  slack = await FakeSlack.start();
  telegram = await FakeTelegram.start({ token: telegramToken });
  registerChannels(slack);
  dir = mkdtempSync(join(tmpdir(), 'repka-process-'));
  databaseUrl = (await e2eDatabase())?.url;
});
afterAll(async () => {
  await slack.close();
  await telegram.close();
  rmSync(dir, { recursive: true, force: true });
  slack.assertNoViolations();
  telegram.assertNoViolations();
});

const validEnv = () => ({
  PORT: '0',
  DATABASE_PATH: join(dir, 'data', 'repka.sqlite'),
  ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: `proc-${process.pid}`,
  SLACK_BOT_TOKEN: 'xoxb-process-test',
  SLACK_SIGNING_SECRET: signingSecret,
  SLACK_API_URL: slack.url,
  SLACK_SUPPORT_CHANNEL: supportChannel,
  TELEGRAM_BOT_TOKEN: telegramToken,
  TELEGRAM_API_ROOT: telegram.apiRoot,
});

describe('npm start (the compiled bots/main.ts) as a process', () => {
  it.each([
    ['SLACK_BOT_TOKEN', { SLACK_BOT_TOKEN: '' }],
    ['SLACK_SUPPORT_CHANNEL', { SLACK_SUPPORT_CHANNEL: 'support' }],
    ['TELEGRAM_WEBHOOK_SECRET', { TELEGRAM_WEBHOOK_URL: 'https://x.example/telegram/webhook' }],
    ['PORT', { PORT: 'eighty' }],
  ])('exits 1 with one line naming %s when it is missing or bad', async (name, patch) => {
    const env = { ...validEnv(), ...patch };
    const { exited } = run(env as Record<string, string>, dir);
    const { code, stderr } = await exited;
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
  });

  it('names the field of a bad departments file', async () => {
    const file = join(dir, 'bad-departments.json');
    writeFileSync(file, JSON.stringify({ departments: [{ id: 'dev', name: 'Development', slackChannel: 'C0DEV', replyWithin: 'soon' }] }));
    const { exited } = run({ ...validEnv(), DEPARTMENTS_FILE: file }, dir);
    const { code, stderr } = await exited;
    expect(code).toBe(1);
    expect(stderr).toContain('departments.0.replyWithin');
  });

  it('runs with long polling, opens a case from a polled update, and exits 0 on SIGTERM', async () => {
    const { child, exited, stderr } = run(validEnv(), dir);
    await telegram.waitFor('getUpdates', undefined, 20_000);
    telegram.pushUpdate(textUpdate(ivan, 'hello from polling'));
    const card = await slack.waitFor('chat.postMessage', (c) => String(c.params.text).includes('hello from polling'), 10_000);
    expect(card.params.channel).toBe(supportChannel);
    await telegram.waitFor('sendMessage', (c) => c.params.chat_id === ivan.id, 10_000);
    child.kill('SIGTERM');
    const { code } = await exited;
    expect(code, stderr()).toBe(0);
  }, 40_000);
});
