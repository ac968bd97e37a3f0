/**
 * `npm run bench`: runs every benchmark scenario against the fakes, prints a table and writes
 * docs/BENCHMARKS.md with the machine, date, command and figures.
 *
 * `BENCH_ONLY=startup,relay,burst,deadline` picks scenarios (default: all); `BENCH_ASKS` sets the
 * size of the deadline scenario (default 10000); `BENCH_RATE`, `BENCH_WARMUP` and `BENCH_DEBUG` tune
 * the relay scenario (see its description). A partial run does not overwrite docs/BENCHMARKS.md
 * unless `BENCH_WRITE=1`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { benchContext, type ScenarioResult } from './harness.js';
import { deadlineLateness } from './deadline-lateness.js';
import { burstUnderLimits, relayEngineSpeed } from './relay.js';
import { startupAndIdle } from './startup.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ctx = benchContext(root);
const asks = Number(process.env.BENCH_ASKS ?? 10_000);

const scenarios: Record<string, { run: () => Promise<ScenarioResult>; how: string }> = {
  startup: {
    run: () => startupAndIdle(ctx, 5),
    how: 'Five fresh starts on an empty SQLite file; start-up is the time from spawning the process to the first 200 from `/healthz`; idle RSS is read from /proc 3 s later.',
  },
  relay: {
    run: () => relayEngineSpeed(ctx, { clients: 100, perSecond: Number(process.env.BENCH_RATE ?? 1200), seconds: 10, warmupSeconds: Number(process.env.BENCH_WARMUP ?? 3) }),
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
      '`BENCH_RATE` sets the offered rate, `BENCH_WARMUP` the warm-up seconds, `BENCH_DEBUG=1` prints',
      'latency and webhook answer times per second of the measured load.',
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
  deadline: {
    run: () => deadlineLateness(ctx, asks),
    how: [
      `${asks.toLocaleString('en')} clients each write to the bot (signed webhook calls, 50 at a time): ${asks.toLocaleString('en')} cases.`,
      'An agent asks one of five departments in each case thread with `!ask <department> in <N>s`,',
      'choosing N so the deadlines are spread evenly over one minute, starting once every ask is in.',
      "Each overdue notice in a case thread is matched to its ask; lateness = arrival at the fake Slack minus the ask's",
      '`deadline_at` in SQLite. RSS is sampled every second from /proc during the deadline minute.',
    ].join('\n'),
  },
};

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const chosen = Object.keys(scenarios).filter((name) => only === undefined || only.includes(name));
const results: { name: string; result: ScenarioResult; seconds: number }[] = [];
for (const name of chosen) {
  const started = Date.now();
  const result = await (scenarios[name] as { run: () => Promise<ScenarioResult> }).run();
  const seconds = Math.round((Date.now() - started) / 1000);
  results.push({ name, result, seconds });
  process.stdout.write(`\n${result.name} (${seconds} s): ${result.pass ? 'PASS' : 'FAIL'} (${result.target})\n`);
  for (const [key, value] of Object.entries(result.figures)) process.stdout.write(`  ${key.padEnd(34)} ${value}\n`);
}

const partial = chosen.length < Object.keys(scenarios).length || process.env.BENCH_ASKS !== undefined;
if (partial && process.env.BENCH_WRITE !== '1') {
  process.stdout.write('\npartial run: docs/BENCHMARKS.md left as it is (BENCH_WRITE=1 to write it)\n');
} else {
  const env = [only ? `BENCH_ONLY=${only.join(',')}` : '', process.env.BENCH_ASKS ? `BENCH_ASKS=${process.env.BENCH_ASKS}` : ''].filter(Boolean).join(' ');
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`;
  const summary = results.map(({ result, seconds }) => `| ${result.name} | ${result.target} | ${result.pass ? 'met' : '**not met**'} | ${seconds} s |`);
  const sections = results.map(({ name, result }) => {
    const rows = Object.entries(result.figures).map(([k, v]) => `| ${k} | ${v} |`);
    return [`## ${result.name}`, '', `Target: ${result.target}. Result: **${result.pass ? 'met' : 'not met'}**.`, '', (scenarios[name] as { how: string }).how, '', '| figure | value |', '| --- | --- |', ...rows].join('\n');
  });
  const doc = `# Benchmarks

Produced by \`${env ? `${env} ` : ''}npm run bench\` on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine}. Redis: ${ctx.redisUrl} (local).

Repka runs as \`npm start\` runs it (its own Node process, real SQLite file, real Redis) against the
fake Slack and Telegram servers of \`tests/fakes\` in the benchmark process, which answer at once
and record the arrival time of every call. Figures are wall-clock times measured at the fakes.
Run one scenario with \`BENCH_ONLY=<name> npm run bench\` (names: ${Object.keys(scenarios).join(', ')}).

| scenario | target | result | took |
| --- | --- | --- | --- |
${summary.join('\n')}

${sections.join('\n\n')}
`;
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs/BENCHMARKS.md'), doc);
  process.stdout.write('\nwrote docs/BENCHMARKS.md\n');
}
process.exit(results.every((r) => r.result.pass) ? 0 : 1);
