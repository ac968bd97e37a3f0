/**
 * Deadline scenario: many asks pending across departments, deadlines spread over a minute.
 * Measures how late each overdue notice reaches the (fake) Slack case thread, checks that none is
 * missing or doubled, and samples the Repka process's RSS. Repka runs as `npm start` does, in its
 * own process, on SQLite or PostgreSQL, against fake Slack and Telegram servers in this process.
 */
import { FakeSlack, nextTs, sendSlackEvent } from '../tests/fakes/fake-slack.js';
import { FakeTelegram, textUpdate } from '../tests/fakes/fake-telegram.js';
import { percentile, queryDatabase, rssOf, startRepkaProcess, storageName, type BenchContext, type BenchStorage, type ScenarioResult } from './harness.js';

const departments = ['accounting', 'dev', 'marketing', 'legal', 'logistics'];

export async function deadlineLateness(ctx: BenchContext, asks: number, storage: BenchStorage = 'sqlite'): Promise<ScenarioResult> {
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
    await inBatches(clients, 50, async (client) => {
      const res = await fetch(`${repka.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': ctx.webhookSecret },
        body: JSON.stringify(textUpdate(client, `problem of ${client.first_name}`)),
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    });
    const cards = await slack.waitForCount('chat.postMessage', asks, (c) => c.params.channel === ctx.supportChannel && !c.params.thread_ts, 300_000);
    const threads = cards.map((c) => /#(\d+)/.exec(String(c.params.text))?.[1]).map((n, i) => ({ caseId: Number(n), ts: slack.messages(ctx.supportChannel).find((m) => m.text === cards[i]?.params.text)?.ts as string }));

    // Ask: deadlines spread evenly over one minute, starting after every ask is created.
    const created = Date.now();
    // Room to create every ask before the first deadline: ~6 ms per ask measured on SQLite, doubled,
    // plus a margin; on PostgreSQL ~18 ms per ask measured (1,000 asks on a busy 2-core machine), ~1.7×.
    const createBudgetMs = Math.max(5_000, asks * (storage === 'postgres' ? 30 : 12));
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
    const createdIn = Date.now() - created;

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
    return {
      name: `Deadline lateness, ${asks.toLocaleString('en')} pending asks${storage === 'sqlite' ? '' : `, ${storageName(storage)}`}`,
      figures: {
        asks: rows.length,
        'asks created in (s)': (createdIn / 1000).toFixed(1),
        'overdue notices': notices.length,
        missing,
        doubled,
        'lateness p50 (ms)': percentile(lateness, 0.5),
        'lateness p99 (ms)': percentile(lateness, 0.99),
        'lateness max (ms)': lateness[lateness.length - 1] ?? NaN,
        'RSS max (MiB)': (Math.max(...rssSamples) / 1024 / 1024).toFixed(0),
      },
      pass: missing === 0 && doubled === 0 && percentile(lateness, 0.99) < 1000,
      target: 'p99 lateness < 1 s; no notice missing or doubled',
    };
  } finally {
    await repka.stop();
    await slack.close();
    await telegram.close();
  }
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}
