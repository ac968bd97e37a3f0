import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { DeliveryTrigger, Logger } from '../src/ports.js';
import type { StreamDrainer } from '../src/delivery/stream-drainer.js';

/** The delivery queue: one job per outbox row, which drains that row's stream. */
export const outboxQueueName = 'outbox';

export interface OutboxJobData {
  readonly outboxId: number;
}

/** Deterministic: waking the same row twice while its job waits adds nothing. */
export function outboxJobId(outboxId: number): string {
  return `out-${outboxId}`;
}

const jobOptions = { removeOnComplete: true, removeOnFail: true, attempts: 1 } as const;

export function createOutboxQueue(connection: ConnectionOptions, prefix: string): Queue<OutboxJobData> {
  return new Queue<OutboxJobData>(outboxQueueName, { connection, prefix });
}

/** Adds delivery jobs for outbox rows; failures are logged, since the periodic sweep re-adds them. */
export class QueueDeliveryTrigger implements DeliveryTrigger {
  constructor(
    private readonly queue: Queue<OutboxJobData>,
    private readonly log: Logger,
  ) {}

  wake(outboxIds: readonly number[]): void {
    this.add(outboxIds).catch((error: Error) => this.log.warn('could not queue delivery; the sweep will retry', { error: error.message }));
  }

  /**
   * Adds a delivery job per row. With `tag`, the job ids are `out-<id>-<tag>` instead: the sweep on
   * start uses one, because a job a killed process left active keeps its plain id taken until
   * BullMQ's stall check runs it again (30 to 60 s later), and would hold its stream back that long.
   */
  async add(outboxIds: readonly number[], tag?: string): Promise<void> {
    const jobId = (outboxId: number) => (tag === undefined ? outboxJobId(outboxId) : `${outboxJobId(outboxId)}-${tag}`);
    await this.queue.addBulk(outboxIds.map((outboxId) => ({ name: 'deliver', data: { outboxId }, opts: { ...jobOptions, jobId: jobId(outboxId) } })));
  }
}

export interface OutboxProcessorDeps {
  readonly drainer: StreamDrainer;
  /** The stream of an outbox row; undefined when the row does not exist. */
  readonly streamOf: (outboxId: number) => string | undefined;
  /** Aborted on shutdown: drains stop between calls and leave the rest pending. */
  readonly signal: AbortSignal;
}

/** The processor, a plain function: drains the stream of the job's outbox row. */
export function processOutboxJob(deps: OutboxProcessorDeps) {
  return async (job: Pick<Job<OutboxJobData>, 'data'>): Promise<void> => {
    const stream = deps.streamOf(job.data.outboxId);
    if (stream === undefined) return;
    await deps.drainer.drain(stream, deps.signal);
  };
}

/**
 * The worker. High concurrency because a job mostly waits on the network or a rate limit, and a
 * stream already being drained makes its other jobs finish at once.
 */
export function createOutboxWorker(connection: ConnectionOptions, prefix: string, deps: OutboxProcessorDeps, log: Logger): Worker<OutboxJobData> {
  const worker = new Worker<OutboxJobData>(outboxQueueName, processOutboxJob(deps), { connection, prefix, concurrency: 100, autorun: false });
  worker.on('error', (error) => log.warn('outbox worker error', { error: error.message }));
  worker.on('failed', (job, error) => {
    if (!deps.signal.aborted) log.warn('outbox job failed', { jobId: job?.id, error: error.message });
  });
  return worker;
}
