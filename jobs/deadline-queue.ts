import { InFlight } from './in-flight.js';
import type { Redis } from 'ioredis';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { AskSchedule, Clock, DeadlineScheduler, Logger } from '../src/ports.js';
import type { AskService, DeadlineKind } from '../src/asks/ask-service.js';

/** Delayed jobs for department deadlines (reminders, overdue, second escalation) and client waits. */
export const deadlineQueueName = 'deadlines';

export type DeadlineJobData =
  | { readonly type: 'ask'; readonly askId: number; readonly version: number; readonly which: DeadlineKind }
  | { readonly type: 'client-wait'; readonly caseId: number; readonly waitingSince: number };

/**
 * Deterministic job ids: rebuilding the schedule from SQLite adds nothing that is already there,
 * and an extended deadline (new version) gets new ids.
 */
export function deadlineJobId(data: DeadlineJobData): string {
  if (data.type === 'client-wait') return `wait-${data.caseId}-${data.waitingSince}`;
  const which = data.which.kind === 'reminder' ? `r${data.which.index}` : data.which.kind;
  return `ask-${data.askId}-v${data.version}-${which}`;
}

export function createDeadlineQueue(connection: ConnectionOptions, prefix: string): Queue<DeadlineJobData> {
  return new Queue<DeadlineJobData>(deadlineQueueName, { connection, prefix });
}

/** Schedules deadline jobs in BullMQ; errors are logged (SQLite stays the source of truth). */
export class BullDeadlineScheduler implements DeadlineScheduler {
  /** Adds and removals sent to Redis and not yet answered (see {@link settled}). */
  private readonly inFlight = new InFlight();

  constructor(
    private readonly queue: Queue<DeadlineJobData>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  scheduleAsk(schedule: AskSchedule, rebuild = false): void {
    const base = { type: 'ask' as const, askId: schedule.askId, version: schedule.version };
    const jobs: { data: DeadlineJobData; at: number }[] = schedule.reminders.map((at, index) => ({ data: { ...base, which: { kind: 'reminder', index } }, at }));
    jobs.push({ data: { ...base, which: { kind: 'due' } }, at: schedule.dueAt });
    if (schedule.againAt !== undefined) jobs.push({ data: { ...base, which: { kind: 'again' } }, at: schedule.againAt });
    this.add(jobs, rebuild);
  }

  unscheduleAsk(askId: number, version: number, reminderCount: number): void {
    const base = { type: 'ask' as const, askId, version };
    const kinds: DeadlineKind[] = [...Array.from({ length: reminderCount }, (_, index) => ({ kind: 'reminder' as const, index })), { kind: 'due' }, { kind: 'again' }];
    // Stale jobs would do nothing anyway (the ask's state is checked); removing them keeps Redis small.
    this.inFlight.track(
      Promise.all(kinds.map((which) => this.queue.remove(deadlineJobId({ ...base, which })))).catch((error: Error) =>
        this.log.warn('could not remove deadline jobs', { askId, error: error.message }),
      ),
    );
  }

  /**
   * Marks Redis as holding every deadline job: called before they are rebuilt from storage on
   * start. The mark lives beside the jobs, so whatever empties Redis (FLUSHALL, a restart without
   * its data) takes it too.
   */
  async markKept(): Promise<void> {
    await (await this.redis()).set(this.queue.toKey('kept'), String(this.clock.now()));
  }

  /**
   * True when the mark of {@link markKept} is gone, so Redis lost the deadline jobs since (and the
   * mark is set again): they must be rebuilt from storage. A periodic check costs one command
   * instead of re-adding a job per open question and waiting client, which at 30,000 questions
   * held Redis and the process for seconds every five minutes.
   */
  async lostSinceMarked(): Promise<boolean> {
    return (await (await this.redis()).set(this.queue.toKey('kept'), String(this.clock.now()), 'NX')) === 'OK';
  }

  /** The queue's own connection, as ioredis (BullMQ types it as the few commands it uses). */
  private async redis(): Promise<Redis> {
    return (await this.queue.client) as unknown as Redis;
  }

  /** Resolves once every add and removal sent so far has its answer (a rebuild's every chunk). */
  settled(): Promise<void> {
    return this.inFlight.settled();
  }

  /**
   * On shutdown, before the queue closes: drops the chunks of a rebuild not sent yet (the next
   * start rebuilds them) and resolves once what was sent has its answer.
   */
  stopping(): Promise<void> {
    this.rebuildJobs.length = 0;
    return this.inFlight.settled();
  }

  scheduleClientWait(caseId: number, waitingSince: number, at: number, rebuild = false): void {
    this.add([{ data: { type: 'client-wait', caseId, waitingSince }, at }], rebuild);
  }

  /** Tags job ids of points already due when rebuilding on start (the processor's SQLite claims keep them once-only). */
  private readonly startTag = `start${Date.now().toString(36)}`;

  /** Jobs of a rebuild not sent yet: sent a chunk at a time (see {@link add}). */
  private rebuildJobs: { data: DeadlineJobData; at: number }[] = [];
  private rebuildSending = false;

  private add(jobs: { data: DeadlineJobData; at: number }[], rebuild = false): void {
    if (!rebuild) {
      this.inFlight.track(this.send(jobs, false));
      return;
    }
    // A rebuild schedules every open question and waiting client at once (100,000 questions are
    // 300,000 jobs and more): sent in chunks, one after another, so Redis and this process hold a
    // chunk at a time instead of every add at once, and deadlines falling due meanwhile are served.
    this.rebuildJobs.push(...jobs);
    if (this.rebuildSending) return;
    this.rebuildSending = true;
    this.inFlight.track(
      (async () => {
        try {
          // The rest of the rebuild is scheduled in this same turn: full chunks from the first.
          await Promise.resolve();
          while (this.rebuildJobs.length > 0) await this.send(this.rebuildJobs.splice(0, rebuildChunk), true);
        } finally {
          this.rebuildSending = false;
        }
      })(),
    );
  }

  private send(jobs: readonly { data: DeadlineJobData; at: number }[], rebuild: boolean): Promise<void> {
    const now = this.clock.now();
    const idOf = (data: DeadlineJobData, at: number) => (rebuild && at <= now ? `${deadlineJobId(data)}-${this.startTag}` : deadlineJobId(data));
    return this.queue
      .addBulk(
        jobs.map(({ data, at }) => ({
          name: data.type,
          data,
          opts: { jobId: idOf(data, at), delay: Math.max(0, at - now), removeOnComplete: true, removeOnFail: 1000, attempts: 5, backoff: { type: 'exponential', delay: 500 } },
        })),
      )
      .then(
        () => undefined,
        (error: Error) => this.log.warn('could not schedule deadline jobs; they are rebuilt on start', { error: error.message }),
      );
  }
}

/** Jobs per addBulk when rebuilding. */
const rebuildChunk = 1000;

/**
 * The processor, a plain function: applies the job to the ask or case (which fires at most once).
 * The job completes only once that is durable (the service resolves then); otherwise it fails and is retried.
 */
export function processDeadlineJob(asks: AskService) {
  return async (job: Pick<Job<DeadlineJobData>, 'data'>): Promise<void> => {
    const data: unknown = job.data;
    // A payload Repka never wrote (another version, a hand-made job) fails for good: retrying cannot mend it.
    if (!isDeadlineJobData(data)) throw new UnrecoverableError(`not a deadline job: ${JSON.stringify(data)?.slice(0, 200)}`);
    if (data.type === 'client-wait') await asks.fireClientWait(data.caseId, data.waitingSince);
    else await asks.fire(data.askId, data.version, data.which);
  };
}

/** Whether `data` is a payload this version schedules (see {@link DeadlineJobData}). */
export function isDeadlineJobData(data: unknown): data is DeadlineJobData {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (d.type === 'client-wait') return count(d.caseId) && count(d.waitingSince);
  if (d.type !== 'ask' || !count(d.askId) || !count(d.version) || typeof d.which !== 'object' || d.which === null) return false;
  const which = d.which as Record<string, unknown>;
  return which.kind === 'due' || which.kind === 'again' || (which.kind === 'reminder' && count(which.index));
}

export function createDeadlineWorker(connection: ConnectionOptions, prefix: string, asks: AskService, log: Logger): Worker<DeadlineJobData> {
  const worker = new Worker<DeadlineJobData>(deadlineQueueName, processDeadlineJob(asks), { connection, prefix, concurrency: 20, autorun: false });
  worker.on('error', (error) => log.warn('deadline worker error', { error: error.message }));
  worker.on('failed', (job, error) => log.warn('deadline job failed', { jobId: job?.id, error: error.message }));
  return worker;
}
