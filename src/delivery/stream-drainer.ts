import { streamOf } from '../outgoing.js';
import type { Clock, DeliveryTrigger, Logger, PendingMessage, UnitOfWork, WokenRow } from '../ports.js';
import { PermanentDeliveryError, RetryLaterError, sleep, type Deliverer } from './deliverer.js';
import type { DrainSlots } from './drain-slots.js';
import { onAbort } from './abort-fan-out.js';

/** The right to drain one stream, held by one drainer among all instances at a time. */
export interface StreamLease {
  /** Aborted when the lease is lost (it could not be renewed in time): stop delivering at once. */
  readonly lost: AbortSignal;
  /**
   * True when the stream's previous holder never released it (it died mid-drain): the call it was
   * making may have reached the platform, so the first row is treated as tried before.
   */
  readonly takenOver: boolean;
  /**
   * Gives the lease up. True when the stream must be looked at again: another drainer asked for
   * it while this one held it (and left it to this one), or that cannot be told.
   */
  release(): Promise<boolean>;
}

/** Leases on streams. */
export interface StreamLeases {
  /**
   * True when other instances drain the same streams: rows they commit mark no drain here dirty,
   * so a drain that waited for the platform's turn reads its stream again before delivering.
   */
  readonly shared?: boolean;
  /** The lease of `stream`, or undefined when another drainer holds it. Never throws (a failure is no lease). */
  acquire(stream: string): Promise<StreamLease | undefined>;
}

/**
 * Leases for a single instance: the drainer's own bookkeeping already drains each stream once at a
 * time, and every row this process commits reaches the running drain (as `dirty`) or a new one.
 */
export const singleInstanceLeases: StreamLeases = {
  acquire: async () => ({ lost: new AbortController().signal, takenOver: false, release: async () => false }),
};

export interface DrainerDeps {
  /** The outbox is read and settled in units of work. */
  readonly uow: UnitOfWork;
  /** Who may drain a stream when several instances deliver (default: this one alone, {@link singleInstanceLeases}). */
  readonly leases?: StreamLeases;
  readonly deliverer: Deliverer;
  readonly trigger: DeliveryTrigger;
  readonly clock: Clock;
  readonly log: Logger;
  /** Called after a message was marked failed, to record it and tell the agent. */
  readonly onPermanentFailure: (message: PendingMessage, reason: string) => Promise<void>;
  /** Called after each delivery with the time from enqueue to delivery, ms. */
  readonly onDelivered?: (message: PendingMessage, latencyMs: number) => void;
  /** First retry delay after a transient error, ms. Default 250. */
  readonly backoffBaseMs?: number;
  /** Longest retry delay, ms. Default 30000. */
  readonly backoffMaxMs?: number;
  /** How many pending messages are offered to the deliverer at once (for combining). Default 20. */
  readonly batchSize?: number;
  /**
   * How many drains work at once (see DrainSlots); the deliverer's pacers should be the slots'
   * `paced` ones, so a wait for a turn gives the slot up (and `paced` pacers need this set: their
   * takes give back a slot the drain must hold). Default: no bound.
   */
  readonly slots?: DrainSlots;
}

/** A wait for the platform's turn this long or longer may have let other instances commit rows (ms). */
const readAgainAfterWaitMs = 10;

/** A drain in progress; `dirty` when rows were committed for its stream since it last read it. */
interface DrainState {
  dirty: boolean;
}

/**
 * Delivers each stream's outbox messages one at a time, in order, retrying until they succeed.
 * One drain per stream runs at a time: within the process, `drain` calls for a stream already
 * draining only mark it dirty so the running drain looks again before it stops; across instances,
 * a drain first takes the stream's lease, and one that finds it held leaves the stream to its
 * holder, which is told so when it releases the lease and looks again: rows committed while it
 * held the lease are never stranded.
 *
 * A stream is read only when it may hold something unread: once per batch, again after the
 * platform's turn only when rows came meanwhile, and once more only when the batch was full, the
 * deliverer stopped early, rows came, or the lease says another drainer asked. (Each read is a
 * round trip to the database; a relayed message costs one read this way instead of four.)
 */
export class StreamDrainer {
  private readonly running = new Map<string, DrainState>();

  constructor(private readonly deps: DrainerDeps) {}

  /** Number of streams being drained now. */
  get active(): number {
    return this.running.size;
  }

  /**
   * If `stream` is being drained now, makes that drain look again before it stops and returns
   * true: new messages for it need no job of their own.
   */
  nudge(stream: string): boolean {
    const current = this.running.get(stream);
    if (current === undefined) return false;
    current.dirty = true;
    return true;
  }

  /**
   * Delivers every pending message of `stream`. Resolves when none is left, or rejects with the
   * signal's reason when aborted (messages not yet delivered stay pending).
   */
  async drain(stream: string, signal: AbortSignal): Promise<void> {
    const current = this.running.get(stream);
    if (current !== undefined) {
      current.dirty = true;
      return;
    }
    const state: DrainState = { dirty: false };
    this.running.set(stream, state);
    const leases = this.deps.leases ?? singleInstanceLeases;
    const { slots } = this.deps;
    try {
      for (;;) {
        const lease = await leases.acquire(stream);
        if (lease === undefined) return;
        let lookAgain: boolean;
        // The slot is taken once the lease is this drain's (a lease held elsewhere can take seconds
        // to come), and given back before asking for it again. Waiting for it counts as draining:
        // rows committed meanwhile mark this drain dirty, and it reads the stream once it has it.
        await slots?.acquire(signal);
        const held = this.heldSignal(signal, lease.lost);
        try {
          try {
            // Drains queued for a slot at shutdown get one at once: they stop here.
            signal.throwIfAborted();
            let first = true;
            for (;;) {
              state.dirty = false;
              const more = await this.drainOnce(stream, state, held.signal, first && lease.takenOver);
              first = false;
              if (!more && !state.dirty) break;
            }
          } catch (error) {
            // A lost lease ends this drain quietly: the new holder goes on from the first undelivered row.
            if (lease.lost.aborted && !signal.aborted) return;
            throw error;
          } finally {
            lookAgain = await lease.release();
          }
          // Rows committed meanwhile: another drainer left them to this one (the lease says so), or this
          // process nudged the drain while it was letting go (dirty); unless someone took the lease since.
          if (!lookAgain && !state.dirty) return;
          // A nudge during this look (a row committed after it read) is a reason to go on as well.
          state.dirty = false;
          const more = await this.deps.uow.read((tx) => tx.pending(stream, 1));
          if (more.length === 0 && !state.dirty) return;
        } finally {
          held.done();
          slots?.release();
        }
      }
    } finally {
      this.running.delete(stream);
    }
  }

  /**
   * A signal aborted when `shutdown` or `lost` is, for one look at a stream; `done` lets it go.
   * Not AbortSignal.any: in Node 20 each one leaves a WeakRef in its sources' dependants for as
   * long as they live, and the shutdown signal lives as long as the process (141,912 of them
   * after 30,000 questions in a heap snapshot). The shutdown signal gets one listener for all
   * drains (onAbort); the lease's, this drain's own, a listener removed when the look ends.
   */
  private heldSignal(shutdown: AbortSignal, lost: AbortSignal): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    const offShutdown = onAbort(shutdown, () => controller.abort(shutdown.reason));
    if (lost.aborted) controller.abort(lost.reason);
    const onLost = () => controller.abort(lost.reason);
    lost.addEventListener('abort', onLost, { once: true });
    return {
      signal: controller.signal,
      done: () => {
        offShutdown();
        lost.removeEventListener('abort', onLost);
      },
    };
  }

  /** Waits without this drain's slot (see DrainSlots.idle). */
  private idle(wait: () => Promise<void>, signal: AbortSignal): Promise<void> {
    return this.deps.slots === undefined ? wait() : this.deps.slots.idle(wait, signal);
  }

  /**
   * Delivers what is pending now. True when the stream may hold more than was read (the batch was
   * full, or the deliverer stopped before its end); false when what was read is settled.
   * `takenOver`: the head may have reached the platform already.
   */
  private async drainOnce(stream: string, state: DrainState, signal: AbortSignal, takenOver = false): Promise<boolean> {
    const { uow, deliverer, log } = this.deps;
    const size = this.deps.batchSize ?? 20;
    let batch = await uow.read((tx) => tx.pending(stream, size));
    if (batch.length === 0) return false;
    const mayHaveLanded = (rows: PendingMessage[]) => (takenOver && rows[0] !== undefined ? [{ ...rows[0], attempts: Math.max(1, rows[0].attempts) }, ...rows.slice(1)] : rows);
    batch = mayHaveLanded(batch);
    if (deliverer.ready !== undefined) {
      // The platform's turn comes, then everything pending by then goes with the head: read again
      // only when rows were committed meanwhile (this process's own commits mark the drain dirty),
      // or, with other instances, when the turn took a while (an album's later parts, or what the
      // client wrote while the channel was busy, may have reached another instance).
      const before = this.deps.clock.now();
      await deliverer.ready(batch[0] as PendingMessage, signal);
      const waited = this.deps.clock.now() - before >= readAgainAfterWaitMs;
      if ((state.dirty || (waited && this.deps.leases?.shared === true)) && batch.length < size) {
        state.dirty = false;
        batch = mayHaveLanded(await uow.read((tx) => tx.pending(stream, size)));
        if (batch.length === 0) return false;
      }
    }
    let failures = 0;
    let offset = 0;
    while (offset < batch.length) {
      signal.throwIfAborted();
      const rest = batch.slice(offset);
      const head = rest[0] as PendingMessage;
      try {
        const answered = await deliverer.deliver(rest, signal);
        // A deliverer that cannot say what it delivered (one of another version, meeting a message
        // it does not know) delivered nothing: the head stays pending and is tried again after a
        // backoff, never marked sent or failed, and never retried in a tight loop.
        if (!Number.isInteger(answered) || answered < 1) throw new Error(`the deliverer answered ${String(answered)} for a "${head.message.to}" message`);
        const count = Math.min(rest.length, answered);
        await this.settle(rest.slice(0, count));
        offset += count;
        failures = 0;
        // With `ready`, each head gets its turn and sees everything pending by then (an album's later
        // parts, written after this batch was read): the next drain reads the stream again.
        if (deliverer.ready !== undefined && offset < batch.length) return true;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (error instanceof PermanentDeliveryError) {
          log.warn('delivery failed for good', { outboxId: head.id, stream, reason: error.reason });
          await uow.run((tx) => tx.markFailed([head.id], error.reason));
          await this.deps.onPermanentFailure(head, error.reason);
          offset += 1;
          continue;
        }
        const text = error instanceof Error ? error.message : String(error);
        await uow.run((tx) => tx.recordAttempt([head.id], text));
        // The deliverer must know this row was tried: the call may have landed without an answer.
        batch[offset] = { ...head, attempts: head.attempts + 1 };
        if (error instanceof RetryLaterError) {
          log.info('platform asked to wait', { outboxId: head.id, stream, afterMs: error.afterMs });
          await this.idle(() => sleep(error.afterMs, signal), signal);
          continue;
        }
        failures += 1;
        const delay = this.backoff(failures);
        log.warn('delivery failed, will retry', { outboxId: head.id, stream, attempt: head.attempts + failures, retryInMs: delay, error: text });
        await this.idle(() => sleep(delay, signal), signal);
      }
    }
    return batch.length >= size;
  }

  /** Marks delivered messages sent and queues what they asked to send after delivery, atomically. */
  private async settle(messages: readonly PendingMessage[]): Promise<void> {
    const { uow, clock, trigger } = this.deps;
    const now = clock.now();
    const ids = messages.map((m) => m.id);
    const next = messages.flatMap((m) => (m.message.to === 'client' ? (m.message.afterDelivery ?? []) : []));
    let followUps: WokenRow[] = [];
    if (next.length === 0) {
      // Marking rows sent is one statement: it needs no transaction of its own.
      await uow.runStatement((tx) => tx.markSent(ids, now));
    } else {
      followUps = await uow.run(async (tx) => {
        await tx.markSent(ids, now);
        const nextIds = await tx.enqueue(next, now);
        return next.map((message, index): WokenRow => ({ id: nextIds[index] as number, stream: streamOf(message) }));
      });
    }
    for (const m of messages) this.deps.onDelivered?.(m, now - m.createdAt);
    if (followUps.length > 0) trigger.wake(followUps);
  }

  /** Exponential backoff with full jitter, ms. */
  private backoff(failures: number): number {
    const base = this.deps.backoffBaseMs ?? 250;
    const max = this.deps.backoffMaxMs ?? 30_000;
    const ceiling = Math.min(max, base * 2 ** Math.min(failures - 1, 20));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }
}
