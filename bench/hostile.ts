/**
 * Hostile traffic: oversized, unsigned and falsely signed requests at full speed on many
 * connections, while signed Slack events and Telegram updates keep arriving. Repka must answer the
 * signed traffic as fast as ever and relay every message of it.
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { FakeSlack, nextTs, signSlackRequest, type SlackCall } from '../tests/fakes/fake-slack.js';
import { FakeTelegram, textUpdate, type TelegramCall, type TgUser } from '../tests/fakes/fake-telegram.js';
import { percentile, postOver, rssOf, startRepkaProcess, type BenchContext, type PostAnswer, type ScenarioResult } from './harness.js';

/** Signed traffic keeps its connections open, as Slack and Telegram do. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs `body` on this scenario's keep-alive agent (see postOver). */
const post = (url: string, body: string, headers: Record<string, string>): Promise<PostAnswer> => postOver(agent, url, body, headers);

/** CPU time a process has used so far, seconds (utime + stime from /proc, 100 clock ticks a second). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One way of attacking; each attacker connection uses one, in turn with the others. */
interface Attack {
  readonly label: string;
  readonly path: string;
  readonly headers: () => Record<string, string>;
  readonly body: Buffer;
  /** Sent with Transfer-Encoding: chunked, no size declared: Repka learns the size only by reading. */
  readonly chunked: boolean;
}

const big = Buffer.alloc(4 * 1024 * 1024, '{"a":[1,2,3,4,5,6,7,8,9,0],"b":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}');
/** Just under Repka's 1 MiB cap for Slack: read whole and hashed before the signature fails. */
const underCap = Buffer.alloc(1_000_000, '{"a":[1,2,3,4,5,6,7,8,9,0],"b":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}');
const fakeSignature = () => ({ 'x-slack-signature': `v0=${'0123456789abcdef'.repeat(4)}`, 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) });

function attacks(): Attack[] {
  return [
    { label: 'unsigned Slack, 4 MB declared', path: '/slack/events', headers: () => ({}), body: big, chunked: false },
    { label: 'unsigned Slack, 4 MB chunked', path: '/slack/events', headers: () => ({}), body: big, chunked: true },
    { label: 'fake signature, 4 MB declared', path: '/slack/events', headers: fakeSignature, body: big, chunked: false },
    { label: 'fake signature, 4 MB chunked', path: '/slack/events', headers: fakeSignature, body: big, chunked: true },
    { label: 'fake signature, 1,000,000 B declared', path: '/slack/events', headers: fakeSignature, body: underCap, chunked: false },
    { label: 'wrong Telegram secret, 4 MB declared', path: '/telegram/webhook', headers: () => ({ 'x-telegram-bot-api-secret-token': 'not-the-secret-token-at-all' }), body: big, chunked: false },
    { label: 'wrong Telegram secret, 4 MB chunked', path: '/telegram/webhook', headers: () => ({ 'x-telegram-bot-api-secret-token': 'not-the-secret-token-at-all' }), body: big, chunked: true },
  ];
}

/**
 * One attack request on a fresh connection. Resolves with the answer's status, or the network
 * error's code when the connection broke before an answer (EPIPE, ECONNRESET).
 */
function attackOnce(url: string, attack: Attack): Promise<string> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: string) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const sizeHeader: Record<string, string> = attack.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(attack.body.length) };
    const req = request(`${url}${attack.path}`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...sizeHeader, ...attack.headers() } }, (res: IncomingMessage) => {
      settle(String(res.statusCode ?? 0));
      res.resume();
      // Nothing more to learn; the rest of the body need not be written.
      res.on('end', () => req.destroy());
    });
    req.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? 'error'));
    req.setTimeout(15_000, () => {
      settle('timeout');
      req.destroy();
    });
    req.end(attack.body);
  });
}

/** Opens one case per client (not timed) and returns each client's thread ts. */
async function openCases(ctx: BenchContext, slack: FakeSlack, url: string, clients: readonly TgUser[]): Promise<Map<number, string>> {
  await Promise.all(clients.map((c) => post(`${url}/telegram/webhook`, JSON.stringify(textUpdate(c, `hello from ${c.first_name}`)), { 'x-telegram-bot-api-secret-token': ctx.webhookSecret })));
  await slack.waitForCount('chat.postMessage', clients.length, (c) => c.params.channel === ctx.supportChannel && !c.params.thread_ts, 60_000);
  const threadOf = new Map<number, string>();
  for (const client of clients) {
    const card = slack.messages(ctx.supportChannel).find((m) => !m.thread_ts && String(m.text).includes(` from ${client.first_name}:`));
    if (card === undefined) throw new Error(`no card for ${client.first_name}`);
    threadOf.set(client.id, card.ts);
  }
  return threadOf;
}

const markersIn = (texts: readonly string[], pattern: RegExp) => new Set(texts.flatMap((t) => [...t.matchAll(pattern)].map((m) => Number(m[1]))));

export async function hostileTraffic(
  ctx: BenchContext,
  opts: { clients: number; attackers: number; seconds: number; clientPerSecond: number; agentPerSecond: number },
): Promise<ScenarioResult> {
  const slack = await FakeSlack.start();
  const telegram = await FakeTelegram.start({ token: ctx.telegramToken });
  slack.addUser({ id: 'U0AGENT1', name: 'agent', real_name: 'Agent One' });
  const repka = await startRepkaProcess(ctx, slack, telegram, { departments: [] });
  try {
    const clients: TgUser[] = Array.from({ length: opts.clients }, (_, i) => ({ id: 5_000_000 + i, first_name: `Client${String(i).padStart(2, '0')}` }));
    const threadOf = await openCases(ctx, slack, repka.url, clients);

    const started = Date.now();
    const until = started + opts.seconds * 1000;
    const cpuBefore = cpuSecondsOf(repka.pid);
    const rss: number[] = [];
    const rssTimer = setInterval(() => rss.push(rssOf(repka.pid)), 250);

    // Attackers: each connection sends one request after the other, at full speed, until the time is up.
    const kinds = attacks();
    const outcomes = new Map<string, number>();
    const attackers = Array.from({ length: opts.attackers }, async (_, a) => {
      for (let round = 0; Date.now() < until; round += 1) {
        const attack = kinds[(a + round) % kinds.length] as Attack;
        const outcome = await attackOnce(repka.url, attack);
        const key = `${attack.label} → ${outcome}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    });

    // Signed traffic on a fixed schedule, whatever the answers (a slow answer does not lower the offer).
    const clientAnswers: PostAnswer[] = [];
    const agentAnswers: PostAnswer[] = [];
    const sends: Promise<void>[] = [];
    const clientTotal = opts.clientPerSecond * opts.seconds;
    const agentTotal = opts.agentPerSecond * opts.seconds;
    const schedule = (count: number, perSecond: number, send: (n: number) => Promise<void>) =>
      Array.from({ length: count }, (_, n) => new Promise<void>((resolve) => setTimeout(() => void send(n).then(resolve), started + (n * 1000) / perSecond - Date.now())));
    sends.push(
      ...schedule(clientTotal, opts.clientPerSecond, async (n) => {
        const client = clients[n % clients.length] as TgUser;
        const body = JSON.stringify(textUpdate(client, `msg m${n}x from ${client.first_name}`));
        clientAnswers.push(await post(`${repka.url}/telegram/webhook`, body, { 'x-telegram-bot-api-secret-token': ctx.webhookSecret }));
      }),
      ...schedule(agentTotal, opts.agentPerSecond, async (n) => {
        const client = clients[n % clients.length] as TgUser;
        const ts = nextTs();
        const event = { type: 'message', channel: ctx.supportChannel, user: 'U0AGENT1', text: `!reply r${n}x`, ts, event_ts: ts, thread_ts: threadOf.get(client.id), channel_type: 'channel' };
        const body = JSON.stringify({
          token: 'legacy-verification-token',
          team_id: 'T0TEAM',
          api_app_id: 'A0REPKA',
          event,
          type: 'event_callback',
          event_id: `EvBENCH${n}`,
          event_time: Math.floor(Date.now() / 1000),
          authorizations: [{ enterprise_id: null, team_id: 'T0TEAM', user_id: 'U0REPKABOT', is_bot: true, is_enterprise_install: false }],
          is_ext_shared_channel: false,
        });
        agentAnswers.push(await post(`${repka.url}/slack/events`, body, signSlackRequest(ctx.signingSecret, body)));
      }),
    );
    await Promise.all([...attackers, ...sends]);
    const cpu = cpuSecondsOf(repka.pid) - cpuBefore;
    const wallSeconds = (Date.now() - started) / 1000;
    clearInterval(rssTimer);

    // Every client message in its case thread, every agent reply sent to its client.
    const relayed = () => markersIn(slack.callsTo('chat.postMessage').filter((c: SlackCall) => c.params.channel === ctx.supportChannel && c.params.thread_ts).map((c) => String(c.params.text)), /\bm(\d+)x\b/g);
    const delivered = () => markersIn(telegram.callsTo('sendMessage').map((c: TelegramCall) => String(c.params.text)), /\br(\d+)x\b/g);
    const waitUntil = Date.now() + 30_000;
    while ((relayed().size < clientTotal || delivered().size < agentTotal) && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 100));
    const relayedCount = relayed().size;
    const deliveredCount = delivered().size;

    const times = (answers: readonly PostAnswer[]) => answers.map((a) => a.ms).sort((x, y) => x - y);
    const clientMs = times(clientAnswers);
    const agentMs = times(agentAnswers);
    const ok = (answers: readonly PostAnswer[]) => answers.filter((a) => a.status === 200).length;
    const attackTotal = [...outcomes.values()].reduce((sum, n) => sum + n, 0);
    const p99 = Math.max(percentile(clientMs, 0.99), percentile(agentMs, 0.99));
    const attackFigures = Object.fromEntries([...outcomes].sort((x, y) => x[0].localeCompare(y[0])).map(([key, n]) => [`attack: ${key}`, n]));
    return {
      name: `Hostile traffic: ${opts.attackers} connections of oversized, unsigned and falsely signed requests for ${opts.seconds} s beside signed traffic for ${opts.clients} open cases`,
      figures: {
        'Telegram updates sent (signed)': clientTotal,
        'Telegram updates answered 200': ok(clientAnswers),
        'Telegram answer p50 / p99 / max (ms)': `${percentile(clientMs, 0.5)} / ${percentile(clientMs, 0.99)} / ${clientMs[clientMs.length - 1] ?? Number.NaN}`,
        'client messages relayed to Slack': relayedCount,
        'Slack events sent (signed `!reply`)': agentTotal,
        'Slack events answered 200': ok(agentAnswers),
        'Slack answer p50 / p99 / max (ms)': `${percentile(agentMs, 0.5)} / ${percentile(agentMs, 0.99)} / ${agentMs[agentMs.length - 1] ?? Number.NaN}`,
        'replies delivered to Telegram': deliveredCount,
        'attack requests answered or cut, total': attackTotal,
        'attack requests per second': (attackTotal / wallSeconds).toFixed(0),
        ...attackFigures,
        'Repka CPU during the load (s of CPU in s of wall)': `${cpu.toFixed(2)} in ${wallSeconds.toFixed(1)}`,
        'Repka RSS max (MiB)': (Math.max(0, ...rss) / 1024 / 1024).toFixed(0),
      },
      pass: ok(clientAnswers) === clientTotal && ok(agentAnswers) === agentTotal && p99 < 250 && relayedCount === clientTotal && deliveredCount === agentTotal,
      target: 'signed traffic answered 200 with p99 < 250 ms, every client message relayed and every reply delivered',
    };
  } finally {
    await repka.stop();
    await slack.close();
    await telegram.close();
  }
}
