/**
 * A flooding client under Slack's real pace: one client sends 1,000 `/new` and messages as fast as
 * the webhook answers while 20 new clients write for the first time. Nobody's first card may wait
 * behind the flood.
 */
import { Agent } from 'node:http';
import { FakeSlack } from '../tests/fakes/fake-slack.js';
import { FakeTelegram, commandUpdate, textUpdate, type TgUser, type Update } from '../tests/fakes/fake-telegram.js';
import { percentile, postOver, queryDatabase, rssOf, startRepkaProcess, type BenchContext, type ScenarioResult } from './harness.js';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Posts one update through the webhook with the right secret; resolves with the HTTP status (0 on a network error). */
async function sendUpdate(ctx: BenchContext, url: string, update: Update): Promise<number> {
  return (await postOver(agent, `${url}/telegram/webhook`, JSON.stringify(update), { 'x-telegram-bot-api-secret-token': ctx.webhookSecret })).status;
}

/** Cases ever opened for one Telegram chat, from Repka's database. */
async function casesOf(ctx: BenchContext, chatId: number): Promise<number> {
  const [row] = await queryDatabase<{ n: number }>(ctx, 'select count(*) as n from cases join clients on clients.id = cases.client_id where clients.telegram_chat_id = ?', [chatId]);
  return row?.n ?? 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface FloodOptions {
  /** Requests the flooder sends, each once the last was answered; 0: no flooder (the control round). */
  readonly floodRequests: number;
  /** Every n-th flood request is `/new`, the rest text messages. */
  readonly newEvery: number;
  /** New clients writing meanwhile, one every `staggerMs`, each a first message and `followUps` more. */
  readonly others: number;
  readonly staggerMs: number;
  readonly followUps: number;
}

interface Round {
  /** Per other client, ms from sending their first message to their card at the fake Slack, sorted (Infinity: never came). */
  readonly cardWait: number[];
  readonly otherTotal: number;
  readonly otherAnswered: number;
  readonly otherReached: number;
  readonly floodAnswered: number;
  readonly floodSentInMs: number;
  readonly floodCases: number;
  readonly rateLimited: number;
  /** Posts to the support channel per second while cards were waiting: Repka's pace. */
  readonly channelPace: number;
  readonly rssMax: number;
}

/** One round on a fresh Repka and fresh fakes, with Slack's limit and Repka's default pacing. */
async function floodRound(ctx: BenchContext, opts: FloodOptions): Promise<Round> {
  const slack = await FakeSlack.start();
  const telegram = await FakeTelegram.start({ token: ctx.telegramToken });
  slack.setRateLimit('chat.postMessage', 1);
  const repka = await startRepkaProcess(ctx, slack, telegram, { departments: [] }, { SLACK_CHANNEL_POSTS_PER_SECOND: '1', TELEGRAM_CHAT_MESSAGES_PER_SECOND: '1', TELEGRAM_MESSAGES_PER_SECOND: '30' });
  try {
    const flooder: TgUser = { id: 7_000_000, first_name: 'Flooder', language_code: 'en' };
    const others: TgUser[] = Array.from({ length: opts.others }, (_, i) => ({ id: 7_100_000 + i, first_name: `Calm${String(i).padStart(2, '0')}`, language_code: 'en' }));
    const rss: number[] = [];
    const rssTimer = setInterval(() => rss.push(rssOf(repka.pid)), 250);
    const started = Date.now();

    let floodAnswered = 0;
    const flood = (async () => {
      for (let n = 0; n < opts.floodRequests; n += 1) {
        const update = n % opts.newEvery === opts.newEvery - 1 ? commandUpdate(flooder, '/new') : textUpdate(flooder, `flood f${n}x`);
        if ((await sendUpdate(ctx, repka.url, update)) === 200) floodAnswered += 1;
      }
      return Date.now() - started;
    })();

    const firstSentAt = new Map<string, number>();
    let otherAnswered = 0;
    const calm = others.map(async (client, i) => {
      await sleep(i * opts.staggerMs);
      for (let k = 0; k <= opts.followUps; k += 1) {
        if (k === 0) firstSentAt.set(client.first_name, Date.now());
        const text = `${k === 0 ? 'first question' : 'follow-up'} q${i * (opts.followUps + 1) + k}x`;
        if ((await sendUpdate(ctx, repka.url, textUpdate(client, text))) === 200) otherAnswered += 1;
      }
    });
    const [floodSentInMs] = await Promise.all([flood, ...calm]);

    // Every message of the others in Slack: the first in the card, the follow-ups on the card (those
    // written before it was posted, in its blocks) or in the thread.
    const otherTotal = opts.others * (opts.followUps + 1);
    const support = () => slack.callsTo('chat.postMessage').filter((c) => c.params.channel === ctx.supportChannel);
    const reached = () => new Set(support().flatMap((c) => [...`${String(c.params.text)} ${JSON.stringify(c.params.blocks ?? [])}`.matchAll(/\bq(\d+)x\b/g)].map((m) => Number(m[1]))));
    const waitUntil = Date.now() + 120_000;
    while (reached().size < otherTotal && Date.now() < waitUntil) await sleep(200);
    clearInterval(rssTimer);

    const posts = support();
    const cards = posts.filter((c) => c.params.thread_ts === undefined);
    const cardOf = (client: TgUser) => cards.find((c) => String(c.params.text).includes(` from ${client.first_name}:`));
    const cardWait = others.map((client) => (cardOf(client)?.at ?? Number.POSITIVE_INFINITY) - (firstSentAt.get(client.first_name) as number)).sort((x, y) => x - y);
    const lastCardAt = Math.max(...others.map((client) => cardOf(client)?.at ?? 0));
    const during = posts.filter((c) => c.at <= lastCardAt);
    // BENCH_DEBUG=1: the support channel's posts in order, to see what went before whose card.
    if (process.env.BENCH_DEBUG) {
      for (const c of posts) console.error(`  +${c.at - started} ms ${c.params.thread_ts ? 'thread' : 'card  '} ${String(c.params.text).slice(0, 90).replace(/\n/g, ' ')}`);
      for (const [name, at] of firstSentAt) console.error(`  ${name} first message at +${at - started} ms`);
    }
    return {
      cardWait,
      otherTotal,
      otherAnswered,
      otherReached: reached().size,
      floodAnswered,
      floodSentInMs,
      floodCases: opts.floodRequests > 0 ? await casesOf(ctx, flooder.id) : 0,
      rateLimited: slack.rateLimited,
      channelPace: during.length > 1 ? (during.length - 1) / (((during[during.length - 1] as { at: number }).at - (during[0] as { at: number }).at) / 1000) : Number.NaN,
      rssMax: Math.max(0, ...rss),
    };
  } finally {
    await repka.stop();
    await slack.close();
    await telegram.close();
  }
}

/**
 * The flood round, then the same new clients with no flooder (the control): what the flood itself
 * costs them, apart from what the support channel's pace of about one post a second costs anyway.
 */
export async function floodingClient(ctx: BenchContext, opts: FloodOptions): Promise<ScenarioResult> {
  const flooded = await floodRound(ctx, opts);
  const control = await floodRound(ctx, { ...opts, floodRequests: 0 });
  const wait = (r: Round) => `${percentile(r.cardWait, 0.5)} / ${r.cardWait[r.cardWait.length - 1] ?? Number.NaN}`;
  const worst = flooded.cardWait[flooded.cardWait.length - 1] ?? Number.NaN;
  return {
    name: `A flooding client: ${opts.floodRequests.toLocaleString('en')} requests (every ${opts.newEvery}th a \`/new\`) while ${opts.others} new clients write, under Slack's pace of one post per channel per second`,
    figures: {
      'flood requests sent / answered 200': `${opts.floodRequests} / ${flooded.floodAnswered}`,
      'flood all answered in (s)': (flooded.floodSentInMs / 1000).toFixed(1),
      'cases opened for the flooder': flooded.floodCases,
      "other clients' cards in Slack": flooded.cardWait.filter(Number.isFinite).length,
      'first card after first message, p50 / max (ms)': wait(flooded),
      "other clients' messages sent / answered 200 / in Slack": `${flooded.otherTotal} / ${flooded.otherAnswered} / ${flooded.otherReached}`,
      '429s from Slack': flooded.rateLimited,
      'support channel posts per second until the last card': flooded.channelPace.toFixed(2),
      'Repka RSS max (MiB)': (flooded.rssMax / 1024 / 1024).toFixed(0),
      'control, no flooder: first card p50 / max (ms)': wait(control),
      'control, no flooder: messages in Slack': `${control.otherReached} of ${control.otherTotal}`,
      'control, no flooder: 429s': control.rateLimited,
    },
    pass: worst <= 5000 && flooded.otherReached === flooded.otherTotal,
    target: "every other client's first card within 5 s of their first message, all their messages in Slack",
  };
}
