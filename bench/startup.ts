/** Start-up time (spawn to the first 200 from /healthz) and idle memory of a fresh Repka process. */
import { FakeSlack } from '../tests/fakes/fake-slack.js';
import { FakeTelegram } from '../tests/fakes/fake-telegram.js';
import { percentile, rssOf, startRepkaProcess, type BenchContext, type ScenarioResult } from './harness.js';

export async function startupAndIdle(ctx: BenchContext, runs: number): Promise<ScenarioResult> {
  const slack = await FakeSlack.start();
  const telegram = await FakeTelegram.start({ token: ctx.telegramToken });
  const times: number[] = [];
  const idle: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      const repka = await startRepkaProcess(ctx, slack, telegram, { departments: [] });
      times.push(repka.startupMs);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      idle.push(rssOf(repka.pid));
      await repka.stop();
    }
  } finally {
    await slack.close();
    await telegram.close();
  }
  times.sort((a, b) => a - b);
  idle.sort((a, b) => a - b);
  const median = percentile(times, 0.5);
  const idleMiB = percentile(idle, 0.5) / 1024 / 1024;
  return {
    name: `Start-up and idle memory, ${runs} fresh starts`,
    figures: {
      'start-up median (ms)': median,
      'start-up max (ms)': times[times.length - 1] ?? Number.NaN,
      'idle RSS median (MiB)': idleMiB.toFixed(0),
    },
    // Issue 16's targets for the compiled process.
    pass: median < 500 && idleMiB <= 90,
    target: 'healthy within 500 ms of `npm start` (plain Node on the compiled build), idle RSS at most 90 MiB',
  };
}
