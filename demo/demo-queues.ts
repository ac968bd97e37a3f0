// The demo's queues in Redis: connecting, claiming a prefix for one run, and wiping.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';

/** A Redis client when Redis answers PING within 2 s, otherwise undefined. */
export async function connectRedis(url: string): Promise<Redis | undefined> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    redis.disconnect();
    return undefined;
  }
}

/** Deletes every key under `prefix:` (the demo's own BullMQ queues). */
export async function wipeQueues(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** The queue prefixes runs make for themselves (`repka-demo-` and 6 hex digits). */
const ownPrefix = /^repka-demo-[0-9a-f]{6}$/;

/** A new queue prefix for a run that was given none: `repka-demo-` and 6 random hex digits. */
export const newRunPrefix = (): string => `repka-demo-${randomBytes(3).toString('hex')}`;

/**
 * Deletes the queues of earlier runs that made their own prefix and are gone (killed before they
 * could clean up): their prefix has no owner key any more. Prefixes set with DEMO_QUEUE_PREFIX are left alone.
 */
export async function wipeAbandoned(redis: Redis): Promise<void> {
  const prefixes = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'repka-demo-??????:*', 'COUNT', 500);
    for (const key of keys) {
      const prefix = key.slice(0, key.indexOf(':'));
      if (ownPrefix.test(prefix)) prefixes.add(prefix);
    }
    cursor = next;
  } while (cursor !== '0');
  for (const prefix of prefixes) if ((await redis.exists(`repka-demo-owner:${prefix}`)) === 0) await wipeQueues(redis, prefix);
}

/**
 * Holds the queue prefix in Redis for this run (a key outside the prefix, renewed while it runs), so a
 * second demo on the same Redis never takes this one's jobs. Resolves undefined when another run holds it.
 */
export async function claimPrefix(redis: Redis, prefix: string): Promise<{ release: () => Promise<void> } | undefined> {
  const key = `repka-demo-owner:${prefix}`;
  const owner = `${hostname()}:${process.pid}`;
  if ((await redis.set(key, owner, 'EX', 30, 'NX')) !== 'OK') return undefined;
  const renew = setInterval(() => void redis.set(key, owner, 'EX', 30).catch(() => undefined), 10_000);
  renew.unref();
  return {
    release: async () => {
      clearInterval(renew);
      if ((await redis.get(key)) === owner) await redis.del(key);
    },
  };
}
