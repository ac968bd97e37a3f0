import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack, nextTs, sendSlackEvent, type StoredMessage } from '../fakes/fake-slack.js';
import { commandUpdate, FakeTelegram, postTelegramUpdate, textUpdate, type TgUser, type Update } from '../fakes/fake-telegram.js';
import { e2eDatabase, eventually, fakesEnv, pause, redisUrl, registerChannels, signingSecret, supportChannel, telegramToken, threadRecorded, webhookSecret } from './harness.js';
import { openTestDb, type TestDb } from './test-db.js';
import { builtRepka } from '../support/built-repka.js';

// The contract's "Guarantees under faults" for crashes, with Repka as `npm start` runs it: its own
// Node process (tsx as an import hook, so the PID is Repka's own and SIGKILL reaches it).


interface RepkaProcess {
  readonly pid: number;
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  stderr(): string;
}

/** One test's world: its fakes, data folder and queue prefix; restarts reuse the same env. */
interface World {
  readonly slack: FakeSlack;
  readonly telegram: FakeTelegram;
  readonly dir: string;
  readonly prefix: string;
  readonly env: Record<string, string>;
  readonly processes: RepkaProcess[];
  /** Repka's database, read directly (its SQLite file, or its own PostgreSQL database). */
  readonly db: TestDb;
  /** Drops the PostgreSQL database, if any (else nothing). */
  readonly dropDatabase: () => Promise<void>;
}

const worlds: World[] = [];

async function createWorld(departments: unknown = { departments: [] }): Promise<World> {
  const slack = await FakeSlack.start();
  const telegram = await FakeTelegram.start({ token: telegramToken });
  registerChannels(slack, departments);
  slack.addUser({ id: 'U0AGENT1', name: 'anna', real_name: 'Anna', display_name: 'Anna' });
  const dir = mkdtempSync(join(tmpdir(), 'repka-crash-'));
  writeFileSync(join(dir, 'departments.json'), JSON.stringify(departments));
  const prefix = `crash-${randomUUID().slice(0, 8)}`;
  const database = await e2eDatabase();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...fakesEnv(slack, telegram, dir, prefix, database?.url),
    LOG_LEVEL: 'info',
    // The fake Slack is made slow instead: Repka's own pacing would only lengthen the test.
    SLACK_CHANNEL_POSTS_PER_SECOND: '0',
    TELEGRAM_CHAT_MESSAGES_PER_SECOND: '0',
    TELEGRAM_MESSAGES_PER_SECOND: '0',
  };
  const db = openTestDb({ databaseUrl: database?.url, databasePath: env.DATABASE_PATH as string });
  const world = { slack, telegram, dir, prefix, env, processes: [], db, dropDatabase: async () => database?.drop() };
  worlds.push(world);
  return world;
}

/** Spawns the compiled bots/main.ts (as `npm start` does) with the world's env; resolves once it logged "repka started" (with its port). */
async function start(world: World): Promise<RepkaProcess> {
  const [command, args] = builtRepka('main');
  const child = spawn(command, args, { cwd: world.dir, env: world.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal });
    }),
  );
  const port = new Promise<number>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // Its JSON line, whatever the order of its fields (pino writes `msg` last).
      const started = /^(?=.*"msg":"repka started").*"port":(\d+)/m.exec(stderr);
      if (started !== null) resolve(Number(started[1]));
    });
    void exited.then(({ code }) => reject(new Error(`repka exited with ${code} before it started:\n${stderr}`)));
    setTimeout(() => reject(new Error(`repka did not start within 30 s:\n${stderr}`)), 30_000).unref();
  });
  const running: RepkaProcess = { pid: child.pid as number, url: `http://127.0.0.1:${await port}`, exited, alive: () => alive, stderr: () => stderr };
  world.processes.push(running);
  return running;
}

async function kill9(app: RepkaProcess): Promise<void> {
  process.kill(app.pid, 'SIGKILL');
  await app.exited;
}

/** Deletes this test's BullMQ keys, and only those: other test files share the Redis. */
async function flushQueues(prefix: string): Promise<number> {
  const redis = new Redis(redisUrl);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    return (await redis.keys(`${prefix}:*`)).length;
  } finally {
    await redis.quit();
  }
}

/** Waits until Repka's outbox has nothing left to deliver (streams LIKE `streams`), read from its database. */
async function outboxSettled(world: World, streams = '%'): Promise<void> {
  const pending = async () => ((await world.db.get("select count(*) as n from outbox where status = 'pending' and stream like ?", streams)) as { n: number }).n;
  await eventually(async () => (await pending()) === 0, 10_000, `no pending outbox rows in ${streams}`);
}

afterEach(async () => {
  const ended = worlds.splice(0);
  for (const world of ended) {
    for (const app of world.processes) if (app.alive()) await kill9(app);
    await world.slack.close();
    await world.telegram.close();
    await flushQueues(world.prefix);
    await world.db.close();
    await world.dropDatabase();
    rmSync(world.dir, { recursive: true, force: true });
  }
  // A call the platforms would refuse fails the test that made it (see FakeSlack.violations).
  for (const world of ended) {
    world.slack.assertNoViolations();
    world.telegram.assertNoViolations();
  }
});

interface Sender {
  readonly client: TgUser;
  /** Every text the client tried to send, in order. */
  readonly sent: string[];
  /** The texts the webhook answered 200 for. */
  readonly accepted: string[];
}

/**
 * Each client sends up to `count` texts one after another (the next once the webhook answered),
 * all clients at once; a client stops at its first failed request (Repka gone).
 */
function burst(app: RepkaProcess, clients: readonly TgUser[], count: number, gapMs: number): { senders: Sender[]; done: Promise<void> } {
  const senders = clients.map((client) => ({ client, sent: [] as string[], accepted: [] as string[] }));
  const done = Promise.all(
    senders.map(async (s) => {
      for (let i = 0; i < count; i++) {
        // Same length for every text, so no text is a substring of another.
        const text = `${s.client.first_name.toLowerCase()}-m${String(i).padStart(2, '0')}`;
        s.sent.push(text);
        const answer = await postTelegramUpdate(app.url, webhookSecret, textUpdate(s.client, text)).catch(() => undefined);
        if (answer?.status !== 200) return;
        s.accepted.push(text);
        // A client's pace, not a wait for an effect.
        await pause(gapMs);
      }
    }),
  ).then(() => undefined);
  return { senders, done };
}

/** Resolves once every client has some texts accepted and some delivered while more keep coming. */
async function midBurst(slack: FakeSlack, senders: readonly Sender[]): Promise<void> {
  await eventually(() => senders.every((s) => s.accepted.length >= 5 && postsOf(slack, s.client).length >= 2), 20_000, 'deliveries under way').catch((error: Error) => {
    const state = senders.map((s) => `${s.client.first_name}: ${s.accepted.length}/${s.sent.length} accepted, ${postsOf(slack, s.client).length} posts`);
    throw new Error(`${error.message} (${state.join('; ')})`);
  });
}

/** The client's case cards and the posts in their threads, in the order Slack stored them. */
function postsOf(slack: FakeSlack, client: TgUser): StoredMessage[] {
  const all = slack.messages(supportChannel);
  const cards = all.filter((m) => m.thread_ts === undefined && (m.text ?? '').includes(`from ${client.first_name}:`));
  const roots = new Set(cards.map((m) => m.ts));
  return all.filter((m) => roots.has(m.ts) || (m.thread_ts !== undefined && roots.has(m.thread_ts)));
}

interface Delivery {
  /** How many posts contain each text the client sent. */
  readonly counts: Map<string, number>;
  /** The texts in the order they first appeared. */
  readonly firstSeen: string[];
  /** Posts that repeat a text an earlier post of the thread already had. */
  readonly repeatingPosts: number;
}

function deliveryOf(slack: FakeSlack, sender: Sender): Delivery {
  const counts = new Map<string, number>(sender.sent.map((t) => [t, 0]));
  const firstSeen: string[] = [];
  let repeatingPosts = 0;
  for (const post of postsOf(slack, sender.client)) {
    const text = post.text ?? '';
    const inPost = sender.sent.filter((t) => text.includes(t)).sort((a, b) => text.indexOf(a) - text.indexOf(b));
    if (inPost.some((t) => (counts.get(t) ?? 0) > 0)) repeatingPosts += 1;
    for (const t of inPost) {
      if (counts.get(t) === 0) firstSeen.push(t);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
  }
  return { counts, firstSeen, repeatingPosts };
}

/**
 * The client writes `text` once more and it reaches their case thread. Posts of one thread go out in
 * order (streamOf), so any repeat of an earlier text is in Slack by then: counts taken after this are final.
 */
async function afterLaterMessage(app: RepkaProcess, slack: FakeSlack, client: TgUser, text: string): Promise<void> {
  expect(await postTelegramUpdate(app.url, webhookSecret, textUpdate(client, text)).then((r) => r.status)).toBe(200);
  await eventually(() => postsOf(slack, client).some((m) => (m.text ?? '').includes(text)), 15_000, `${text} in Slack`);
}

/**
 * The client sends /help and gets the answer: one chat's messages go out in order, so what the client
 * has then is all Repka ever sent them before it. Returns those texts, the /help answer left out.
 */
async function textsBeforeHelp(app: RepkaProcess, telegram: FakeTelegram, client: TgUser): Promise<string[]> {
  const before = telegram.sentTo(client.id).length;
  expect((await postTelegramUpdate(app.url, webhookSecret, commandUpdate(client, '/help'))).status).toBe(200);
  await eventually(() => telegram.sentTo(client.id).length > before && telegram.sentTo(client.id).some((m) => String(m.text).includes('/status')), 15_000, `the /help answer to ${client.first_name}`);
  const texts = telegram.sentTo(client.id).map((m) => String(m.text));
  expect(texts.at(-1), client.first_name).toContain('/status');
  return texts.slice(0, -1);
}

/** Waits until every accepted text of every sender is in Slack; the error names what is missing. */
async function allDelivered(slack: FakeSlack, senders: readonly Sender[], timeoutMs: number): Promise<void> {
  const missing = () => senders.flatMap((s) => s.accepted.filter((t) => (deliveryOf(slack, s).counts.get(t) ?? 0) === 0));
  await eventually(() => missing().length === 0, timeoutMs, 'every accepted message in Slack').catch((error: Error) => {
    throw new Error(`${error.message}; missing: ${missing().join(', ')}`);
  });
}

const clients = (ids: number, names: readonly string[]): TgUser[] => names.map((first_name, i) => ({ id: ids + i, first_name, language_code: 'en' }));

describe('kill -9 and restart', () => {
  it('delivers every message accepted before the kill, in order, repeating at most the one post in flight per thread', async () => {
    const world = await createWorld();
    world.slack.setDelay(150);
    const first = await start(world);
    const { senders, done } = burst(first, clients(61_000, ['Alpha', 'Bravo', 'Charlie', 'Delta']), 100, 50);
    await midBurst(world.slack, senders);
    await kill9(first);
    await done;
    for (const s of senders) expect(s.sent.length, 'the kill came mid-burst').toBeLessThan(100);

    await start(world);
    await allDelivered(world.slack, senders, 30_000);
    for (const s of senders) {
      const { counts, firstSeen, repeatingPosts } = deliveryOf(world.slack, s);
      expect(firstSeen, s.client.first_name).toEqual(s.sent.filter((t) => (counts.get(t) ?? 0) > 0));
      expect(Math.max(...counts.values()), s.client.first_name).toBeLessThanOrEqual(2);
      expect(repeatingPosts, s.client.first_name).toBeLessThanOrEqual(1);
    }
  }, 70_000);

  it('delivers the messages queued behind a post that landed just before the kill', async () => {
    const world = await createWorld();
    const first = await start(world);
    const [client] = clients(65_000, ['Lima']) as [TgUser];
    const say = (text: string) => postTelegramUpdate(first.url, webhookSecret, textUpdate(client, text)).then((r) => r.status);
    expect(await say('lima-m00')).toBe(200);
    await outboxSettled(world);
    // Slack holds the next post for 2 s and then keeps it; Repka is killed before the answer comes.
    world.slack.setDelay(2000);
    expect(await say('lima-m01')).toBe(200);
    await eventually(() => world.slack.held().some((c) => String(c.params.text).includes('lima-m01')), 10_000, 'the post to be under way');
    expect(await say('lima-m02')).toBe(200);
    expect(await say('lima-m03')).toBe(200);
    await kill9(first);
    await eventually(() => world.slack.held().length === 0, 10_000, 'the held post to land');
    world.slack.setDelay(0);

    const second = await start(world);
    const sender: Sender = { client, sent: ['lima-m00', 'lima-m01', 'lima-m02', 'lima-m03'], accepted: ['lima-m00', 'lima-m01', 'lima-m02', 'lima-m03'] };
    await allDelivered(world.slack, [sender], 20_000);
    await afterLaterMessage(second, world.slack, client, 'lima-later');
    const { counts, firstSeen, repeatingPosts } = deliveryOf(world.slack, sender);
    expect(firstSeen).toEqual(sender.sent);
    expect(counts.get('lima-m01')).toBeLessThanOrEqual(2);
    expect(repeatingPosts).toBeLessThanOrEqual(1);
  }, 45_000);

  it('rebuilds deadlines when Redis was emptied while Repka was down, and each overdue notice fires once', async () => {
    const world = await createWorld({ departments: [{ id: 'acc', name: 'Accounting', slackChannel: 'C0ACC', replyWithin: '1h', escalateTo: ['U0ACCLEAD'] }] });
    const first = await start(world);
    const [early, late] = clients(62_000, ['Echo', 'Foxtrot']) as [TgUser, TgUser];
    const asks: { client: TgUser; question: string; inSeconds: number; askedAt: number; threadTs: string; questionTs: string }[] = [];
    for (const [client, inSeconds] of [
      [early, 2],
      [late, 9],
    ] as const) {
      expect((await postTelegramUpdate(first.url, webhookSecret, textUpdate(client, `help ${client.first_name}`))).status).toBe(200);
      const card = await world.slack.waitFor('chat.postMessage', (c) => !c.params.thread_ts && String(c.params.text).includes(`from ${client.first_name}:`), 10_000);
      const threadTs = world.slack.messages(supportChannel).find((m) => m.text === card.params.text)?.ts as string;
      // An agent replying in the thread has seen the card: Repka has recorded its ts by then.
      await eventually(() => threadRecorded(world.db, supportChannel, threadTs), 10_000, `case thread ${threadTs} recorded`);
      const question = `question for ${client.first_name}`;
      const askedAt = Date.now();
      const ts = nextTs();
      const event = await sendSlackEvent(first.url, signingSecret, { type: 'message', channel: supportChannel, user: 'U0AGENT1', text: `!ask acc in ${inSeconds}s ${question}`, ts, thread_ts: threadTs, channel_type: 'channel' });
      expect(event.status).toBe(200);
      asks.push({ client, question, inSeconds, askedAt, threadTs, questionTs: '' });
    }
    // Everything sent, so the kill leaves nothing in flight: what is under test is the deadlines.
    await outboxSettled(world);
    for (const ask of asks) {
      const posted = world.slack.messages('C0ACC').filter((m) => m.thread_ts === undefined && (m.text ?? '').includes(ask.question));
      expect(posted, ask.question).toHaveLength(1);
      ask.questionTs = posted[0]?.ts as string;
    }
    await kill9(first);
    expect(await flushQueues(world.prefix)).toBe(0);
    // The first deadline passes while Repka is down; the second is still ahead at the restart.
    // Real time must pass: the restarted process reads the system clock.
    await pause(Math.max(0, (asks[0]?.askedAt ?? 0) + 2500 - Date.now()));

    const second = await start(world);
    const overdue = (channel: string, threadTs: string) =>
      world.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === channel && c.params.thread_ts === threadTs && /overdue/.test(String(c.params.text)));
    for (const ask of asks) {
      await eventually(() => overdue('C0ACC', ask.questionTs).length > 0 && overdue(supportChannel, ask.threadTs).length > 0, 15_000, `overdue notices for ${ask.question}`);
    }
    // The department answers each question: the answer's post in the case thread goes out after any
    // overdue post a second firing would have queued there, and the answer ends the deadline.
    for (const ask of asks) {
      const answer = `answer for ${ask.client.first_name}`;
      const ts = nextTs();
      expect((await sendSlackEvent(second.url, signingSecret, { type: 'message', channel: 'C0ACC', user: 'U0AGENT1', text: answer, ts, thread_ts: ask.questionTs, channel_type: 'channel' })).status).toBe(200);
      await world.slack.waitFor('chat.postMessage', (c) => c.params.channel === supportChannel && c.params.thread_ts === ask.threadTs && String(c.params.text).includes(answer), 10_000);
    }
    for (const ask of asks) {
      const inDepartment = overdue('C0ACC', ask.questionTs);
      const inCase = overdue(supportChannel, ask.threadTs);
      expect(inDepartment, ask.question).toHaveLength(1);
      expect(inCase, ask.question).toHaveLength(1);
      expect(inDepartment[0]?.params.text).toContain('<@U0ACCLEAD>');
      expect(inCase[0]?.params.text).toContain('Accounting');
      // Never before the deadline (asked no earlier than askedAt).
      expect(inDepartment[0]?.at).toBeGreaterThanOrEqual(ask.askedAt + ask.inSeconds * 1000);
    }
  }, 45_000);

  it('has one effect for the same update_id posted before and after a kill -9, and delivers what Slack refused before it', async () => {
    const world = await createWorld();
    const first = await start(world);
    const [delivered, pending] = clients(63_000, ['Golf', 'Hotel']) as [TgUser, TgUser];
    const updates: Update[] = [textUpdate(delivered, 'golf delivered before the kill'), textUpdate(pending, 'hotel pending at the kill')];
    const post = (app: RepkaProcess, update: Update) => postTelegramUpdate(app.url, webhookSecret, update).then((r) => r.status);

    expect(await post(first, updates[0] as Update)).toBe(200);
    await outboxSettled(world);
    // Slack fails every post now, so the second case stays in the outbox through the kill.
    world.slack.failNext('chat.postMessage', 1_000, { status: 500 });
    expect(await post(first, updates[1] as Update)).toBe(200);
    expect(await post(first, updates[0] as Update)).toBe(200);
    // Its acknowledgement delivered and recorded, so the kill leaves no Telegram call in flight.
    await outboxSettled(world, 'chat-%');
    await kill9(first);

    world.slack.failNext('chat.postMessage', 0, {}); // Slack is healthy again
    const second = await start(world);
    for (const update of [...updates, ...updates]) expect(await post(second, update)).toBe(200);
    // Nothing new was queued, yet the case Slack refused before the kill arrives, well before BullMQ
    // would re-run the killed process's active job for it (its stall check, 30 to 60 s).
    await eventually(() => world.slack.messages(supportChannel).some((m) => m.text?.includes('hotel pending at the kill')), 20_000, 'the pending case card');
    // A later message from each client shows the duplicates queued nothing before it.
    for (const client of [delivered, pending]) expect(await post(second, textUpdate(client, `${client.first_name} afterwards`))).toBe(200);
    await eventually(() => [delivered, pending].every((c) => world.slack.messages(supportChannel).some((m) => m.text?.includes(`${c.first_name} afterwards`))), 15_000, 'the later messages');

    const posts = world.slack.messages(supportChannel).map((m) => m.text ?? '');
    expect(posts.filter((t) => t.includes('golf delivered before the kill'))).toHaveLength(1);
    expect(posts.filter((t) => t.includes('hotel pending at the kill'))).toHaveLength(1);
    expect(posts.filter((t) => /^Case #\d+/.test(t))).toHaveLength(2);
    for (const client of [delivered, pending]) expect(await textsBeforeHelp(second, world.telegram, client), client.first_name).toEqual([expect.stringContaining('registered as case #')]);
  }, 45_000);
});

describe('SIGTERM and restart', () => {
  it('exits 0 mid-burst and, restarted, delivers every accepted message exactly once', async () => {
    const world = await createWorld();
    world.slack.setDelay(150);
    const first = await start(world);
    const { senders, done } = burst(first, clients(64_000, ['India', 'Juliett', 'Kilo']), 100, 50);
    await midBurst(world.slack, senders);
    process.kill(first.pid, 'SIGTERM');
    const exit = await Promise.race([first.exited, pause(20_000).then(() => 'no exit within 20 s of SIGTERM')]);
    expect(exit, first.stderr()).toEqual({ code: 0, signal: null });
    await done;
    for (const s of senders) expect(s.sent.length, 'the stop came mid-burst').toBeLessThan(100);

    const second = await start(world);
    await allDelivered(world.slack, senders, 30_000);
    for (const s of senders) await afterLaterMessage(second, world.slack, s.client, `${s.client.first_name.toLowerCase()}-later`);
    for (const s of senders) {
      const { counts, firstSeen, repeatingPosts } = deliveryOf(world.slack, s);
      expect(firstSeen, s.client.first_name).toEqual(s.sent.filter((t) => (counts.get(t) ?? 0) > 0));
      expect(Math.max(...counts.values()), s.client.first_name).toBeLessThanOrEqual(1);
      expect(repeatingPosts, s.client.first_name).toBe(0);
      expect(await textsBeforeHelp(second, world.telegram, s.client), s.client.first_name).toEqual([expect.stringContaining('registered as case #')]);
    }
  }, 60_000);
});
