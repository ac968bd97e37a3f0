import type { Redis } from 'ioredis';
import { RateLimiter, turnPriority, type Pacer, type RateLimit } from '../src/delivery/rate-limiter.js';
import { sleep } from '../src/delivery/deliverer.js';
import type { Logger } from '../src/ports.js';

/**
 * GCRA, the token bucket as one timestamp (https://en.wikipedia.org/wiki/Generic_cell_rate_algorithm):
 * KEYS[1] holds the theoretical arrival time (TAT, ms) of the next request. ARGV: emission
 * interval T (ms between requests on average), burst tolerance τ = T × (burst − 1), and a pause
 * (ms, 0: none). A request at `now` may go when TAT − now ≤ τ, and moves TAT on by T; otherwise
 * it waits TAT − τ − now. A pause moves TAT to now + pause + τ, so the next request waits it out.
 * Time is the Redis server's (TIME), one clock for every instance. Returns the wait in ms (0: taken).
 */
const gcraScript = `
local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local pause = tonumber(ARGV[3])
local tat = tonumber(redis.call('get', KEYS[1]) or now)
if tat < now then tat = now end
if pause > 0 then
  local paused = now + pause + tolerance
  if paused > tat then tat = paused end
  redis.call('set', KEYS[1], tat, 'PX', math.ceil(tat - now + interval))
  return 0
end
if tat - now > tolerance then return math.ceil(tat - tolerance - now) end
tat = tat + interval
redis.call('set', KEYS[1], tat, 'PX', math.ceil(tat - now + interval))
return 0`;

export interface RedisPacerOptions {
  /** Key prefix: instances with the same prefix share the pace. */
  readonly prefix: string;
  /** What this pacer paces, part of the key: "slack-channel", "telegram-chat", "telegram-global". */
  readonly name: string;
  readonly limit: RateLimit;
}

/**
 * A pace shared by every instance: each request first waits for its turn in this process (a
 * RateLimiter at the same pace keeps priorities and the fair round between streams), then for
 * the shared turn in Redis. A 429's pause is shared too. When Redis cannot be asked, the local
 * pace alone holds (logged): delivery goes on, at worst as fast as each instance alone allows.
 */
export class RedisPacer implements Pacer {
  private readonly local: RateLimiter;
  private readonly interval: number;
  private readonly tolerance: number;
  private warnedAt = 0;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly options: RedisPacerOptions,
    now: () => number = Date.now,
  ) {
    this.local = new RateLimiter(options.limit, now);
    this.interval = 1000 / options.limit.perSecond;
    this.tolerance = this.interval * Math.max(0, options.limit.burst - 1);
  }

  async take(key: string, signal?: AbortSignal, priority: number = turnPriority.normal): Promise<void> {
    await this.local.take(key, signal, priority);
    if (!Number.isFinite(this.options.limit.perSecond)) return;
    for (;;) {
      const wait = await this.ask(key, 0);
      if (wait === 0) return;
      await sleep(wait, signal);
    }
  }

  pause(key: string, afterMs: number): void {
    this.local.pause(key, afterMs);
    if (Number.isFinite(this.options.limit.perSecond)) void this.ask(key, Math.max(1, Math.ceil(afterMs)));
  }

  /** One GCRA step in Redis: the wait before the turn (0: taken); 0 when Redis does not answer. */
  private async ask(key: string, pauseMs: number): Promise<number> {
    try {
      return Number(await this.redis.eval(gcraScript, 1, `${this.options.prefix}:pace:${this.options.name}:${key}`, this.interval, this.tolerance, pauseMs));
    } catch (error) {
      if (Date.now() - this.warnedAt > 60_000) {
        this.warnedAt = Date.now();
        this.log.warn('shared pace unavailable; pacing this instance alone', { pacer: this.options.name, error: (error as Error).message });
      }
      return 0;
    }
  }
}
