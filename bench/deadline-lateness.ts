/**
 * Deadline scenario: many asks pending across departments, deadlines spread over a minute.
 * Measures how late each overdue notice reaches the (fake) Slack case thread, checks that none is
 * missing or doubled, and samples the Repka process's RSS. Repka runs as `npm start` does, in its
 * own process, on SQLite or PostgreSQL, against fake Slack and Telegram servers in this process.
 * Run at several sizes (a fresh Repka each), it shows how opening cases, creating asks and memory
 * grow with the number of pending questions.
 */
import { FakeSlack, nextTs, sendSlackEvent } from '../tests/fakes/fake-slack.js';
import { FakeTelegram, textUpdate } from '../tests/fakes/fake-telegram.js';
import { percentile, queryDatabase, rssOf, startRepkaProcess, storageName, type BenchContext, type BenchStorage, type ScenarioResult } from './harness.js';

const departments = ['accounting', 'dev', 'marketing', 'legal', 'logistics'];

/** What one size of the scenario measured. */
interface DeadlineRun {
  readonly asks: number;
  readonly openedMs: number;
  readonly createdMs: number;
  /** From the first ask to the last of their posts in Slack (the outbox empty), ms. */
  readonly postedMs: number;
  readonly rssOpened: number;
  readonly rssCreated: number;
  /** The least JavaScript heap in use sampled between the last ask and the first deadline, bytes. */
  readonly heapLeast: number;
  readonly notices: number;
  readonly missing: number;
  readonly doubled: number;
  /** Sorted, ms. */
  readonly lateness: readonly number[];
  readonly rssMax: number;
}

/** The target lateness at the largest size, ms, and the most RSS there (issue: 100,000 pending asks). */
const latenessTargetMs = 250;
const rssTargetMiB = 200;
/** Time per case (or ask) at the largest size may be at most this many times that at the smallest: linear, not more. */
const linearSlack = 1.5;

/**
 * The scenario at each of `sizes` (a fresh Repka, database and fakes each), as one result: the
 * figures per size side by side, judged at the largest.
 */
export async function deadlineLateness(ctx: BenchContext, sizes: readonly number[], storage: BenchStorage = 'sqlite'): Promise<ScenarioResult> {
  const runs: DeadlineRun[] = [];
  for (const asks of sizes) {
    const run = await deadlineRun(ctx, asks, storage);
    runs.push(run);
    process.stdout.write(`  deadline ${asks}: opened ${run.openedMs} ms, created ${run.createdMs} ms, p99 ${percentile(run.lateness, 0.99)} ms, RSS max ${mib(run.rssMax)} MiB\n`);
  }
  const each = (f: (r: DeadlineRun) => string | number) => runs.map(f).join(' / ');
  const perItem = (ms: number, n: number) => (ms / n).toFixed(2);
  const smallest = runs[0] as DeadlineRun;
  const largest = runs[runs.length - 1] as DeadlineRun;
  const linear = (f: (r: DeadlineRun) => number) => f(largest) / largest.asks <= linearSlack * (f(smallest) / smallest.asks);
  const sizeNames = sizes.map((n) => n.toLocaleString('en')).join(' / ');
  return {
    name: `Deadline lateness and growth, ${sizeNames} pending asks${storage === 'sqlite' ? '' : `, ${storageName(storage)}`}`,
    figures: {
      'pending asks': each((r) => r.asks),
      'cases opened in (s)': each((r) => (r.openedMs / 1000).toFixed(1)),
      'per case opened (ms)': each((r) => perItem(r.openedMs, r.asks)),
      'asks created in (s)': each((r) => (r.createdMs / 1000).toFixed(1)),
      'per ask created (ms)': each((r) => perItem(r.createdMs, r.asks)),
      'asks in Slack in (s)': each((r) => (r.postedMs / 1000).toFixed(1)),
      'per ask in Slack (ms)': each((r) => perItem(r.postedMs, r.asks)),
      'RSS, cases opened (MiB)': each((r) => mib(r.rssOpened)),
      'RSS, asks created (MiB)': each((r) => mib(r.rssCreated)),
      'heap in use before the deadlines, least (MiB)': each((r) => mib(r.heapLeast)),
      'overdue notices': each((r) => r.notices),
      missing: each((r) => r.missing),
      doubled: each((r) => r.doubled),
      'lateness p50 (ms)': each((r) => percentile(r.lateness, 0.5)),
      'lateness p99 (ms)': each((r) => percentile(r.lateness, 0.99)),
      'lateness max (ms)': each((r) => r.lateness[r.lateness.length - 1] ?? NaN),
      'RSS max in the deadline minute (MiB)': each((r) => mib(r.rssMax)),
    },
    pass:
      runs.every((r) => r.missing === 0 && r.doubled === 0) &&
      percentile(largest.lateness, 0.99) < latenessTargetMs &&
      Math.max(...runs.map((r) => r.rssMax)) <= rssTargetMiB * 1024 * 1024 &&
      linear((r) => r.openedMs) &&
      linear((r) => r.createdMs) &&
      linear((r) => r.postedMs),
    target: `at ${largest.asks.toLocaleString('en')} pending asks p99 lateness < ${latenessTargetMs} ms; RSS at most ${rssTargetMiB} MiB at every size; no notice missing or doubled; opening cases, creating asks and posting them linear (time per item at the largest size within ${linearSlack}× the smallest's)`,
  };
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

async function deadlineRun(ctx: BenchContext, asks: number, storage: BenchStorage): Promise<DeadlineRun> {
  const slack = await FakeSlack.start();
  const telegram = await FakeTelegram.start({ token: ctx.telegramToken });
  slack.addUser({ id: 'U0AGENT1', name: 'bench.agent', display_name: 'Bench Agent' });
  const repka = await startRepkaProcess(ctx, slack, telegram, {
    departments: departments.map((id, i) => ({ id, name: id[0]?.toUpperCase() + id.slice(1), slackChannel: `C0DEPT${i}`, replyWithin: '1h' })),
    clientFirstReplyWithin: '1d',
  }, {}, { storage });
  try {
    // Open one case per ask through the Telegram webhook, 50 requests at a time.
    const clients = Array.from({ length: asks }, (_, i) => ({ id: 1_000_000 + i, first_name: `Client${i}` }));
    const opening = Date.now();
    await inBatches(clients, 50, async (client) => {
      const res = await fetch(`${repka.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': ctx.webhookSecret },
        body: JSON.stringify(textUpdate(client, `problem of ${client.first_name}`)),
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    });
    const cards = await slack.waitForCount('chat.postMessage', asks, (c) => c.params.channel === ctx.supportChannel && !c.params.thread_ts, 300_000);
    const openedMs = Date.now() - opening;
    const rssOpened = rssOf(repka.pid);
    // Each card's thread by its text (a map: looking each card up in the channel was quadratic,
    // 30,000 cases took minutes here, in the bench, not in Repka).
    const tsByText = new Map(slack.messages(ctx.supportChannel).map((m) => [m.text, m.ts]));
    const threads = cards.map((c) => ({ ts: tsByText.get(c.params.text as string) as string }));

    // Ask: deadlines spread evenly over one minute, starting once every ask is created and in
    // Slack. The deadlines are of questions already asked and posted: what is measured is how
    // on time they fire, not how long the posts of thousands of questions asked in one burst
    // take to go out (that time is a figure of its own, "asks in Slack").
    const created = Date.now();
    // Room to create every ask and deliver its posts (a question in the department channel, its
    // confirmation in the case thread: about twice what opening a case delivers) before the first
    // deadline: 3× the opening time, plus a margin.
    const createBudgetMs = Math.max(10_000, 3 * openedMs);
    const firstDeadline = created + createBudgetMs + 10_000;
    await inBatches(
      threads.map((t, i) => ({ ...t, i })),
      50,
      async ({ ts, i }) => {
        const deadline = firstDeadline + Math.floor((i / asks) * 60_000);
        const seconds = Math.max(1, Math.round((deadline - Date.now()) / 1000));
        const text = `!ask ${departments[i % departments.length]} in ${seconds}s bench question ${i}`;
        const event = { type: 'message', channel: ctx.supportChannel, user: 'U0AGENT1', text, ts: nextTs(), thread_ts: ts };
        const res = await sendSlackEvent(repka.url, ctx.signingSecret, event);
        if (res.status !== 200) throw new Error(`events answered ${res.status}`);
      },
    );
    const createdMs = Date.now() - created;
    const rssCreated = rssOf(repka.pid);
    // Every post the asks caused is delivered when Repka's outbox has nothing pending.
    for (let pending = await outboxPending(repka.url); pending !== 0; pending = await outboxPending(repka.url)) {
      if (Number.isNaN(pending)) throw new Error('Repka\'s /metrics has no repka_outbox_pending');
      if (Date.now() > firstDeadline - 2_500) throw new Error(`the posts of ${asks} asks were not all in Slack ${Date.now() - created} ms after the first was asked, past the first deadline: raise createBudgetMs`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const postedMs = Date.now() - created;
    // Until the first deadline Repka only holds what it must: the least heap in use seen then (a
    // sample just after a garbage collection) is what it keeps with every ask pending. Read from
    // /metrics every 2 s (not during the deadline minute: the scrape itself costs a query).
    let heapLeast = Infinity;
    while (Date.now() < firstDeadline - 2_500) {
      heapLeast = Math.min(heapLeast, await heapUsed(repka.url));
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }

    // Wait for every overdue notice in the case threads (or the time budget).
    const isOverdue = (c: { params: Record<string, any> }) => c.params.channel === ctx.supportChannel && Boolean(c.params.thread_ts) && /overdue/.test(String(c.params.text));
    const rssSamples: number[] = [];
    const sampler = setInterval(() => rssSamples.push(rssOf(repka.pid)), 1000);
    await slack.waitForCount('chat.postMessage', asks, isOverdue, firstDeadline + 60_000 + 120_000 - Date.now()).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // anything doubled would show up now
    clearInterval(sampler);

    // Quoted aliases: PostgreSQL folds unquoted ones to lower case.
    const rows = await queryDatabase<{ id: number; deadlineAt: number; threadTs: string }>(ctx, 'select a.id, a.deadline_at as "deadlineAt", c.slack_thread_ts as "threadTs" from asks a join cases c on c.id = a.case_id');
    const notices = slack.callsTo('chat.postMessage').filter(isOverdue);
    const byThread = new Map<string, number[]>();
    for (const n of notices) byThread.set(String(n.params.thread_ts), [...(byThread.get(String(n.params.thread_ts)) ?? []), n.at]);
    const lateness: number[] = [];
    let missing = 0;
    let doubled = 0;
    for (const row of rows) {
      const times = byThread.get(row.threadTs) ?? [];
      if (times.length === 0) missing += 1;
      if (times.length > 1) doubled += times.length - 1;
      if (times[0] !== undefined) lateness.push(times[0] - row.deadlineAt);
    }
    lateness.sort((a, b) => a - b);
    return { asks: rows.length, openedMs, createdMs, postedMs, rssOpened, rssCreated, heapLeast, notices: notices.length, missing, doubled, lateness, rssMax: Math.max(...rssSamples) };
  } finally {
    await repka.stop();
    await slack.close();
    await telegram.close();
  }
}

/** Outbox rows Repka has not delivered yet (its /metrics, repka_outbox_pending). */
const outboxPending = (url: string): Promise<number> => metric(url, 'repka_outbox_pending');

/** The JavaScript heap Repka has in use now (its /metrics, prom-client's nodejs_heap_size_used_bytes), bytes. */
const heapUsed = (url: string): Promise<number> => metric(url, 'nodejs_heap_size_used_bytes');

/** The value of an unlabelled metric on Repka's /metrics; NaN when it is not there. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}
