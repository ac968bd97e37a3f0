import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisPacer } from '../../jobs/redis-pacer.js';
import { RecordingLogger } from '../support/domain.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
afterAll(() => redis.quit());

/** Redis's own clock, ms: the pace is kept on it. */
const redisNow = async () => {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
};

/** Two instances' pacers of one fresh prefix. */
function instances(perSecond: number, burst: number) {
  const prefix = `test-pace-${randomUUID()}`;
  const log = new RecordingLogger();
  const make = () => new RedisPacer(redis, log, { prefix, name: 'slack-channel', limit: { perSecond, burst } });
  return { a: make(), b: make(), log };
}

describe('RedisPacer', () => {
  it('paces one key across instances: turns taken by two instances are never closer than the pace allows', async () => {
    const { a, b } = instances(20, 1);
    const granted: number[] = [];
    const take = async (pacer: RedisPacer) => {
      await pacer.take('C0SUPPORT');
      granted.push(await redisNow());
    };
    await Promise.all([...Array.from({ length: 5 }, () => take(a)), ...Array.from({ length: 5 }, () => take(b))]);
    granted.sort((x, y) => x - y);
    const gaps = granted.slice(1).map((at, i) => at - (granted[i] as number));
    // 20 per second: 50 ms apart on average; a grant is read from Redis a moment after it, so allow a few ms.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(40);
    expect((granted.at(-1) as number) - (granted[0] as number)).toBeGreaterThanOrEqual(9 * 45);
  });

  it('lets a burst through at once, then paces', async () => {
    const { a, b } = instances(10, 3);
    const start = await redisNow();
    await Promise.all([a.take('C1'), b.take('C1'), a.take('C1')]);
    await b.take('C1');
    // The fourth waited for a turn: about 100 ms after the burst.
    expect((await redisNow()) - start).toBeGreaterThanOrEqual(80);
  });

  it('keeps other keys apart: one busy channel does not slow another', async () => {
    // One turn per 5 s: had the keys shared a pace, the second take would wait about 5 s.
    const { a, b } = instances(0.2, 1);
    await a.take('C-busy');
    const start = await redisNow();
    await b.take('C-quiet');
    expect((await redisNow()) - start).toBeLessThan(2500);
  });

  it('shares a 429: after one instance is told to wait, the other waits as long', async () => {
    const { a, b } = instances(100, 1);
    await b.take('C2');
    const start = await redisNow();
    a.pause('C2', 300);
    // The pause reaches Redis on its own; the other instance's next turn comes after it.
    await new Promise((resolve) => setImmediate(resolve));
    await b.take('C2');
    expect((await redisNow()) - start).toBeGreaterThanOrEqual(280);
  });

  it('paces each instance alone when Redis cannot be asked, and says so once', async () => {
    const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    down.on('error', () => undefined);
    const log = new RecordingLogger();
    const pacer = new RedisPacer(down, log, { prefix: 'test-down', name: 'telegram-chat', limit: { perSecond: 1000, burst: 5 } });
    await Promise.all(Array.from({ length: 5 }, () => pacer.take('7001')));
    expect(log.lines.filter((l) => l.message === 'shared pace unavailable; pacing this instance alone')).toHaveLength(1);
    down.disconnect();
  });
});
