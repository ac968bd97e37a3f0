import { UnrecoverableError, type Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { BullDeadlineScheduler, deadlineJobId, processDeadlineJob, type DeadlineJobData } from '../../jobs/deadline-queue.js';
import type { AskService } from '../../src/asks/ask-service.js';
import type { Logger } from '../../src/ports.js';

/**
 * The processor without a Worker: a plain job object, the ask service as a recording stub whose
 * calls resolve, as the real ones do, once their unit of work is durable (`commit`).
 */
function processor(options: { fireFails?: Error; commit?: () => Promise<void> } = {}) {
  const calls: unknown[][] = [];
  const order: string[] = [];
  const durable = async () => {
    order.push('commit');
    await (options.commit?.() ?? Promise.resolve());
    order.push('committed');
  };
  const asks = {
    fire: async (...args: unknown[]) => {
      calls.push(['fire', ...args]);
      order.push('fire');
      if (options.fireFails !== undefined) throw options.fireFails;
      await durable();
      return { outcome: 'done', caseId: 12 };
    },
    fireClientWait: async (...args: unknown[]) => {
      calls.push(['fireClientWait', ...args]);
      order.push('fire');
      await durable();
      return { outcome: 'done', caseId: 12 };
    },
  } as unknown as AskService;
  return { calls, order, run: processDeadlineJob(asks) };
}

/** A job as the Worker hands it over: its name, its data; the processor reads only the data. */
const job = (data: DeadlineJobData) => ({ name: data.type, data });

describe('the deadline processor', () => {
  it('fires each kind of ask deadline on the ask and version it names', async () => {
    const p = processor();
    await p.run(job({ type: 'ask', askId: 7, version: 2, which: { kind: 'reminder', index: 1 } }));
    await p.run(job({ type: 'ask', askId: 7, version: 2, which: { kind: 'due' } }));
    await p.run(job({ type: 'ask', askId: 7, version: 3, which: { kind: 'again' } }));
    expect(p.calls).toEqual([
      ['fire', 7, 2, { kind: 'reminder', index: 1 }],
      ['fire', 7, 2, { kind: 'due' }],
      ['fire', 7, 3, { kind: 'again' }],
    ]);
  });

  it('fires a client wait on the case and the wait it was scheduled for', async () => {
    const p = processor();
    await p.run(job({ type: 'client-wait', caseId: 12, waitingSince: 1764654000000 }));
    expect(p.calls).toEqual([['fireClientWait', 12, 1764654000000]]);
  });

  it('completes only once what the firing wrote is durable', async () => {
    let commit: () => void = () => undefined;
    let committing: () => void = () => undefined;
    const commitStarted = new Promise<void>((resolve) => (committing = resolve));
    const p = processor({
      commit: () =>
        new Promise<void>((resolve) => {
          commit = resolve;
          committing();
        }),
    });
    let completed = false;
    const running = p.run(job({ type: 'ask', askId: 7, version: 2, which: { kind: 'due' } })).then(() => (completed = true));
    // The firing is done and its commit under way, but not durable: the job must not complete.
    await commitStarted;
    await new Promise((resolve) => setImmediate(resolve));
    expect(p.order).toEqual(['fire', 'commit']);
    expect(completed).toBe(false);
    commit();
    await running;
    expect(completed).toBe(true);
    expect(p.order).toEqual(['fire', 'commit', 'committed']);
  });

  it('fails a job whose writes were not stored with a plain error, so BullMQ retries it (the claims keep it once-only)', async () => {
    const p = processor({ commit: () => Promise.reject(new Error('SQLITE_IOERR')) });
    const failure = await p.run(job({ type: 'ask', askId: 7, version: 2, which: { kind: 'due' } })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(UnrecoverableError);
    expect((failure as Error).message).toBe('SQLITE_IOERR');
  });

  it('fails a job the ask service throws on, retried likewise, and commits nothing for it', async () => {
    const p = processor({ fireFails: new Error('SQLITE_BUSY') });
    const failure = await p.run(job({ type: 'ask', askId: 7, version: 2, which: { kind: 'due' } })).catch((error: unknown) => error);
    expect(failure).not.toBeInstanceOf(UnrecoverableError);
    expect(p.order).toEqual(['fire']);
  });

  it('fails a payload it never schedules for good (UnrecoverableError), firing nothing', async () => {
    const wrong = [null, 'due', { type: 'ask', askId: 7, version: 2 }, { type: 'ask', askId: '7', version: 2, which: { kind: 'due' } }, { type: 'ask', askId: 7, version: 2, which: { kind: 'reminder' } }, { type: 'ask', askId: 7, version: 2, which: { kind: 'later' } }, { type: 'client-wait', caseId: 3 }, { type: 'refund', caseId: 3 }];
    for (const data of wrong) {
      const p = processor();
      const failure = await p.run({ data } as never).catch((error: unknown) => error);
      expect(failure, JSON.stringify(data)).toBeInstanceOf(UnrecoverableError);
      expect(p.order).toEqual([]);
    }
  });
});

/** A queue that records the adds and removals BullDeadlineScheduler sends it. */
function recordingQueue(options: { fails?: Error } = {}) {
  const added: { name: string; data: DeadlineJobData; opts: Record<string, unknown> }[] = [];
  const removed: string[] = [];
  const queue = {
    addBulk: async (jobs: typeof added) => {
      if (options.fails !== undefined) throw options.fails;
      added.push(...jobs);
      return [];
    },
    remove: async (id: string) => (removed.push(id), 1),
  } as unknown as Queue<DeadlineJobData>;
  const warnings: unknown[][] = [];
  const log = { debug: () => undefined, info: () => undefined, warn: (...args: unknown[]) => void warnings.push(args), error: () => undefined } as Logger;
  return { queue, added, removed, warnings, log };
}

const now = 1_764_654_000_000;
const clock = { now: () => now };

describe('the deadline scheduler', () => {
  it("adds one job per point, named after the payload's type, with deterministic ids and the delay until the point", async () => {
    const q = recordingQueue();
    const scheduler = new BullDeadlineScheduler(q.queue, clock, q.log);
    scheduler.scheduleAsk({ askId: 7, version: 2, reminders: [now + 60_000, now + 120_000], dueAt: now + 180_000, againAt: now + 240_000 });
    scheduler.scheduleClientWait(12, now - 5_000, now + 900_000);
    await scheduler.settled();
    expect(q.added.map((j) => [j.name, j.opts.jobId, j.opts.delay])).toEqual([
      ['ask', 'ask-7-v2-r0', 60_000],
      ['ask', 'ask-7-v2-r1', 120_000],
      ['ask', 'ask-7-v2-due', 180_000],
      ['ask', 'ask-7-v2-again', 240_000],
      ['client-wait', 'wait-12-1764653995000', 900_000],
    ]);
    expect(q.added[1]?.data).toEqual({ type: 'ask', askId: 7, version: 2, which: { kind: 'reminder', index: 1 } });
    // Retried with backoff; removed on completion so a rebuild can add the id again.
    expect(q.added[0]?.opts).toMatchObject({ attempts: 5, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: true });
  });

  it('the job ids carry the version: an extended deadline gets new ones, never colliding with the old', () => {
    const due = (version: number) => deadlineJobId({ type: 'ask', askId: 7, version, which: { kind: 'due' } });
    expect(due(3)).not.toBe(due(2));
    // BullMQ ids must not contain ':' nor be all digits.
    for (const id of [due(2), deadlineJobId({ type: 'client-wait', caseId: 12, waitingSince: now })]) expect(id).toMatch(/^[a-z][^:]*$/);
  });

  it('on a rebuild, points already past get fresh ids (due now) and points ahead keep theirs', async () => {
    const q = recordingQueue();
    const scheduler = new BullDeadlineScheduler(q.queue, clock, q.log);
    scheduler.scheduleAsk({ askId: 7, version: 2, reminders: [now - 60_000], dueAt: now + 60_000 }, true);
    await scheduler.settled();
    expect(q.added.map((j) => [j.opts.jobId, j.opts.delay])).toEqual([
      [expect.stringMatching(/^ask-7-v2-r0-start[0-9a-z]+$/), 0],
      ['ask-7-v2-due', 60_000],
    ]);
  });

  it('sends a rebuild in chunks of at most 1,000 jobs, one after another; a shutdown drops the chunks not sent', async () => {
    const sizes: number[] = [];
    let inFlight = 0;
    let most = 0;
    const queue = {
      addBulk: async (jobs: unknown[]) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        sizes.push(jobs.length);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight -= 1;
        return [];
      },
    } as unknown as Queue<DeadlineJobData>;
    const scheduler = new BullDeadlineScheduler(queue, clock, recordingQueue().log);
    // 1,250 questions of two points each, and 500 waiting clients: 3,000 jobs.
    for (let askId = 1; askId <= 1250; askId++) scheduler.scheduleAsk({ askId, version: 1, reminders: [now + 1000], dueAt: now + 2000 }, true);
    for (let caseId = 1; caseId <= 500; caseId++) scheduler.scheduleClientWait(caseId, now, now + 5000, true);
    await scheduler.settled();
    expect(sizes).toEqual([1000, 1000, 1000]);
    expect(most).toBe(1);
    // A shutdown in the middle of another rebuild: what was sent gets its answer, the rest is left to the next start.
    sizes.length = 0;
    for (let askId = 1; askId <= 1250; askId++) scheduler.scheduleAsk({ askId, version: 1, reminders: [now + 1000], dueAt: now + 2000 }, true);
    await new Promise((resolve) => setImmediate(resolve));
    await scheduler.stopping();
    expect(sizes).toEqual([1000]);
    // Outside a rebuild, an add goes at once.
    scheduler.scheduleClientWait(9, now, now + 5000);
    await scheduler.settled();
    expect(sizes).toEqual([1000, 1]);
  });

  it('removes every job of a settled question, reminders, due and second escalation', async () => {
    const q = recordingQueue();
    const scheduler = new BullDeadlineScheduler(q.queue, clock, q.log);
    scheduler.unscheduleAsk(7, 2, 2);
    await scheduler.settled();
    expect(q.removed).toEqual(['ask-7-v2-r0', 'ask-7-v2-r1', 'ask-7-v2-due', 'ask-7-v2-again']);
  });

  it('logs an add Redis refuses and does not throw: SQLite rebuilds the jobs on start', async () => {
    const q = recordingQueue({ fails: new Error('Connection is closed.') });
    const scheduler = new BullDeadlineScheduler(q.queue, clock, q.log);
    expect(() => scheduler.scheduleClientWait(12, now, now + 1000)).not.toThrow();
    await scheduler.settled();
    expect(q.warnings).toEqual([['could not schedule deadline jobs; they are rebuilt on start', { error: 'Connection is closed.' }]]);
  });
});
