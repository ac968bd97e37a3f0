import { InFlight } from './in-flight.js';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { DeliveryTrigger, Logger, WokenRow } from '../src/ports.js';
import type { StreamDrainer } from '../src/delivery/stream-drainer.js';

/** The delivery queue: a job drains the streams of the outbox rows it names. */
export const outboxQueueName = 'outbox';

export interface OutboxJobData {
  /** The first row woken: the job's id comes from it. */
  readonly outboxId: number;
  /** The streams to drain: those of the rows one unit of work wrote, drained by the same job. */
  readonly streams: readonly string[];
}

/** Deterministic: waking the same row twice while its job waits adds nothing. */
export function outboxJobId(outboxId: number): string {
  return `out-${outboxId}`;
}

const jobOptions = { removeOnComplete: true, removeOnFail: true, attempts: 1 } as const;
/** BullMQ runs jobs without a priority first; card updates come after them. */
const cardPriority = 10;
/** Card changes within this window become one chat.update. */
const cardDelayMs = 500;

export function createOutboxQueue(connection: ConnectionOptions, prefix: string): Queue<OutboxJobData> {
  return new Queue<OutboxJobData>(outboxQueueName, { connection, prefix });
}

/**
 * Adds delivery jobs for outbox rows; failures are logged, since the periodic sweep re-adds them.
 * A stream that already has a job waiting to start gets no second one: that job drains whatever
 * the stream holds when it starts, so one job per burst is enough (a job per row made BullMQ the
 * busiest part of a loaded Repka). Nor does a stream this process is draining at the moment: the
 * drain is told to look again before it stops.
 */
export class QueueDeliveryTrigger implements DeliveryTrigger {
  /** Streams with a job queued by this process that has not started yet. */
  private readonly waiting = new Set<string>();
  /** Rows woken in this turn, queued together once it ends. */
  private woken: WokenRow[] = [];
  /** Job adds sent to Redis and not yet answered (see settled). */
  private readonly inFlight = new InFlight();

  constructor(
    private readonly queue: Queue<OutboxJobData>,
    private readonly log: Logger,
    /** True when the stream is being drained in this process and will be looked at again (StreamDrainer.nudge). */
    private readonly nudge: (stream: string) => boolean = () => false,
    /**
     * Several instances share the queue: a job this process queued may start in another's worker,
     * which would never tell this one, so a stream is not skipped for a job queued here earlier.
     * (The jobs of one turn are still combined, and a stream drained here is still only nudged.)
     */
    private readonly shared = false,
    /**
     * Starts draining the stream in this process at once, when it can take one more drain: true
     * then, and no job is queued for it (a job costs several Redis round trips to add, start and
     * finish, more than the drain's own work for a thread post). Rows a drain here leaves undelivered
     * (the process dies) are found by the periodic sweep, as those of a job that never ran are.
     * Card updates always go through the queue: their job waits half a second to combine them.
     */
    private readonly drainHere: (stream: string) => boolean = () => false,
  ) {}

  /**
   * Wakes delivery for outbox rows. Rows woken within one turn share their jobs: a group commit
   * wakes everything it made durable at once, and one job draining twenty streams side by side
   * costs BullMQ a twentieth of twenty jobs.
   */
  wake(rows: readonly WokenRow[]): void {
    if (this.woken.length === 0) queueMicrotask(() => this.queueWoken());
    this.woken.push(...rows);
  }

  private queueWoken(): void {
    const rows = this.woken;
    this.woken = [];
    const cards: WokenRow[] = [];
    const others: WokenRow[] = [];
    const streams: string[] = [];
    for (const row of rows) {
      const { stream } = row;
      if ((!this.shared && this.waiting.has(stream)) || this.nudge(stream)) continue;
      if (!stream.startsWith('card-') && this.drainHere(stream)) continue;
      if (!this.shared) this.waiting.add(stream);
      streams.push(stream);
      // One job for what one unit of work wrote (typically a post and a client message). Card
      // updates get their own job, half a second later and after everything else: a card only shows
      // the state, so it waits for what people are told, and that half second's changes make one edit.
      (stream.startsWith('card-') ? cards : others).push(row);
    }
    const jobs = [
      ...(others.length > 0 ? [{ rows: others, opts: {} }] : []),
      ...(cards.length > 0 ? [{ rows: cards, opts: { priority: cardPriority, delay: cardDelayMs } }] : []),
    ].map(({ rows: woken, opts }) => {
      const first = (woken[0] as WokenRow).id;
      const data: OutboxJobData = { outboxId: first, streams: woken.map((r) => r.stream) };
      return { name: 'deliver', data, opts: { ...jobOptions, ...opts, jobId: outboxJobId(first) } };
    });
    if (jobs.length === 0) return;
    const sent = this.queue.addBulk(jobs).catch((error: Error) => {
      for (const stream of streams) this.waiting.delete(stream);
      this.log.warn('could not queue delivery; the sweep will retry', { error: error.message });
    });
    this.inFlight.track(sent);
  }

  /** Resolves once every job add sent so far has its answer; called before the queue closes on shutdown. */
  settled(): Promise<void> {
    return this.inFlight.settled();
  }

  /** A job of `stream` starts draining it: rows written from now on need a job of their own. */
  started(stream: string): void {
    this.waiting.delete(stream);
  }

  /**
   * Adds a delivery job per row (a stream's oldest pending one). With `tag`, the job ids are
   * `out-<id>-<tag>` instead: the sweep on start uses one, because a job a killed process left
   * active keeps its plain id taken until BullMQ's stall check runs it again (30 to 60 s later),
   * and would hold its stream back that long.
   */
  async add(rows: readonly WokenRow[], tag?: string): Promise<void> {
    const jobId = (outboxId: number) => (tag === undefined ? outboxJobId(outboxId) : `${outboxJobId(outboxId)}-${tag}`);
    // A stream this process is draining is not stranded: the drain is told to look again instead.
    // (Under a backlog of thousands of streams, a job for each every sweep kept Redis and the worker
    // busy with jobs that found nothing to do.) A stream with a job waiting to start still gets one:
    // that job may be gone with an emptied Redis.
    const stranded = rows.filter(({ stream }) => !this.nudge(stream));
    if (stranded.length === 0) return;
    await this.queue.addBulk(stranded.map(({ id, stream }) => ({ name: 'deliver', data: { outboxId: id, streams: [stream] }, opts: { ...jobOptions, jobId: jobId(id) } })));
  }
}

export interface OutboxProcessorDeps {
  readonly drainer: StreamDrainer;
  /** Aborted on shutdown: drains stop between calls and leave the rest pending. */
  readonly signal: AbortSignal;
  /** Told before a stream is drained (see {@link QueueDeliveryTrigger.started}). */
  readonly onStart?: (stream: string) => void;
}

/**
 * The processor, a plain function: drains the job's streams, side by side. A job without streams
 * (written by an older Repka, which named rows only) drains nothing: the sweep on start queues
 * every stream with pending rows anew.
 */
export function processOutboxJob(deps: OutboxProcessorDeps) {
  return async (job: Pick<Job<OutboxJobData>, 'data'>): Promise<void> => {
    const streams = new Set(Array.isArray(job.data.streams) ? job.data.streams.filter((s): s is string => typeof s === 'string') : []);
    for (const stream of streams) deps.onStart?.(stream);
    await Promise.all([...streams].map((stream) => deps.drainer.drain(stream, deps.signal)));
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
