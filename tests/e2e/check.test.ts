import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/fake-slack.js';
import { FakeTelegram } from '../fakes/fake-telegram.js';
import { e2eDatabase, redisUrl, signingSecret, supportChannel, telegramToken, webhookSecret } from './harness.js';
import { builtRepka, npmCheckout } from '../support/built-repka.js';

const webhookUrl = 'https://repka.example.com/telegram/webhook';

let slack: FakeSlack;
let telegram: FakeTelegram;
let dir: string;
/** On PostgreSQL, the database the checks open (on SQLite, each check a new file in `dir`). */
let databaseUrl: string | undefined;
/** A port nothing listens on: Redis "down". */
let deadPort: number;

beforeAll(async () => {
  slack = await FakeSlack.start();
  telegram = await FakeTelegram.start({ token: telegramToken });
  slack.addChannel(supportChannel, { name: 'support', members: ['U0AGENT1'] });
  slack.addChannel('C0LEGAL', { name: 'legal', botIsMember: false });
  slack.addChannel('C0SECRET', { name: 'secret', isPrivate: true, botIsMember: false });
  slack.addChannel('C0OLD', { name: 'old', isArchived: true });
  slack.rejectToken('xoxb-revoked', 'token_revoked');
  dir = mkdtempSync(join(tmpdir(), 'repka-check-'));
  databaseUrl = (await e2eDatabase())?.url;
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  await slack.close();
  await telegram.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A departments file with one department per channel id, in `dir`. */
function departments(...channels: string[]): string {
  const file = join(dir, `departments-${channels.join('-') || 'none'}.json`);
  writeFileSync(file, JSON.stringify({ departments: channels.map((c) => ({ id: c.slice(2).toLowerCase(), name: c, slackChannel: c, replyWithin: '1h' })) }));
  return file;
}

const env = (patch: Record<string, string> = {}): Record<string, string> => ({
  DATABASE_PATH: join(dir, `${Math.random().toString(36).slice(2)}.sqlite`),
  ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
  REDIS_URL: redisUrl,
  SLACK_BOT_TOKEN: 'xoxb-check-token',
  SLACK_SIGNING_SECRET: signingSecret,
  SLACK_API_URL: slack.url,
  SLACK_SUPPORT_CHANNEL: supportChannel,
  TELEGRAM_BOT_TOKEN: telegramToken,
  TELEGRAM_API_ROOT: telegram.apiRoot,
  TELEGRAM_WEBHOOK_URL: webhookUrl,
  TELEGRAM_WEBHOOK_SECRET: webhookSecret,
  DEPARTMENTS_FILE: departments(),
  ...patch,
});

/** Runs `npm start -- --check` (or `npm run check`, the same) as one process; resolves with its exit code and stdout lines. */
function check(environment: Record<string, string>, viaNpm = false): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const [command, args, cwd] = viaNpm
    ? ['npm', ['run', '--silent', 'check'], npmCheckout(dir)]
    : [...builtRepka('main', '--check'), mkdtempSync(join(dir, 'cwd-'))];
  const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...environment }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 50_000, killSignal: 'SIGKILL' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, lines: stdout.trim().split('\n'), stderr })));
}

/** The calls that would change something on the platforms: the check makes none. */
const changes = () => [...slack.callsTo('conversations.join'), ...telegram.callsTo('setWebhook'), ...telegram.callsTo('deleteWebhook')];

describe('npm run check', () => {
  it('all is well: a ✓ line per check, exit 0, and nothing changed (no channel joined, no webhook set)', async () => {
    telegram.webhook.url = webhookUrl;
    const environment = env({ DEPARTMENTS_FILE: departments('C0LEGAL') });
    const { code, lines, stderr } = await check(environment, true);
    expect(lines, stderr).toEqual([
      '✓ configuration valid',
      environment.DATABASE_URL === undefined ? `✓ database ${environment.DATABASE_PATH} opens, migrations applied` : `✓ PostgreSQL at ${environment.DATABASE_URL} opens, migrations applied`,
      `✓ Redis at ${redisUrl} answers PING`,
      '✓ SLACK_BOT_TOKEN accepted by Slack (bot @repka in Fake)',
      `✓ SLACK_SUPPORT_CHANNEL is #support (${supportChannel}); Repka is a member`,
      `✓ department "legal" (slackChannel in ${environment.DEPARTMENTS_FILE}) is #legal (C0LEGAL), public; Repka is not a member yet and joins it when it starts (scope channels:join)`,
      '✓ TELEGRAM_BOT_TOKEN accepted by Telegram (bot @repka_test_bot)',
      `✓ Telegram webhook is ${webhookUrl}, no delivery errors`,
      'Everything checked: npm start should come up.',
    ]);
    expect(code).toBe(0);
    expect(changes()).toEqual([]);
    expect(slack.botIsMember('C0LEGAL')).toBe(false);
  }, 30_000);

  it('refused tokens and Redis down: a ✗ line naming each, with its fix, exit 1', async () => {
    const badTelegram = '4242:not-this-bots-token';
    const { code, lines } = await check(env({ SLACK_BOT_TOKEN: 'xoxb-revoked', TELEGRAM_BOT_TOKEN: badTelegram, REDIS_URL: `redis://:pw-secret@127.0.0.1:${deadPort}` }));
    expect(lines).toEqual([
      '✓ configuration valid',
      expect.stringMatching(databaseUrl === undefined ? /^✓ database / : /^✓ PostgreSQL at /),
      expect.stringMatching(new RegExp(`^✗ Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${deadPort} does not answer: .*ECONNREFUSED.* → start Redis \\(README, Quick start\\) or set REDIS_URL`)),
      expect.stringMatching(/^✗ SLACK_BOT_TOKEN was rejected by Slack: token_revoked → copy the Bot User OAuth Token \(xoxb-…\) again from https:\/\/api\.slack\.com\/apps/),
      expect.stringMatching(/^✗ TELEGRAM_BOT_TOKEN was rejected by Telegram: 401 Unauthorized → put the token @BotFather gives you/),
      '3 checks failed.',
    ]);
    expect(code).toBe(1);
    expect(lines.join('\n')).not.toMatch(/pw-secret|xoxb-revoked|not-this-bots-token/);
  }, 30_000);

  it('channels: one missing, one private without the bot, one archived; the webhook elsewhere or failing', async () => {
    telegram.webhook.url = 'https://old.example.com/telegram/webhook';
    const file = departments('C0GONE', 'C0SECRET', 'C0OLD');
    const first = await check(env({ DEPARTMENTS_FILE: file, REPORT_CHANNEL: 'C0NOREPORTS' }));
    expect(first.lines.filter((line) => line.startsWith('✗'))).toEqual([
      `✗ department "gone" (slackChannel in ${file}) is C0GONE, which Slack does not find → no such channel in this workspace (use the channel ID (C…): in Slack, channel details → bottom), or a private channel Repka is not in: then type /invite @repka in that channel`,
      // Slack hides a private channel from a bot outside it: the same answer as for no channel, and the fix names both.
      `✗ department "secret" (slackChannel in ${file}) is C0SECRET, which Slack does not find → no such channel in this workspace (use the channel ID (C…): in Slack, channel details → bottom), or a private channel Repka is not in: then type /invite @repka in that channel`,
      `✗ department "old" (slackChannel in ${file}) is #old (C0OLD), which is archived → unarchive it or configure another channel`,
      // The weekly digest's channel is checked as the departments' are.
      `✗ REPORT_CHANNEL is C0NOREPORTS, which Slack does not find → no such channel in this workspace (use the channel ID (C…): in Slack, channel details → bottom), or a private channel Repka is not in: then type /invite @repka in that channel`,
      `✗ Telegram webhook is https://old.example.com/telegram/webhook, not TELEGRAM_WEBHOOK_URL (${webhookUrl}) → Repka registers its own URL when it starts; if another deployment uses this bot token, give each deployment its own bot`,
    ]);
    expect(first.code).toBe(1);

    telegram.webhook.url = webhookUrl;
    telegram.webhook.last_error_message = 'Connection timed out';
    telegram.webhook.last_error_date = Date.UTC(2026, 0, 2, 3, 4, 5) / 1000;
    const second = await check(env());
    expect(second.lines.filter((line) => line.startsWith('✗'))).toEqual([
      `✗ Telegram webhook ${webhookUrl}: Telegram's last delivery failed (2026-01-02T03:04:05.000Z): Connection timed out → make ${webhookUrl} reach this Repka over HTTPS (a valid certificate, POST /telegram/webhook)`,
    ]);
    expect(second.code).toBe(1);
    delete telegram.webhook.last_error_message;
    delete telegram.webhook.last_error_date;
    expect(changes()).toEqual([]);
  }, 30_000);

  it('an invalid configuration: a ✗ line per problem, nothing else asked, exit 1', async () => {
    const since = Date.now();
    const { code, lines } = await check(env({ SLACK_SUPPORT_CHANNEL: '#support', TELEGRAM_BOT_TOKEN: '123456789:replace-me' }));
    expect(lines).toEqual([
      '✗ configuration: SLACK_SUPPORT_CHANNEL is "#support", a channel name: use the channel ID (C…): in Slack, channel details → bottom',
      expect.stringMatching(/^✗ configuration: TELEGRAM_BOT_TOKEN is still the example's placeholder: fill in the token @BotFather gave you/),
      '- database, Redis, Slack and Telegram not checked: they need a valid configuration',
    ]);
    expect(code).toBe(1);
    expect(slack.calls.filter((c) => c.at >= since)).toEqual([]);
  }, 30_000);
});
