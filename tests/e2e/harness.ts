import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig, secretsOf, type Config } from '../../bots/config.js';
import { createLogger } from '../../bots/logger.js';
import { startRepka, type RepkaOptions, type RunningRepka } from '../../bots/app.js';
import { FakeSlack, nextTs, sendSlackEvent, type ChannelSpec, type SlackCall } from '../fakes/fake-slack.js';
import { FakeTelegram, postTelegramUpdate, textUpdate, type TgUser } from '../fakes/fake-telegram.js';
import { slackWireMessage } from '../fakes/slack-wire.js';
import pg from 'pg';
import { afterAll } from 'vitest';
import { createTestDatabase, testPostgresUrl } from '../support/test-storage.js';
import { openTestDb, type TestDb } from './test-db.js';

export type { TestDb } from './test-db.js';

export const signingSecret = 'test-signing-secret-0123456789';
export const webhookSecret = 'tg_webhook_secret-42';
export const telegramToken = '123456:TEST-token_abc';
export const supportChannel = 'C0SUPPORT';
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const ivan: TgUser = { id: 5001, first_name: 'Ivan', last_name: 'Petrov', username: 'ivanp', language_code: 'ru' };
export const olena: TgUser = { id: 5002, first_name: 'Olena', language_code: 'uk' };
export const john: TgUser = { id: 5003, first_name: 'John', last_name: 'Smith', language_code: 'en-GB' };

export interface HarnessOptions {
  /** Extra or replaced environment variables. */
  readonly env?: Record<string, string | undefined>;
  /** Departments file content (JSON). */
  readonly departments?: unknown;
  readonly options?: Partial<RepkaOptions>;
  /** Reuse a data folder (restart tests). */
  readonly dataDir?: string;
  readonly slack?: FakeSlack;
  readonly telegram?: FakeTelegram;
  /**
   * Channels as the workspace has them, by id, over the defaults: the support channel and every
   * department's `slackChannel`, public, with the bot a member. E.g. `{ C0LEGAL: { isPrivate: true, botIsMember: false } }`.
   */
  readonly channels?: Record<string, ChannelSpec>;
  /**
   * The test sends oversized or forbidden things on purpose: the fakes refuse them as the platforms
   * do, and `stop` does not fail on those refusals. Default false: any refusal fails the test.
   */
  readonly expectRefusals?: boolean;
}

export interface Harness {
  readonly slack: FakeSlack;
  readonly telegram: FakeTelegram;
  readonly app: RunningRepka;
  readonly config: Config;
  readonly url: string;
  readonly dataDir: string;
  readonly logs: string[];
  /**
   * Repka's database, read and written directly, the same on SQLite and PostgreSQL (see
   * tests/e2e/test-db.ts): SQL with `?` placeholders. Closed when the harness stops for good.
   */
  readonly db: TestDb;
  /** The client writes text in their private chat (through the webhook). */
  clientSays(user: TgUser, text: string): Promise<{ status: number; body: string }>;
  /** Sends any update through the webhook with the right secret. */
  sendUpdate(update: unknown): Promise<{ status: number; body: string }>;
  /** A human types `text` in a thread of a channel (default: the support channel); the event carries it as Slack sends it (tests/fakes/slack-wire.ts). Returns the message ts. */
  agentSays(threadTs: string, user: string, text: string, channel?: string): Promise<{ ts: string; status: number }>;
  /**
   * Waits until Repka has recorded the ts of the message it posted at `threadTs` (a card, a
   * department question): a person replying there has seen it, so no event can come sooner.
   */
  repkaKnowsThread(channel: string, threadTs: string): Promise<void>;
  /** The client writes; resolves with the case number and thread ts once the card is in Slack and Repka has recorded its ts. */
  openCase(user: TgUser, text: string): Promise<{ caseId: number; threadTs: string; card: SlackCall }>;
  /**
   * Stops the app (keeping fakes and data unless `all`), then throws listing every call the fakes
   * refused as the platforms would, unless the test expects refusals (option `expectRefusals`, or
   * `slack.expectRefusals()` / `telegram.expectRefusals()`).
   */
  stop(all?: boolean): Promise<void>;
}

/** What a test file made and must undo when it ends, even when a test did not stop its harness. */
const leftovers = {
  databases: new Set<() => Promise<void>>(),
  harnesses: new Set<() => Promise<void>>(),
};
// Registered while the test file that imports this module is collected: runs when that file is
// done, after the file's own afterAll hooks (they run in reverse order of registration).
afterAll(async () => {
  for (const stop of [...leftovers.harnesses]) await stop().catch(() => undefined);
  for (const drop of [...leftovers.databases]) await drop();
});

/**
 * On PostgreSQL (the suite run with DATABASE_URL, see tests/support/test-storage.ts), a fresh
 * database of the test server for one Repka: its url and `drop`, which is also done when the test
 * file ends. On SQLite, undefined.
 */
export async function e2eDatabase(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  if (testPostgresUrl === undefined) return undefined;
  const serverUrl = testPostgresUrl;
  const database = await createTestDatabase(serverUrl);
  let dropped: Promise<void> | undefined;
  const drop = () => {
    leftovers.databases.delete(drop);
    return (dropped ??= quiesced(serverUrl, database.url).then(database.drop));
  };
  leftovers.databases.add(drop);
  return { url: database.url, drop };
}

/**
 * Waits (at most 2 s) until no session is connected to the database at `url`: a pool that has
 * ended still closes its connections afterwards, and a drop `with (force)` would cut them, which
 * their clients report as errors.
 */
async function quiesced(serverUrl: string, url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const connected = async () => Number((await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [name])).rows[0]?.n ?? 0);
    await eventually(async () => (await connected()) === 0, 2000).catch(() => undefined);
  } finally {
    await admin.end();
  }
}

/** The PostgreSQL database of each data folder a harness made (a restart with the same `dataDir` reuses it). */
const databaseOfDataDir = new Map<string, { url: string; drop: () => Promise<void> }>();

/**
 * The environment of a Repka in webhook mode against these fakes, with its SQLite file and
 * departments.json in `dataDir` and its own queue prefix; with `databaseUrl`, PostgreSQL instead
 * of the SQLite file.
 */
export function fakesEnv(slack: FakeSlack, telegram: FakeTelegram, dataDir: string, queuePrefix: string, databaseUrl?: string): Record<string, string> {
  return {
    PORT: '0',
    DATABASE_PATH: join(dataDir, 'repka.sqlite'),
    ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    SLACK_BOT_TOKEN: 'xoxb-test-token-1',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.url,
    SLACK_SUPPORT_CHANNEL: supportChannel,
    TELEGRAM_BOT_TOKEN: telegramToken,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_WEBHOOK_URL: 'https://repka.example.com/telegram/webhook',
    TELEGRAM_WEBHOOK_SECRET: webhookSecret,
    DEPARTMENTS_FILE: join(dataDir, 'departments.json'),
  };
}

/**
 * Whether Repka has recorded `ts` as the thread of a message it posted at the top of `channel`: a
 * case card or a department question. Repka commits that once Slack has answered the post, a little
 * after the fake logs the call.
 */
export async function threadRecorded(db: TestDb, channel: string, ts: string): Promise<boolean> {
  const row = await db.get('select 1 as known from cases where slack_channel = ? and slack_thread_ts = ? union all select 1 as known from asks where slack_channel = ? and slack_ts = ?', channel, ts, channel, ts);
  return row !== undefined;
}

/** Starts fakes and the real app (the code `npm start` runs) with webhook mode and a fresh queue prefix. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const slack = opts.slack ?? (await FakeSlack.start());
  const telegram = opts.telegram ?? (await FakeTelegram.start({ token: telegramToken }));
  addStaff(slack);
  registerChannels(slack, opts.departments, opts.channels);
  if (opts.expectRefusals) {
    slack.expectRefusals();
    telegram.expectRefusals();
  }
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'repka-test-'));
  writeFileSync(join(dataDir, 'departments.json'), JSON.stringify(opts.departments ?? { departments: [] }));
  // On PostgreSQL, the data folder's database: a new one, or the one of the Repka this restarts.
  let database = databaseOfDataDir.get(dataDir);
  if (database === undefined && testPostgresUrl !== undefined) {
    database = await e2eDatabase();
    if (database !== undefined) databaseOfDataDir.set(dataDir, database);
  }
  const env: Record<string, string | undefined> = { ...fakesEnv(slack, telegram, dataDir, `test-${randomUUID().slice(0, 8)}`, database?.url), LOG_LEVEL: 'debug', ...opts.env };
  const config = loadConfig(env);
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', secrets: secretsOf(config), write: (line) => logs.push(line) });
  const unlimited = { perSecond: Number.POSITIVE_INFINITY, burst: 1 };
  const app = await startRepka(config, {
    log,
    slackChannelRate: unlimited,
    telegramChatRate: unlimited,
    telegramGlobalRate: unlimited,
    backoffBaseMs: 20,
    sweepEveryMs: 500,
    metricsMaxAgeMs: 0,
    ...opts.options,
  });
  const url = `http://127.0.0.1:${app.port}`;
  const db = openTestDb(config);
  let appStopped = false;
  // When the file ends with this harness not stopped for good: its database closed and, on
  // PostgreSQL, its app stopped first (the database is dropped next).
  const leftover = async () => {
    leftovers.harnesses.delete(leftover);
    if (!appStopped && database !== undefined) {
      appStopped = true;
      await app.stop();
    }
    await db.close();
  };
  leftovers.harnesses.add(leftover);
  /**
   * Repka records the ts of a message it posted at the top of a channel (a case card, a department
   * question) once Slack has answered the post, in a transaction of its own: a person replying in
   * that thread has seen the message, and cannot be quicker than that commit. Waits for it (at most
   * 5 s; a thread Repka never records is then written in as it is).
   */
  const repkaKnowsThread = async (channel: string, threadTs: string) => {
    const root = slack.messages(channel).find((m) => m.ts === threadTs && m.thread_ts === undefined && m.bot_id !== undefined);
    if (root === undefined) return;
    await eventually(() => threadRecorded(db, channel, threadTs), 5000).catch(() => undefined);
  };
  const sendUpdate = (update: unknown) => postTelegramUpdate(url, webhookSecret, update);
  const harness: Harness = {
    slack,
    telegram,
    app,
    config,
    url,
    dataDir,
    logs,
    repkaKnowsThread,
    db,
    sendUpdate,
    clientSays: (user, text) => sendUpdate(textUpdate(user, text)),
    async agentSays(threadTs, user, text, channel = supportChannel) {
      await repkaKnowsThread(channel, threadTs);
      const ts = nextTs();
      // What Slack sends for this typed text: escaped, links and mentions as <…>, emoji as :names:.
      const wire = slackWireMessage(text, slack.userIdsByName());
      const event = { type: 'message', channel, user, text: wire.text, blocks: wire.blocks, client_msg_id: randomUUID(), ts, thread_ts: threadTs, event_ts: ts, channel_type: 'channel' };
      const { status } = await sendSlackEvent(url, signingSecret, event);
      return { ts, status };
    },
    async openCase(user, text) {
      // This client's card: another client's case may be opened at the same moment (a test before this one still running).
      const who = [user.first_name, user.last_name].filter(Boolean).join(' ');
      // The name as the card's JSON carries it: escaped for Slack (&, <, >) when it has those.
      const shownAs = [who, who.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')].map((name) => JSON.stringify(name).slice(1, -1));
      const isCard = (c: SlackCall) => c.params.channel === supportChannel && c.params.thread_ts === undefined && shownAs.some((name) => JSON.stringify(c.params.blocks ?? '').includes(name));
      const before = slack.callsTo('chat.postMessage').filter(isCard).length;
      const answer = await sendUpdate(textUpdate(user, text));
      if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}: ${answer.body}`);
      const cards = await slack.waitForCount('chat.postMessage', before + 1, isCard);
      const card = cards[cards.length - 1] as SlackCall;
      const caseId = Number(/#(\d+)/.exec(String(card.params.text))?.[1]);
      const threadTs = slack.messages(supportChannel).find((m) => m.text === card.params.text && m.thread_ts === undefined)?.ts;
      if (threadTs === undefined) throw new Error('card not stored by the fake');
      // What the caller does next in its thread or with its buttons, Repka can place.
      await repkaKnowsThread(supportChannel, threadTs);
      return { caseId, threadTs, card };
    },
    async stop(all = false) {
      appStopped = true;
      await app.stop();
      if (all) {
        leftovers.harnesses.delete(leftover);
        await db.close();
        await slack.close();
        await telegram.close();
        if (opts.dataDir === undefined) {
          rmSync(dataDir, { recursive: true, force: true });
          // Its database goes with its data folder; a folder the test passed in keeps it until the file ends.
          databaseOfDataDir.delete(dataDir);
          await database?.drop();
        }
      }
      slack.assertNoViolations();
      telegram.assertNoViolations();
    },
  };
  return harness;
}

/**
 * Makes the channels a test's Repka uses exist in the fake workspace: the support channel (its
 * members the two agents) and every department's `slackChannel` (public, bot a member), then
 * `overrides` by id. A channel already
 * there (a fake shared across restarts) is left as the test set it unless overridden.
 */
/** The workspace's people every e2e test knows: agents Anna (U0AGENT1) and Boris (U0AGENT2), developer Dmitry (U0DEV1). */
export function addStaff(slack: FakeSlack): void {
  for (const [id, name] of [
    ['U0AGENT1', 'Anna'],
    ['U0AGENT2', 'Boris'],
    ['U0DEV1', 'Dmitry'],
  ] as const) {
    slack.addUser({ id, name: name.toLowerCase(), real_name: name, display_name: name });
  }
}

export function registerChannels(slack: FakeSlack, departments?: unknown, overrides: Record<string, ChannelSpec> = {}): void {
  const listed = (departments as { departments?: { slackChannel?: unknown; id?: unknown }[] } | undefined)?.departments ?? [];
  const ids = [supportChannel, ...listed.map((d) => d.slackChannel).filter((c): c is string => typeof c === 'string')];
  // Anna and Boris work in the support channel; Dmitry (a developer) is not in it.
  for (const id of ids) if (slack.botIsMember(id) === undefined) slack.addChannel(id, id === supportChannel ? { name: 'support', members: ['U0AGENT1', 'U0AGENT2'] } : { name: id.toLowerCase() });
  for (const [id, spec] of Object.entries(overrides)) slack.addChannel(id, spec);
}

/** Waits until `check` returns a value other than undefined/false, polling every 20 ms. */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Resolves after `ms`: for a pace, or for real time to pass (a deadline in a spawned process).
 * Never to show that something did not happen: cause a later event on the same stream, wait for
 * it, then check (see afterLaterReply in agent-flow.test.ts).
 */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
