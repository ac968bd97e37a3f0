import type { Pacer } from './rate-limiter.js';

/**
 * How many drains of a process work at once. A drain holds a slot while it reads its stream,
 * renders and calls the platform, and gives it up while it only waits: for a platform's turn
 * (through {@link paced} pacers) or before a retry ({@link idle}). So a backlog of thousands of
 * woken streams (ten thousand questions falling due in a minute, a group commit waking a stream per
 * row) waits as a queue of names here instead of as thousands of half-done calls in memory, and
 * streams waiting for a busy staff channel or a failing platform never hold back the others.
 *
 * A slot is granted at once when the signal is aborted, so a stopping drain can always finish
 * (and give back) what it holds.
 */
export class DrainSlots {
  private held = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`drain slots must be a positive integer, not ${max}`);
  }

  /** Drains working now, and drains waiting for a slot. */
  get working(): number {
    return this.held;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves once a slot is this caller's (at once when one is free or `signal` is aborted). */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.held < this.max || signal?.aborted === true) {
      this.held += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.held += 1;
        resolve();
      };
      const onAbort = () => {
        const at = this.waiters.indexOf(grant);
        if (at !== -1) this.waiters.splice(at, 1);
        grant();
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Gives a slot back; the longest waiter gets it. */
  release(): void {
    if (this.held === 0) throw new Error('a drain slot was given back that was never taken');
    this.held -= 1;
    if (this.held < this.max) this.waiters.shift()?.();
  }

  /** Runs `wait` (a wait, not work) without the caller's slot, and takes a slot again after it. */
  async idle<T>(wait: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.release();
    try {
      return await wait();
    } finally {
      await this.acquire(signal);
    }
  }

  /**
   * `pacer` with each wait for a turn made without the caller's slot (see {@link idle}); a turn
   * that is there now is taken with the slot kept, as giving it up would send the caller to the
   * back of the queue for nothing.
   */
  paced(pacer: Pacer): Pacer {
    return {
      take: (key, signal, priority) => (pacer.free?.(key) === true ? pacer.take(key, signal, priority) : this.idle(() => pacer.take(key, signal, priority), signal)),
      pause: (key, afterMs) => pacer.pause(key, afterMs),
      free: (key) => pacer.free?.(key) ?? false,
    };
  }
}
