import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStreamLeases } from '../../jobs/redis-stream-leases.js';
import { RecordingLogger } from '../support/domain.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
afterAll(() => redis.quit());

/** Two instances' leases on one fresh prefix. */
function instances(ttlMs = 300) {
  const prefix = `test-leases-${randomUUID()}`;
  const log = new RecordingLogger();
  return { prefix, log, a: new RedisStreamLeases(redis, log, { prefix, ttlMs }), b: new RedisStreamLeases(redis, log, { prefix, ttlMs }) };
}

/** Resolves when `signal` aborts. */
const aborted = (signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

describe('RedisStreamLeases', () => {
  it('lets one instance hold a stream at a time, and the other take it once released', async () => {
    const { a, b } = instances();
    const held = await a.acquire('case-1');
    expect(held).toBeDefined();
    expect(held?.takenOver).toBe(false);
    // b sees a renew its lease: a is alive and will look at the stream again before it lets go.
    expect(await b.acquire('case-1')).toBeUndefined();
    expect(held?.lost.aborted).toBe(false);
    // Another stream is free.
    const other = await b.acquire('chat-7');
    expect(other).toBeDefined();
    await held?.release();
    const next = await b.acquire('case-1');
    expect(next).toBeDefined();
    // Released cleanly: the next holder took nothing over.
    expect(next?.takenOver).toBe(false);
    await next?.release();
    await other?.release();
  });

  it('tells the holder on release whether another instance asked for the stream meanwhile, and only then', async () => {
    const { a, b } = instances();
    const quiet = await a.acquire('case-9');
    expect(await quiet?.release()).toBe(false);
    const held = await a.acquire('case-9');
    expect(await b.acquire('case-9')).toBeUndefined();
    // b left its rows to a: a must look at the stream again.
    expect(await held?.release()).toBe(true);
    // The mark went with that release: the next holder is not told again.
    const next = await b.acquire('case-9');
    expect(await next?.release()).toBe(false);
  });

  it('keeps a held lease alive past its TTL by renewing it', async () => {
    const { a, b } = instances(300);
    const held = await a.acquire('case-2');
    // Three TTLs later the lease is still a's: b cannot take it, and a has not lost it.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(held?.lost.aborted).toBe(false);
    expect(await b.acquire('case-2')).toBeUndefined();
    await held?.release();
  });

  it('waits out a dead holder’s lease instead of giving up, and takes the stream over, saying so', async () => {
    const { prefix, b } = instances(300);
    // An instance that died holding the lease: its keys stay as it left them, nobody renews them.
    await redis.set(`${prefix}:lease:case-3`, 'dead-holder', 'PX', 300);
    await redis.set(`${prefix}:lease-holder:case-3`, 'dead-holder');
    const taken = await b.acquire('case-3');
    expect(taken).toBeDefined();
    expect(taken?.takenOver).toBe(true);
    expect(await redis.get(`${prefix}:lease:case-3`)).not.toBe('dead-holder');
    await taken?.release();
    // After a clean release, nobody takes anything over.
    expect((await b.acquire('case-3'))?.takenOver).toBe(false);
  });

  it('tells the holder its lease is lost when another instance has it, so it stops delivering', async () => {
    const { prefix, a, log } = instances(300);
    const held = await a.acquire('case-4');
    // The lease expired under it and someone else took it (a stalled holder).
    await redis.set(`${prefix}:lease:case-4`, 'someone-else', 'PX', 5000);
    await aborted(held?.lost as AbortSignal);
    expect(String((held?.lost.reason as Error).message)).toContain('case-4');
    expect(log.lines.some((l) => l.message.startsWith('stream lease lost'))).toBe(true);
    // Its release does not free the other holder's lease.
    await held?.release();
    expect(await redis.get(`${prefix}:lease:case-4`)).toBe('someone-else');
  });

  it('answers no lease, without throwing, when Redis cannot be reached', async () => {
    const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    down.on('error', () => undefined);
    const log = new RecordingLogger();
    const leases = new RedisStreamLeases(down, log, { prefix: 'test-down' });
    expect(await leases.acquire('case-5')).toBeUndefined();
    expect(log.lines.map((l) => l.message)).toContain('could not take a stream lease; the sweep will retry');
    down.disconnect();
  });
});
