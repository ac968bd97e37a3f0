/** Requests allowed per key: a burst, then `perSecond` on average. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

interface Waiter {
  readonly priority: number;
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal?: AbortSignal;
  readonly onAbort: () => void;
}

/** Paces requests per key; RateLimiter in one process, a shared pacer across instances. */
export interface Pacer {
  /** Waits for the turn of `key`, then takes it; rejects with the signal's reason when it aborts first. */
  take(key: string, signal?: AbortSignal, priority?: number): Promise<void>;
  /** After a 429: no request for `key` before `afterMs` from now. */
  pause(key: string, afterMs: number): void;
  /** Optional: true when a take of `key` now would get its turn without waiting. */
  free?(key: string): boolean;
}

/** Priorities for {@link RateLimiter.take}: higher goes first. */
export const turnPriority = {
  /** Bulk traffic: thread posts, notices. */
  normal: 0,
  /** A new case's card: the first thing agents see of a client, never held behind others' bulk. */
  firstCard: 1,
} as const;

/** The least share of its pace a key is slowed to after 429s, and what one 429 takes and one turn gives back. */
const minShare = 0.5;
const shareLostPer429 = 0.1;
const shareRegainedPerTurn = 0.02;
/** The fewest buckets a limiter holds before it drops the full ones. */
const minSweep = 1024;

/**
 * Token buckets per key (a staff channel, a client chat, or "global"), so Repka stays under the
 * platforms' limits instead of provoking 429s. Requests waiting for one key are served in turn:
 * higher priority first, then in the order they asked, so the streams sharing a channel go round
 * fairly (each stream asks for one turn at a time) and no stream, however busy, holds another
 * back by more than one turn each. In-process; several instances share a pace through a shared
 * pacer (jobs/redis-pacer.ts) that asks Redis after this local turn.
 */
export class RateLimiter implements Pacer {
  private readonly buckets = new Map<string, Bucket>();
  /**
   * Per key, the share of `limit.perSecond` it is paced at now: 1 until the platform answers 429
   * (see {@link pause}), which lowers it by a tenth (to half at most); every turn taken after that
   * gives a fiftieth back. A pace set close to the platform's limit thus learns from the 429 that
   * network jitter provokes, instead of staying far under the limit always. Keys at 1 are not kept.
   */
  private readonly shares = new Map<string, number>();
  private readonly queues = new Map<string, Waiter[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private seq = 0;
  /** Bucket count at which the full ones are dropped next (see {@link dropFullBuckets}). */
  private sweepAt = minSweep;

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Waits for the turn of `key`, then takes it. `priority` (default normal) lets a request go
   * before those of lower priority already waiting. Rejects with the signal's reason when
   * `signal` aborts; an aborted request takes no turn.
   */
  take(key: string, signal?: AbortSignal, priority: number = turnPriority.normal): Promise<void> {
    if (!Number.isFinite(this.limit.perSecond)) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    const queue = this.queues.get(key) ?? [];
    if (queue.length === 0 && this.delay(key) === 0) {
      this.spend(key);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        seq: this.seq++,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = queue.indexOf(waiter);
          if (at !== -1) queue.splice(at, 1);
          reject(signal?.reason);
        },
      };
      // Sorted by priority (highest first), then by arrival.
      let at = queue.length;
      while (at > 0 && (queue[at - 1] as Waiter).priority < priority) at -= 1;
      queue.splice(at, 0, waiter);
      this.queues.set(key, queue);
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.schedule(key);
    });
  }

  free(key: string): boolean {
    return !Number.isFinite(this.limit.perSecond) || ((this.queues.get(key)?.length ?? 0) === 0 && this.delay(key) === 0);
  }

  /** After a 429: no request for `key` before `afterMs` from now. */
  pause(key: string, afterMs: number): void {
    this.shares.set(key, Math.max(minShare, (this.shares.get(key) ?? 1) * (1 - shareLostPer429)));
    this.buckets.set(key, { tokens: -(afterMs / 1000) * this.perSecond(key), updatedAt: this.now() });
    const timer = this.timers.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(key);
      this.schedule(key);
    }
  }

  /** Hands out the turns of `key` that are there to the waiters at its head, then waits for the next. */
  private schedule(key: string): void {
    if (this.timers.has(key)) return;
    const queue = this.queues.get(key);
    if (queue === undefined || queue.length === 0) {
      this.queues.delete(key);
      return;
    }
    const wait = this.delay(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        while (queue.length > 0 && this.delay(key) === 0) {
          const head = queue.shift() as Waiter;
          head.signal?.removeEventListener('abort', head.onAbort);
          this.spend(key);
          head.resolve();
        }
        this.schedule(key);
      }, wait),
    );
  }

  /** Keys holding a bucket, a pace share, waiters or a timer now: what this limiter keeps in memory. */
  get keysHeld(): number {
    return new Set([...this.buckets.keys(), ...this.shares.keys(), ...this.queues.keys(), ...this.timers.keys()]).size;
  }

  private spend(key: string): void {
    (this.buckets.get(key) as Bucket).tokens -= 1;
    if (this.buckets.size >= this.sweepAt) this.dropFullBuckets();
    const share = this.shares.get(key);
    if (share === undefined) return;
    if (share + shareRegainedPerTurn >= 1) this.shares.delete(key);
    else this.shares.set(key, share + shareRegainedPerTurn);
  }

  /**
   * A bucket refilled to its burst is the same as none, so the buckets of keys seen once (a client
   * chat, with a key per chat) are dropped once full instead of kept for the life of the process.
   * A key's pace share and waiters are kept apart from its bucket and stay.
   * Run when the map has doubled since the last sweep, so each bucket costs O(1) on average.
   */
  private dropFullBuckets(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      const refilled = bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond(key);
      if (refilled >= this.limit.burst) this.buckets.delete(key);
    }
    this.sweepAt = Math.max(minSweep, 2 * this.buckets.size);
  }

  /** The pace of `key` now, turns per second (see {@link shares}). */
  private perSecond(key: string): number {
    return this.limit.perSecond * (this.shares.get(key) ?? 1);
  }

  /** Refills the bucket of `key`; 0 when a token is there, else ms until one will be. */
  private delay(key: string): number {
    const { burst } = this.limit;
    const perSecond = this.perSecond(key);
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAt: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    return bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
  }
}
