import { sleep } from './deliverer.js';

/** Requests allowed per key: a burst, then `perSecond` on average. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets per key (a Slack channel, a Telegram chat, or "global"), so Repka stays under the
 * platforms' limits instead of provoking 429s. In-process: one Repka process owns delivery.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits until a request for `key` is allowed, then takes it. Rejects when `signal` aborts. */
  async take(key: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.tryTake(key);
      if (wait === 0) return;
      await sleep(wait, signal);
    }
  }

  /** Takes a token if one is there (returns 0), else returns ms until one will be. */
  tryTake(key: string): number {
    const wait = this.delay(key);
    if (wait === 0 && Number.isFinite(this.limit.perSecond)) (this.buckets.get(key) as Bucket).tokens -= 1;
    return wait;
  }

  /** Refills the bucket of `key`; 0 when a token is there, else ms until one will be. */
  private delay(key: string): number {
    const { perSecond, burst } = this.limit;
    if (!Number.isFinite(perSecond)) return 0;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAt: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    return bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
  }

  /** After a 429: no request for `key` before `afterMs` from now. */
  pause(key: string, afterMs: number): void {
    this.buckets.set(key, { tokens: -(afterMs / 1000) * this.limit.perSecond, updatedAt: this.now() });
  }
}
