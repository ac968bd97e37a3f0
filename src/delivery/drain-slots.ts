import { onAbort } from './abort-fan-out.js';
import type { Pacer } from './rate-limiter.js';

/** A drain waiting for a slot; `granted` once it has one (a waiter granted on abort stays queued until reached). */
interface Waiter {
  granted: boolean;
  readonly grant: () => void;
}

/**
 * How many drains of a process work at once. A drain holds a slot while it reads its stream,
 * renders and calls the platform, and gives it up while it waits: for a platform's turn (through
 * {@link paced} pacers), before a retry, for an album's parts ({@link idle}). So a backlog of
 * thousands of woken streams (ten thousand questions falling due in a minute, a group commit
 * waking a stream per row) waits for slots before reading anything, instead of as thousands of
 * half-done calls in memory, and streams waiting for a busy staff channel or a failing platform
 * never hold back the others.
 *
 * A drain coming back from a wait is served before drains that have not started: its turn has
 * come (spent late, the pace would bunch posts), and what it holds is done sooner.
 * A slot is granted at once when the signal is aborted, so a stopping drain can always finish
 * (and give back) what it holds.
 */
export class DrainSlots {
  private held = 0;
  /** Drains coming back from {@link idle}, served first. */
  private readonly resuming: Waiter[] = [];
  /** Drains that have not started. */
  private readonly starting: Waiter[] = [];
  /** Waiters in the two queues not granted yet. */
  private queued = 0;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`drain slots must be a positive integer, not ${max}`);
  }

  /** Slots held now. */
  get working(): number {
    return this.held;
  }

  /** Drains waiting for a slot. */
  get waiting(): number {
    return this.queued;
  }

  /**
   * Resolves once a slot is this caller's (at once when one is free or `signal` is aborted).
   * `resuming`: the caller comes back from a wait and goes before those not started.
   */
  acquire(signal?: AbortSignal, resuming = false): Promise<void> {
    if (this.held < this.max || signal?.aborted === true) {
      this.held += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let unsubscribe: () => void = () => undefined;
      const waiter: Waiter = {
        granted: false,
        grant: () => {
          if (waiter.granted) return;
          waiter.granted = true;
          this.queued -= 1;
          unsubscribe();
          this.held += 1;
          resolve();
        },
      };
      (resuming ? this.resuming : this.starting).push(waiter);
      this.queued += 1;
      if (signal !== undefined) unsubscribe = onAbort(signal, waiter.grant);
    });
  }

  /** Gives a slot back: a drain coming back from a wait gets it first, then the longest waiting. */
  release(): void {
    if (this.held === 0) throw new Error('a drain slot was given back that was never taken');
    this.held -= 1;
    if (this.held < this.max) this.next()?.grant();
  }

  /** The first waiter not granted yet: a drain back from a wait before one not started. */
  private next(): Waiter | undefined {
    for (const queue of [this.resuming, this.starting]) {
      for (let waiter = queue.shift(); waiter !== undefined; waiter = queue.shift()) if (!waiter.granted) return waiter;
    }
    return undefined;
  }

  /** Runs `wait` (a wait, not work) without the caller's slot, and takes a slot again after it, before drains not started. */
  async idle<T>(wait: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.release();
    try {
      return await wait();
    } finally {
      await this.acquire(signal, true);
    }
  }

  /**
   * `pacer` with each wait for a turn made without the caller's slot (see {@link idle}). A turn
   * the pacer says is there now (its `free`) is taken with the slot kept; a pacer that cannot say
   * (the shared one asks Redis) gives the slot up for every take, and gets it back first.
   * Only for takes made by a drain holding a slot.
   */
  paced(pacer: Pacer): Pacer {
    return {
      take: (key, signal, priority) => (pacer.free?.(key) === true ? pacer.take(key, signal, priority) : this.idle(() => pacer.take(key, signal, priority), signal)),
      pause: (key, afterMs) => pacer.pause(key, afterMs),
      free: (key) => pacer.free?.(key) ?? false,
    };
  }
}
