import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { StreamLease, StreamLeases } from '../src/delivery/stream-drainer.js';
import type { Logger } from '../src/ports.js';

/**
 * Takes the lease (`KEYS[1]`, expiring after `ARGV[2]` ms) for holder `ARGV[1]` if nobody holds
 * it, and records the holder in `KEYS[2]`, which only a clean release deletes: returns
 * {1, previous holder or false}. When the lease is held, marks the stream asked for (`KEYS[3]`),
 * which the holder's release reports, and returns {0}.
 */
const acquireScript = `
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local previous = redis.call('get', KEYS[2])
  redis.call('set', KEYS[2], ARGV[1])
  return {1, previous}
end
redis.call('set', KEYS[3], '1', 'PX', ARGV[2] * 10)
return {0}`;

/** Who holds the lease (`KEYS[1]`) and for how much longer, ms: {holder or false, pttl}. */
const holderScript = `
return {redis.call('get', KEYS[1]), redis.call('pttl', KEYS[1])}`;

/** Extends the lease if `ARGV[1]` still holds it: 1, else 0. */
const renewScript = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0`;

/**
 * Gives the lease up if `ARGV[1]` still holds it, and marks the release clean; returns 1 when the
 * stream was asked for meanwhile (the mark is taken away), else 0.
 */
const releaseScript = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[1])
end
if redis.call('get', KEYS[2]) == ARGV[1] then
  redis.call('del', KEYS[2])
end
return redis.call('del', KEYS[3])`;

export interface RedisStreamLeasesOptions {
  /** Key prefix, e.g. QUEUE_PREFIX: instances sharing a prefix share leases. */
  readonly prefix: string;
  /** A lease not renewed for this long expires: how soon another instance takes over from a dead one. Default 5 s. */
  readonly ttlMs?: number;
}

/**
 * Stream leases in Redis, shared by every instance with the same prefix. The holder renews its
 * lease every third of the TTL; when a renewal fails or comes too late, `lost` aborts and the
 * drain stops, so two instances never go on delivering one stream for long. A lease left by a
 * process that died (never released) expires after the TTL, and its next holder is told it took
 * over (the dead one's last call may have landed).
 */
export class RedisStreamLeases implements StreamLeases {
  readonly shared = true;
  private readonly holder = randomUUID();
  private readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly options: RedisStreamLeasesOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 5000;
  }

  /**
   * The lease of `stream`. When another holds it, waits until that holder is seen alive (it renews
   * the lease, or another takes it over): then undefined, since a live holder looks at the stream
   * again before it lets go. A dead holder's lease is waited out (at most the TTL) and taken over:
   * the job that found it held must not give up, or the stream would wait for BullMQ's stall check.
   */
  async acquire(stream: string): Promise<StreamLease | undefined> {
    const keys = [`${this.options.prefix}:lease:${stream}`, `${this.options.prefix}:lease-holder:${stream}`, `${this.options.prefix}:lease-asked:${stream}`] as const;
    let seen: { holder: string; expiresAt: number } | undefined;
    for (;;) {
      let answer: [number, string | null] | [number];
      try {
        answer = (await this.redis.eval(acquireScript, 3, ...keys, this.holder, this.ttlMs)) as [number, string | null] | [number];
      } catch (error) {
        this.log.warn('could not take a stream lease; the sweep will retry', { stream, error: (error as Error).message });
        return undefined;
      }
      if (answer[0] === 1) return this.held(stream, keys, answer[1] ?? null);
      let holder: string | null;
      let pttl: number;
      try {
        [holder, pttl] = (await this.redis.eval(holderScript, 1, keys[0])) as [string | null, number];
      } catch {
        return undefined;
      }
      if (holder !== null && pttl > 0) {
        const expiresAt = Date.now() + pttl;
        // Renewed since last seen (expiring later than it would have), or held by someone new: alive.
        if (seen !== undefined && (holder !== seen.holder || expiresAt > seen.expiresAt + 20)) return undefined;
        seen ??= { holder, expiresAt };
        await new Promise((resolve) => setTimeout(resolve, Math.min(pttl + 10, Math.max(50, Math.floor(this.ttlMs / 3)))));
      }
    }
  }

  private held(stream: string, keys: readonly [string, string, string], previous: string | null): StreamLease {
    const lost = new AbortController();
    let renewedAt = Date.now();
    const timer = setInterval(() => {
      // Too late already (a stalled event loop): stop before Redis gives the lease away, if it has not.
      if (Date.now() - renewedAt >= this.ttlMs) return lose('not renewed in time');
      this.redis
        .eval(renewScript, 1, keys[0], this.holder, this.ttlMs)
        .then((renewed) => (renewed === 1 ? (renewedAt = Date.now()) : lose('it expired before it was renewed, or another instance took it')))
        .catch((error: Error) => this.log.warn('could not renew a stream lease', { stream, error: error.message }));
    }, Math.max(50, Math.floor(this.ttlMs / 3)));
    timer.unref();
    const lose = (why: string) => {
      clearInterval(timer);
      if (lost.signal.aborted) return;
      this.log.warn('stream lease lost: another instance goes on with the stream', { stream, why });
      lost.abort(new Error(`the lease of ${stream} was lost: ${why}`));
    };
    return {
      lost: lost.signal,
      takenOver: previous !== null && previous !== this.holder,
      release: async () => {
        clearInterval(timer);
        try {
          return (await this.redis.eval(releaseScript, 3, ...keys, this.holder)) === 1;
        } catch (error) {
          this.log.warn('could not release a stream lease; it expires', { stream, error: (error as Error).message });
          return true;
        }
      },
    };
  }
}
