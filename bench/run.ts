/**
 * `npm run bench`: runs every benchmark scenario against the fakes, prints a table and writes
 * docs/BENCHMARKS.md with the machine, date, command and figures. `BENCH_ASKS` sets the size of
 * the deadline scenario (default 10000).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { benchContext, type ScenarioResult } from './harness.js';
import { deadlineLateness } from './deadline-lateness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ctx = benchContext(root);
const asks = Number(process.env.BENCH_ASKS ?? 10_000);

const results: ScenarioResult[] = [];
for (const scenario of [() => deadlineLateness(ctx, asks)]) {
  const started = Date.now();
  const result = await scenario();
  results.push(result);
  process.stdout.write(`\n${result.name} (${((Date.now() - started) / 1000).toFixed(0)} s): ${result.pass ? 'PASS' : 'FAIL'} (${result.target})\n`);
  for (const [key, value] of Object.entries(result.figures)) process.stdout.write(`  ${key.padEnd(28)} ${value}\n`);
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`;
const sections = results.map((r) => {
  const rows = Object.entries(r.figures).map(([k, v]) => `| ${k} | ${v} |`);
  return [`## ${r.name}`, '', `Target: ${r.target}. Result: **${r.pass ? 'met' : 'not met'}**.`, '', '| figure | value |', '| --- | --- |', ...rows].join('\n');
});
const doc = `# Benchmarks

Produced by \`npm run bench\`${process.env.BENCH_ASKS ? ` with \`BENCH_ASKS=${process.env.BENCH_ASKS}\`` : ''} on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine}. Redis: ${ctx.redisUrl}.

Repka runs as \`npm start\` runs it (its own Node process, real SQLite file, real Redis) against the
fake Slack and Telegram servers of \`tests/fakes\`, which answer at once and record the arrival time
of every call. Figures are wall-clock times measured at the fakes.

${sections.join('\n\n')}

## How the deadline scenario works

1. ${asks.toLocaleString('en')} clients each write to the bot (signed webhook calls, 50 at a time): ${asks.toLocaleString('en')} cases.
2. An agent asks one of five departments in each case thread with \`!ask <department> in <N>s\`,
   choosing N so the deadlines are spread evenly over one minute, starting once every ask is in.
3. Each overdue notice in a case thread is matched to its ask; lateness = arrival at the fake Slack
   minus the ask's \`deadline_at\` in SQLite. RSS is sampled every second from /proc during the deadline minute.
`;
mkdirSync(join(root, 'docs'), { recursive: true });
writeFileSync(join(root, 'docs/BENCHMARKS.md'), doc);
process.stdout.write('\nwrote docs/BENCHMARKS.md\n');
process.exit(results.every((r) => r.pass) ? 0 : 1);
