import { Redis } from 'ioredis';
import { webApi } from '@slack/bolt';
import { Telegram } from 'telegraf';
import { channelIdHint, type Config, type ConfigError } from './config.js';
import { openStorage } from '../db/open-storage.js';
import { slackRejection, telegramRejection } from './rejected-credential.js';

/** One line of the checklist `npm run check` prints. */
export interface CheckResult {
  readonly ok: boolean;
  /** What was checked and what was found, e.g. `Redis at redis://127.0.0.1:6379 answers PING`. */
  readonly text: string;
  /** For a failed check: what to do about it. */
  readonly fix?: string;
}

/** Tunables of {@link checkRepka}. */
export interface CheckOptions {
  /** Each platform call and the Redis connection give up after this long, ms. Default 10 s. */
  readonly timeoutMs?: number;
  /** Called with each result as soon as it is known (the checklist is printed as it goes). */
  readonly onResult?: (result: CheckResult) => void;
}

const pass = (text: string): CheckResult => ({ ok: true, text });
const failure = (text: string, fix: string): CheckResult => ({ ok: false, text, fix });

/** The checklist as printed: one line per check, ✓ or ✗, a failing line followed by its fix. */
export function formatCheck(result: CheckResult): string {
  if (result.ok) return `✓ ${result.text}`;
  return result.fix === undefined ? `✗ ${result.text}` : `✗ ${result.text} → ${result.fix}`;
}

/** The configuration's problems as checklist lines, one per variable. */
export function configurationResults(error: ConfigError): CheckResult[] {
  // Each problem says what to do already.
  return error.problems.map((problem) => ({ ok: false, text: `configuration: ${problem}` }));
}

/** A URL without the password it may carry (`redis://:secret@host`). */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

function reason(error: unknown): string {
  return (error as Error).message.replace(/^A request error occurred: /, '');
}

/**
 * Checks what `npm start` needs, without changing anything on the platforms (it joins no channel
 * and registers no webhook): the database (opened, pending migrations applied), Redis (PING), the
 * Slack bot token (auth.test) and app-level token (apps.connections.open, when set), every channel
 * Repka needs (conversations.info: exists, not archived, the bot is a member or may join a public
 * one), the Telegram token (getMe) and, in webhook mode, the registered webhook (getWebhookInfo).
 * No call is retried. Resolves with every result; never throws for a failed check.
 */
export async function checkRepka(config: Config, options: CheckOptions = {}): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  report(await checkDatabase(config));
  report(await checkRedis(config, timeoutMs));
  for (const result of await checkSlack(config, timeoutMs)) report(result);
  for (const result of await checkTelegram(config, timeoutMs)) report(result);
  return results;
}

async function checkDatabase(config: Config): Promise<CheckResult> {
  const where = config.databaseUrl === undefined ? `database ${config.databasePath}` : `PostgreSQL at ${withoutPassword(config.databaseUrl)}`;
  try {
    const storage = await openStorage(config);
    await storage.close();
    return pass(`${where} opens, migrations applied`);
  } catch (error) {
    const fix = config.databaseUrl === undefined ? 'set DATABASE_PATH to a file in a folder Repka may create and write' : 'start PostgreSQL, create the database, or correct DATABASE_URL';
    return failure(`${where} cannot be opened: ${reason(error)}`, fix);
  }
}

async function checkRedis(config: Config, timeoutMs: number): Promise<CheckResult> {
  const where = withoutPassword(config.redisUrl);
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  // The connection's own error (ECONNREFUSED, a wrong password) says more than "Connection is closed".
  let cause: Error | undefined;
  redis.on('error', (error: Error) => (cause ??= error));
  try {
    await redis.connect();
    await redis.ping();
    return pass(`Redis at ${where} answers PING`);
  } catch (error) {
    return failure(`Redis at ${where} does not answer: ${reason(cause ?? error)}`, 'start Redis (README, Quick start) or set REDIS_URL to where it runs');
  } finally {
    redis.disconnect();
  }
}

async function checkSlack(config: Config, timeoutMs: number): Promise<CheckResult[]> {
  const options = { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: timeoutMs, logLevel: webApi.LogLevel.ERROR, logger: silentSlackLogger };
  const unreachable = (method: string, error: unknown) =>
    failure(`Slack at ${config.slack.apiUrl} did not answer ${method}: ${reason(error)}`, 'check the network, or SLACK_API_URL (default https://slack.com/api/)');
  const client = new webApi.WebClient(config.slack.botToken, options);
  const results: CheckResult[] = [];
  let botName: string;
  try {
    const auth = await client.auth.test();
    botName = auth.user ?? 'repka';
    results.push(pass(`SLACK_BOT_TOKEN accepted by Slack (bot @${botName} in ${auth.team ?? 'the workspace'})`));
  } catch (error) {
    const rejected = slackRejection('SLACK_BOT_TOKEN', error);
    results.push(rejected === undefined ? unreachable('auth.test', error) : failure(`SLACK_BOT_TOKEN was rejected by Slack: ${rejected.answer}`, fixOf(rejected.message)));
    return results;
  }
  if (config.slack.appToken !== undefined) {
    try {
      await new webApi.WebClient(config.slack.appToken, options).apps.connections.open();
      results.push(pass('SLACK_APP_TOKEN accepted by Slack (Socket Mode)'));
    } catch (error) {
      const rejected = slackRejection('SLACK_APP_TOKEN', error);
      results.push(rejected === undefined ? unreachable('apps.connections.open', error) : failure(`SLACK_APP_TOKEN was rejected by Slack: ${rejected.answer}`, fixOf(rejected.message)));
    }
  }
  const needed = [
    { id: config.slack.supportChannel, configuredBy: 'SLACK_SUPPORT_CHANNEL' },
    ...config.departments.departments.map((d) => ({ id: d.channel, configuredBy: `department "${d.id}" (slackChannel in ${config.departmentsFile})` })),
    ...(config.digest === undefined ? [] : [{ id: config.digest.channel, configuredBy: 'REPORT_CHANNEL' }]),
  ];
  const seen = new Set<string>();
  for (const { id, configuredBy } of needed) {
    if (seen.has(id)) continue;
    seen.add(id);
    results.push(await checkChannel(client, id, configuredBy, botName, unreachable));
  }
  return results;
}

/** The fix part of a {@link RejectedCredentialError} message (after the first "; "). */
function fixOf(message: string): string {
  return message.slice(message.indexOf('; ') + 2);
}

async function checkChannel(
  client: webApi.WebClient,
  id: string,
  configuredBy: string,
  botName: string,
  unreachable: (method: string, error: unknown) => CheckResult,
): Promise<CheckResult> {
  const invite = `type /invite @${botName} in that channel`;
  let channel: { name?: string; is_archived?: boolean; is_member?: boolean; is_private?: boolean } | undefined;
  try {
    channel = (await client.conversations.info({ channel: id })).channel;
  } catch (error) {
    const code = (error as { code?: string; data?: { error?: string } }).code === webApi.ErrorCode.PlatformError ? (error as { data?: { error?: string } }).data?.error : undefined;
    if (code === undefined) return unreachable('conversations.info', error);
    if (code === 'channel_not_found') {
      return failure(`${configuredBy} is ${id}, which Slack does not find`, `no such channel in this workspace (${channelIdHint}), or a private channel Repka is not in: then ${invite}`);
    }
    return failure(`${configuredBy} is ${id}: conversations.info answered ${code}`, 'see manifest.yml for the scopes Repka needs, and reinstall the app');
  }
  const name = channel?.name === undefined ? id : `#${channel.name} (${id})`;
  if (channel?.is_archived === true) return failure(`${configuredBy} is ${name}, which is archived`, 'unarchive it or configure another channel');
  if (channel?.is_member === true) return pass(`${configuredBy} is ${name}; Repka is a member`);
  if (channel?.is_private === true) return failure(`${configuredBy} is ${name}, a private channel Repka is not in`, invite);
  return pass(`${configuredBy} is ${name}, public; Repka is not a member yet and joins it when it starts (scope channels:join)`);
}

async function checkTelegram(config: Config, timeoutMs: number): Promise<CheckResult[]> {
  const telegram = new Telegram(config.telegram.botToken, { apiRoot: config.telegram.apiRoot });
  const withTimeout = <T>(call: Promise<T>): Promise<T> =>
    Promise.race([call, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref())]);
  const unreachable = (method: string, error: unknown) =>
    failure(`Telegram at ${config.telegram.apiRoot} did not answer ${method}: ${reason(error)}`, 'check the network, or TELEGRAM_API_ROOT (default https://api.telegram.org)');
  const results: CheckResult[] = [];
  try {
    const me = await withTimeout(telegram.getMe());
    results.push(pass(`TELEGRAM_BOT_TOKEN accepted by Telegram (bot @${me.username})`));
  } catch (error) {
    const rejected = telegramRejection(error);
    results.push(rejected === undefined ? unreachable('getMe', error) : failure(`TELEGRAM_BOT_TOKEN was rejected by Telegram: ${rejected.answer}`, fixOf(rejected.message)));
    return results;
  }
  const webhook = config.telegram.webhookUrl;
  if (webhook === undefined) return results;
  try {
    const info = await withTimeout(telegram.getWebhookInfo());
    if (info.url === '') {
      results.push(pass(`Telegram webhook not registered yet; Repka registers ${webhook} when it starts`));
    } else if (info.url !== webhook) {
      results.push(
        failure(
          `Telegram webhook is ${info.url}, not TELEGRAM_WEBHOOK_URL (${webhook})`,
          'Repka registers its own URL when it starts; if another deployment uses this bot token, give each deployment its own bot',
        ),
      );
    } else if (info.last_error_message !== undefined && info.last_error_message !== '') {
      const at = info.last_error_date === undefined ? '' : ` (${new Date(info.last_error_date * 1000).toISOString()})`;
      results.push(failure(`Telegram webhook ${webhook}: Telegram's last delivery failed${at}: ${info.last_error_message}`, `make ${webhook} reach this Repka over HTTPS (a valid certificate, POST /telegram/webhook)`));
    } else {
      results.push(pass(`Telegram webhook is ${webhook}, no delivery errors`));
    }
  } catch (error) {
    results.push(unreachable('getWebhookInfo', error));
  }
  return results;
}

/** The WebClient's own logging is off here: each check reports its outcome itself. */
const silentSlackLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => webApi.LogLevel.ERROR,
  setName: () => undefined,
};
