import { UnrecoverableError, type Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { outboxJobId, processOutboxJob, QueueDeliveryTrigger, type OutboxJobData } from '../../jobs/outbox-queue.js';
import type { StreamDrainer } from '../../src/delivery/stream-drainer.js';
import type { Logger } from '../../src/ports.js';

/** The outbox rows these tests wake, with their streams. */
const streams: Record<number, string> = { 101: 'thread-12', 102: 'client-7001', 103: 'thread-12', 104: 'card-12' };
const rows = (...ids: number[]) => ids.map((id) => ({ id, stream: streams[id] as string }));

/** A drainer that records each drain and holds it until released, so side-by-side drains are visible. */
function recordingDrainer(fails?: Error) {
  const started: string[] = [];
  const signals: AbortSignal[] = [];
  const release: (() => void)[] = [];
  const drainer = {
    drain: (stream: string, signal: AbortSignal) => {
      started.push(stream);
      signals.push(signal);
      return new Promise<void>((resolve, reject) => release.push(() => (fails === undefined ? resolve() : reject(fails))));
    },
  } as unknown as StreamDrainer;
  return { drainer, started, signals, releaseAll: () => release.splice(0).forEach((go) => go()) };
}

const job = (data: OutboxJobData) => ({ name: 'deliver', data });

describe('the outbox processor', () => {
  it("drains each stream of the job once, side by side, telling the trigger before each starts", async () => {
    const d = recordingDrainer();
    const told: string[] = [];
    const signal = new AbortController().signal;
    const run = processOutboxJob({ drainer: d.drainer, signal, onStart: (stream) => told.push(stream) })(job({ outboxId: 101, streams: ['thread-12', 'client-7001', 'thread-12'] }));
    await Promise.resolve();
    // Both drains are under way before either ends.
    expect(d.started).toEqual(['thread-12', 'client-7001']);
    expect(told).toEqual(['thread-12', 'client-7001']);
    expect(d.signals.every((s) => s === signal)).toBe(true);
    d.releaseAll();
    await expect(run).resolves.toBeUndefined();
  });

  it('completes at once, draining nothing, for a job without streams (one an older Repka queued: the sweep on start covers its rows)', async () => {
    const d = recordingDrainer();
    await processOutboxJob({ drainer: d.drainer, signal: new AbortController().signal })(job({ outboxId: 999 } as unknown as OutboxJobData));
    await processOutboxJob({ drainer: d.drainer, signal: new AbortController().signal })(job({ outboxId: 998, streams: [] }));
    expect(d.started).toEqual([]);
  });

  it('fails the job with the drain error, a plain one: attempts is 1, and the sweep re-adds the row', async () => {
    const d = recordingDrainer(new Error('Slack 500'));
    const run = processOutboxJob({ drainer: d.drainer, signal: new AbortController().signal })(job({ outboxId: 102, streams: ['client-7001'] }));
    await Promise.resolve();
    d.releaseAll();
    const failure = await run.catch((error: unknown) => error);
    expect((failure as Error).message).toBe('Slack 500');
    expect(failure).not.toBeInstanceOf(UnrecoverableError);
  });
});

function recordingQueue(fails?: Error) {
  const added: { name: string; data: OutboxJobData; opts: Record<string, unknown> }[] = [];
  const queue = {
    addBulk: async (jobs: typeof added) => {
      if (fails !== undefined) throw fails;
      added.push(...jobs);
      return [];
    },
  } as unknown as Queue<OutboxJobData>;
  const warnings: unknown[][] = [];
  const log = { debug: () => undefined, info: () => undefined, warn: (...args: unknown[]) => void warnings.push(args), error: () => undefined } as Logger;
  return { queue, added, warnings, log };
}

/** Lets the turn end, so rows woken in it are queued. */
const endOfTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the delivery trigger', () => {
  it("queues what one turn woke as one 'deliver' job, and card updates as their own, later and after everything else", async () => {
    const q = recordingQueue();
    const trigger = new QueueDeliveryTrigger(q.queue, q.log);
    trigger.wake(rows(101, 104));
    trigger.wake(rows(102));
    await endOfTurn();
    await trigger.settled();
    expect(q.added).toEqual([
      { name: 'deliver', data: { outboxId: 101, streams: ['thread-12', 'client-7001'] }, opts: { removeOnComplete: true, removeOnFail: true, attempts: 1, jobId: 'out-101' } },
      { name: 'deliver', data: { outboxId: 104, streams: ['card-12'] }, opts: { removeOnComplete: true, removeOnFail: true, attempts: 1, priority: 10, delay: 500, jobId: 'out-104' } },
    ]);
  });

  it('adds no second job for a stream whose job has not started, nor for one this process is draining', async () => {
    const q = recordingQueue();
    const draining = new Set(['client-7001']);
    const trigger = new QueueDeliveryTrigger(q.queue, q.log, (stream) => draining.has(stream));
    trigger.wake(rows(101));
    await endOfTurn();
    trigger.wake(rows(103, 102));
    await endOfTurn();
    expect(q.added.map((j) => j.data)).toEqual([{ outboxId: 101, streams: ['thread-12'] }]);
    trigger.started('thread-12');
    trigger.wake(rows(103));
    await endOfTurn();
    expect(q.added.map((j) => j.data)).toEqual([
      { outboxId: 101, streams: ['thread-12'] },
      { outboxId: 103, streams: ['thread-12'] },
    ]);
  });

  it('shared by several instances, queues a stream again though its earlier job has not started here (it may have started in another instance)', async () => {
    const q = recordingQueue();
    const draining = new Set(['client-7001']);
    const trigger = new QueueDeliveryTrigger(q.queue, q.log, (stream) => draining.has(stream), true);
    trigger.wake(rows(101));
    await endOfTurn();
    trigger.wake(rows(103, 102));
    await endOfTurn();
    // thread-12 again (its first job may be running elsewhere); client-7001 is drained here: nudged, no job.
    expect(q.added.map((j) => j.data)).toEqual([
      { outboxId: 101, streams: ['thread-12'] },
      { outboxId: 103, streams: ['thread-12'] },
    ]);
  });

  it('drains a stream here instead of queueing a job when the process can take the drain, card updates still queued', async () => {
    const q = recordingQueue();
    const drainedHere: string[] = [];
    let room = 1;
    const trigger = new QueueDeliveryTrigger(q.queue, q.log, () => false, false, (stream) => (room-- > 0 ? (drainedHere.push(stream), true) : false));
    trigger.wake(rows(101, 102, 104));
    await endOfTurn();
    await trigger.settled();
    // thread-12 drained here; the process had no room left for client-7001 (a job); card-12 waits its half second.
    expect(drainedHere).toEqual(['thread-12']);
    expect(q.added.map((j) => j.data)).toEqual([
      { outboxId: 102, streams: ['client-7001'] },
      { outboxId: 104, streams: ['card-12'] },
    ]);
  });

  it('logs an add Redis refuses, and queues the stream again on the next wake', async () => {
    const failing = recordingQueue(new Error('Connection is closed.'));
    const trigger = new QueueDeliveryTrigger(failing.queue, failing.log);
    trigger.wake(rows(102));
    await endOfTurn();
    await trigger.settled();
    expect(failing.warnings).toEqual([['could not queue delivery; the sweep will retry', { error: 'Connection is closed.' }]]);
    // The stream is not left marked as waiting for a job that was never added: the next wake tries again.
    trigger.wake(rows(102));
    await endOfTurn();
    await trigger.settled();
    expect(failing.warnings).toHaveLength(2);
  });

  it('leaves out of the sweep a stream drained here (nudged to look again), not one whose job may be gone with Redis', async () => {
    const q = recordingQueue();
    const draining = new Set(['client-7001']);
    const nudged: string[] = [];
    const trigger = new QueueDeliveryTrigger(q.queue, q.log, (stream) => draining.has(stream) && (nudged.push(stream), true));
    // thread-12 gets a job of its own, not started yet (an emptied Redis may have lost it).
    trigger.wake([{ id: 100, stream: 'thread-12' }]);
    await endOfTurn();
    await trigger.settled();
    q.added.length = 0;
    await trigger.add([...rows(101, 102), { id: 104, stream: 'thread-99' }]);
    expect(q.added.map((j) => j.data)).toEqual([
      { outboxId: 101, streams: ['thread-12'] },
      { outboxId: 104, streams: ['thread-99'] },
    ]);
    expect(nudged).toEqual(['client-7001']);
  });

  it("adds the sweep's rows one job each, with the tag in the id on start", async () => {
    const q = recordingQueue();
    const trigger = new QueueDeliveryTrigger(q.queue, q.log);
    await trigger.add(rows(101, 102), 'start1a2b');
    await trigger.add(rows(103));
    expect(q.added.map((j) => [j.name, j.data, j.opts.jobId])).toEqual([
      ['deliver', { outboxId: 101, streams: ['thread-12'] }, 'out-101-start1a2b'],
      ['deliver', { outboxId: 102, streams: ['client-7001'] }, 'out-102-start1a2b'],
      ['deliver', { outboxId: 103, streams: ['thread-12'] }, outboxJobId(103)],
    ]);
  });
});
