/**
 * `npm run bench`: runs every benchmark scenario against the fakes, prints a table and writes
 * docs/BENCHMARKS.md with the machine, date, command and figures.
 *
 * `BENCH_ONLY=startup,relay,relay-open,relay-pg,relay-pg-2000,relay-pg-2,burst,storm,storm-pg,deadline,deadline-pg,hostile,flood`
 * picks scenarios (default: all); the `-pg` ones run Repka on a fresh PostgreSQL database
 * (`repka_bench_<random>` on `BENCH_POSTGRES_URL`, default postgres://postgres@127.0.0.1:5432/postgres,
 * dropped after). `BENCH_ASKS` sets the sizes of the deadline scenarios
 * (one or several, comma-separated; default 10000,30000,100000 on SQLite, 10000 on PostgreSQL); `BENCH_RATE`
 * (every relay scenario's offer), `BENCH_WARMUP` and `BENCH_DEBUG` tune the relay scenarios (see
 * their description); `BENCH_NODE_FLAGS` replaces the Node flags `npm start` runs Repka with (to
 * try one, such as `--max-semi-space-size=4`). A partial run leaves
 * docs/BENCHMARKS.md alone unless `BENCH_WRITE=1`; then it replaces the sections (and summary rows)
 * of the scenarios it ran and keeps the others as they are. Every section says when and with which
 * command its figures were measured.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { benchContext, type ScenarioResult } from './harness.js';
import { deadlineLateness } from './deadline-lateness.js';
import { floodingClient } from './flood.js';
import { hostileTraffic } from './hostile.js';
import { burstUnderLimits, newCaseStorm, relayEngineSpeed } from './relay.js';
import { startupAndIdle } from './startup.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ctx = benchContext(root);
/** The deadline scenarios' sizes: `BENCH_ASKS` (one size or several, comma-separated) or each scenario's own. */
const askSizes = (own: readonly number[]) => (process.env.BENCH_ASKS === undefined ? own : process.env.BENCH_ASKS.split(',').map((n) => Number(n.trim())));
const sizesText = (sizes: readonly number[]) => sizes.map((n) => n.toLocaleString('en')).join(', ');

interface Scenario {
  readonly run: () => Promise<ScenarioResult>;
  readonly how: string;
}

/** The results of this run so far, by scenario name (a scenario may compare itself with an earlier one). */
const measured = new Map<string, ScenarioResult>();
const relayedBy = (name: string) => {
  const value = measured.get(name)?.figures['relayed rate (msg/s)'];
  return value === undefined ? undefined : Number(value);
};
/** The relay scenarios' offer: the scenario's own unless `BENCH_RATE` says. */
const rate = (own: number) => Number(process.env.BENCH_RATE ?? own);
const relayOn = (storage: 'sqlite' | 'postgres', instances: number, perSecond: number, goal?: Parameters<typeof relayEngineSpeed>[1]['goal'], openLoop = false) =>
  relayEngineSpeed(ctx, { clients: 100, perSecond: rate(perSecond), seconds: 10, warmupSeconds: Number(process.env.BENCH_WARMUP ?? 3), storage, instances, goal, openLoop });

const scenarios: Record<string, Scenario> = {
  startup: {
    run: () => startupAndIdle(ctx, 5),
    how: 'Five fresh starts on an empty SQLite file; start-up is the time from spawning the process to the first 200 from `/healthz`; idle RSS is read from /proc 3 s later.',
  },
  relay: {
    run: () => relayOn('sqlite', 1, 1200),
    how: [
      '100 clients open a case each (not timed). Then client messages are offered through the signed',
      'webhook at a steady 1,200 per second (20% above the target, so that "at least 1,000 relayed" is',
      'shown rather than capped by the offer), spread over the 100 cases, with no platform limits in Repka',
      'or the fakes: 3 s of warm-up (not measured: V8 compiles the hot paths, as it does once in a',
      'long-running process), then the 10 s measured. Each client sends its next message once the last',
      'was answered, as Telegram does per chat, so a slow Repka lowers the offered rate. Latency = arrival',
      'of the Slack post carrying the message at the fake minus the moment the webhook call was made.',
      '"Durable" counts the client messages in the SQLite history. The load generator uses node:http',
      'with keep-alive (fetch costs several times more CPU, taken from Repka on this 2-core machine).',
      'The first second of the warm-up is reported too: that is a cold process meeting full load.',
      '"Latency from the schedule" counts from when the schedule had the message due (see relay-open).',
      '"Repka CPU per relayed message" is utime + stime of the Repka process from /proc from the start',
      'of the measured load to the last arrival, over the messages relayed (warm-up stragglers in that',
      'window are charged to them); on PostgreSQL "PostgreSQL server CPU" sums every `postgres` process.',
      '`BENCH_RATE` sets the offered rate, `BENCH_WARMUP` the warm-up seconds, `BENCH_DEBUG=1` prints',
      'latency and webhook answer times per second of the measured load.',
    ].join('\n'),
  },
  'relay-open': {
    run: () => relayOn('sqlite', 1, 4000, { kind: 'open', relayed: 4000 }, true),
    how: [
      'As the relay scenario, with 4,000 messages/s offered on an open-loop schedule: message n is due',
      'at start + n/4,000 s and every one is sent, however late (none is left out as "not sent in time").',
      'A client still sends its next message only once the last was answered (a chat is ordered), so a',
      'slow answer delays the rest of that client\'s messages, as Telegram would. "Latency from the',
      'schedule" is the arrival in Slack minus the moment the schedule had the message sent: queueing in',
      'front of a saturated Repka shows there, while "latency" (from the request) stays low. The target',
      'is judged on it. Not run on PostgreSQL: at a few hundred messages a second relayed there, the',
      '40,000 messages of the schedule would take minutes and measure only the backlog.',
    ].join('\n'),
  },
  'relay-pg': {
    run: () => relayOn('postgres', 1, 1200),
    how: [
      'As the relay scenario, on PostgreSQL: one Repka instance on a fresh database (created for the run,',
      'dropped after) on the local PostgreSQL server, the same 1,200 messages/s offered. "Durable" counts',
      'the client messages in the PostgreSQL history; "answered 200, never in Slack" the messages the',
      'webhook accepted that no thread post carried; "stored twice" history entries with the same text.',
    ].join('\n'),
  },
  'relay-pg-2000': {
    run: () => relayOn('postgres', 1, 2000),
    how: [
      'As relay-pg, with 2,000 messages/s offered: more than one instance is expected to take, so that',
      'the relayed rate shows what one instance handles. relay-pg-2 is measured at the same offer.',
    ].join('\n'),
  },
  'relay-pg-2': {
    run: () => relayOn('postgres', 2, 2000, { kind: 'beyond', label: 'one instance (relay-pg-2000)', oneInstance: () => relayedBy('relay-pg-2000') }),
    how: [
      'As relay-pg-2000 (2,000 messages/s offered), with two Repka instances on the same PostgreSQL',
      'database, Redis and queue prefix, as deploy/compose.postgres.yml runs them: the second starts once',
      'the first is healthy. The 100 cases are opened through both (client i through instance i mod 2);',
      "then client c's k-th message goes to instance (c + k) mod 2, so consecutive messages of one chat",
      'reach different instances, as behind a load balancer; each client still sends its next message',
      'once the last was answered. Order per thread and none doubled must hold across the instances.',
      'RSS is given for each instance. The target compares with relay-pg-2000 when it ran before in the',
      'same `npm run bench`.',
    ].join('\n'),
  },
  burst: {
    run: () => burstUnderLimits(ctx, { clients: 100, perClient: 10 }),
    how: [
      '100 clients with open cases (opened beforehand, not timed) each send 10 messages in a row, all',
      'clients at once: 1,000 messages. The fake Slack answers 429 (Retry-After: 1) to any second',
      '`chat.postMessage` in the same channel within a rolling second, as Slack does; Repka runs with',
      'its default limits. Time runs from the first webhook call to the last message seen in Slack.',
      'For comparison, a bot forwarding one message per post at 20 posts a minute needs 50 minutes.',
    ].join('\n'),
  },
  storm: {
    run: () => newCaseStorm(ctx, { clients: 30, perClient: 10 }),
    how: [
      '30 clients Repka has never seen each send 10 messages in a row (each once the last was answered),',
      'all clients at once: 300 messages, 30 new cases. The fake Slack answers 429 (Retry-After: 1) to any',
      'second `chat.postMessage` in the same channel within a rolling second; Repka runs with its default',
      'limits. A message counts as in Slack when its marker is in a post to the support channel: a case',
      "card (text or blocks) or a thread post. Order is per client, by the order of Slack's calls. Time",
      'runs from the first webhook call to the last message in Slack; the floor is the 30 cards at one',
      'post a second.',
    ].join('\n'),
  },
  'storm-pg': {
    run: () => newCaseStorm(ctx, { clients: 30, perClient: 10, storage: 'postgres' }),
    how: 'As the new-case storm, on PostgreSQL: one Repka instance on a fresh database (created for the run, dropped after).',
  },
  deadline: {
    run: () => deadlineLateness(ctx, askSizes([10_000, 30_000])),
    how: [
      `Run at ${sizesText(askSizes([10_000, 30_000]))} pending asks, a fresh Repka and SQLite file for each size (figures`,
      'side by side, smallest first). N clients each write to the bot (signed webhook calls, 50 at a',
      'time): N cases ("cases opened in" ends when the last card is in Slack). An agent asks one of five',
      'departments in each case thread with `!ask <department> in <S>s` (50 at a time), choosing S so the',
      'deadlines are spread evenly over one minute, starting once every ask is in and its posts (the',
      'question in the department channel, the confirmation in the case thread) are in Slack: "asks in',
      'Slack" runs from the first ask until Repka\'s outbox is empty (`repka_outbox_pending` 0). The',
      'deadlines are those of questions already asked and posted; what a burst of asks costs to post is',
      'that figure. Each overdue notice in a case thread is matched to its ask; lateness = arrival at the',
      "fake Slack minus the ask's `deadline_at` in SQLite. RSS is read from /proc after the cases are",
      'open, after the asks are in, and every second until the last notice (the deadline minute). The',
      'platforms are not paced here. At 100,000 asks (`BENCH_ASKS=10000,30000,100000`, the size issue 16',
      'asks for) Repka ran out of JavaScript heap (4 GB) while the asks were being created on 2026-12-08:',
      'what it holds per ask still waiting to be posted is the open question, so that size is not a default.',
    ].join('\n'),
  },
  'deadline-pg': {
    run: () => deadlineLateness(ctx, askSizes([10_000]), 'postgres'),
    how: [
      `As the deadline scenario at ${sizesText(askSizes([10_000]))} pending asks, on PostgreSQL: one Repka instance on a fresh database`,
      "(created for the run, dropped after); each notice's lateness is reckoned from the ask's `deadline_at` in PostgreSQL.",
    ].join('\n'),
  },
  hostile: {
    run: () => hostileTraffic(ctx, { clients: 20, attackers: 24, seconds: 10, clientPerSecond: 20, agentPerSecond: 10 }),
    how: [
      '20 clients open a case each (not timed). Then for 10 s, at once: 24 attacker connections send',
      'requests at full speed, each on a fresh connection, the next as soon as the last was answered or',
      'cut (EPIPE, ECONNRESET), cycling through seven kinds: unsigned `POST /slack/events` with a 4 MB',
      'body, declared or chunked; a well-formed fake signature (`v0=` + 64 hex) with a fresh timestamp',
      'and a 4 MB body, declared (refused on the declared size) or chunked (refused after 1 MiB read),',
      'or a 1,000,000-byte body (read whole and hashed, then refused); and `POST /telegram/webhook` with',
      'a wrong secret and a 4 MB body, declared or chunked. Meanwhile signed traffic on a fixed schedule,',
      'whatever the answers: 20 Telegram client messages a second over the 20 cases (right secret) and',
      '10 signed Slack events a second, an agent\'s `!reply` in a case thread. Answer time = the webhook\'s',
      'answer at the sender minus the send. "Relayed" = the message\'s marker in a thread post at the fake',
      'Slack; "delivered" = the reply\'s marker in a `sendMessage` at the fake Telegram. Repka runs',
      'without platform limits. CPU is utime + stime of the Repka process from /proc over the 10 s, RSS',
      'sampled every 250 ms. The attackers run in the benchmark process on the same 2 cores.',
    ].join('\n'),
  },
  flood: {
    run: () => floodingClient(ctx, { floodRequests: 1000, newEvery: 5, others: 20, staggerMs: 1500, followUps: 2 }),
    how: [
      'The fake Slack answers 429 (Retry-After: 1) to a second `chat.postMessage` in a channel within a',
      'rolling second, as Slack does; Repka runs with its default pacing (one post per channel per',
      'second, Telegram 1 per chat and 30 per second). One client sends 1,000 webhook updates, each once',
      'the last was answered: every fifth is `/new`, the rest text messages (Repka keeps a client at 3',
      'open cases at most, `MAX_OPEN_CASES_PER_CLIENT`). From the same moment 20 other clients, new to',
      'Repka, write their first message one every 1.5 s (0.67 new cases a second, under the one post a',
      'second a channel may take; at 2 a second, tried first, cards queue at Slack\'s pace whatever Repka',
      'does: 12.9 s for the last one with no flooder at all), then 2 follow-ups each. Card wait = arrival',
      'at the fake Slack of the card (a support-channel post without thread_ts naming the client) minus',
      'the sending of their first message. The flooder\'s cases are counted in SQLite. Then a control',
      'round on a fresh Repka: the same 20 clients, no flooder, to tell what the flood costs them from',
      'what the channel\'s pace costs anyway. `BENCH_DEBUG=1` prints the support channel\'s posts in order.',
    ].join('\n'),
  },
};

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const chosen = Object.keys(scenarios).filter((name) => only === undefined || only.includes(name));
const results: { name: string; result: ScenarioResult; seconds: number }[] = [];
for (const name of chosen) {
  const started = Date.now();
  const result = await (scenarios[name] as Scenario).run();
  measured.set(name, result);
  const seconds = Math.round((Date.now() - started) / 1000);
  results.push({ name, result, seconds });
  process.stdout.write(`\n${result.name} (${seconds} s): ${result.pass ? 'PASS' : 'FAIL'} (${result.target})\n`);
  for (const [key, value] of Object.entries(result.figures)) process.stdout.write(`  ${key.padEnd(34)} ${value}\n`);
}

/** One scenario's part of docs/BENCHMARKS.md: its summary row and its section (from `## ` on). */
interface DocPart {
  readonly row: string;
  readonly section: string;
}

/** Marks a section with its scenario, so a later partial run finds it whatever its heading says. */
const sectionMark = (name: string) => `<!-- bench:${name} -->`;

/** The parts of an earlier docs/BENCHMARKS.md by scenario name, found by their marks. */
function earlierParts(doc: string): Map<string, DocPart> {
  const [head = '', ...sections] = doc.split(/^## /m);
  const rows = head.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| scenario |') && !line.startsWith('| --- '));
  const parts = new Map<string, DocPart>();
  for (const body of sections) {
    const title = body.slice(0, body.indexOf('\n'));
    const name = /<!-- bench:([\w-]+) -->/.exec(body)?.[1];
    const row = rows.find((r) => r.startsWith(`| ${title} |`));
    if (name !== undefined && row !== undefined) parts.set(name, { row, section: `## ${body.trimEnd()}` });
  }
  return parts;
}

const partial = chosen.length < Object.keys(scenarios).length || process.env.BENCH_ASKS !== undefined;
if (partial && process.env.BENCH_WRITE !== '1') {
  process.stdout.write('\npartial run: docs/BENCHMARKS.md left as it is (BENCH_WRITE=1 to write it)\n');
} else {
  const path = join(root, 'docs/BENCHMARKS.md');
  const tuned = ['BENCH_ONLY', 'BENCH_ASKS', 'BENCH_RATE', 'BENCH_WARMUP', 'BENCH_WRITE', 'BENCH_NODE_FLAGS'].flatMap((key) => (process.env[key] !== undefined && process.env[key] !== '' ? [`${key}=${process.env[key]}`] : []));
  const command = [...tuned, 'npm run bench'].join(' ');
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`;
  const parts = partial && existsSync(path) ? earlierParts(readFileSync(path, 'utf8')) : new Map<string, DocPart>();
  for (const { name, result, seconds } of results) {
    const rows = Object.entries(result.figures).map(([k, v]) => `| ${k} | ${v} |`);
    const section = [
      `## ${result.name}`,
      '',
      sectionMark(name),
      `Measured on ${date} with \`${command}\` (${machine}).`,
      '',
      `Target: ${result.target}. Result: **${result.pass ? 'met' : 'not met'}**.`,
      '',
      (scenarios[name] as Scenario).how,
      '',
      '| figure | value |',
      '| --- | --- |',
      ...rows,
    ].join('\n');
    parts.set(name, { row: `| ${result.name} | ${result.target} | ${result.pass ? 'met' : '**not met**'} | ${seconds} s |`, section });
  }
  const kept = Object.keys(scenarios).flatMap((name) => {
    const part = parts.get(name);
    return part === undefined ? [] : [part];
  });
  const doc = `# Benchmarks

Produced by \`npm run bench\`. Each section says on which date, with which command and on which
machine its figures were measured; Redis is local (${ctx.redisUrl}).

Repka runs as \`npm start\` runs it (its own Node process, real SQLite file or PostgreSQL database, real Redis) against the
fake Slack and Telegram servers of \`tests/fakes\` in the benchmark process, which answer at once
and record the arrival time of every call. Figures are wall-clock times measured at the fakes.
Run one scenario with \`BENCH_ONLY=<name> npm run bench\` (names: ${Object.keys(scenarios).join(', ')});
add \`BENCH_WRITE=1\` to replace its section here and keep the others.

| scenario | target | result | took |
| --- | --- | --- | --- |
${kept.map((p) => p.row).join('\n')}

${kept.map((p) => p.section).join('\n\n')}
`;
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(path, doc);
  process.stdout.write(`\nwrote docs/BENCHMARKS.md (${results.map((r) => r.name).join(', ')} measured now${kept.length > results.length ? '; the other sections kept' : ''})\n`);
}
process.exit(results.every((r) => r.result.pass) ? 0 : 1);
