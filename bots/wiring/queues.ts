import { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import type { Config } from '../config.js';
import type { Clock, Logger } from '../../src/ports.js';
import { createOutboxQueue, QueueDeliveryTrigger, type OutboxJobData } from '../../jobs/outbox-queue.js';
import { BullDeadlineScheduler, createDeadlineQueue, type DeadlineJobData } from '../../jobs/deadline-queue.js';
import { withRetries, type Stop } from './startup.js';

export interface Queues {
  readonly redis: Redis;
  readonly outboxQueue: Queue<OutboxJobData>;
  readonly deadlineQueue: Queue<DeadlineJobData>;
  readonly trigger: QueueDeliveryTrigger;
  readonly scheduler: BullDeadlineScheduler;
  /** Lets job adds still on their way get their answers, then closes the queues and Redis. */
  readonly stop: Stop;
}

/**
 * Redis and the two BullMQ queues: delivery (woken by `trigger`) and deadlines (`scheduler`).
 * `local` is the drainer of this process, wired later: `nudge` tells whether it is draining a
 * stream now, `drainHere` starts draining one when it can (see QueueDeliveryTrigger).
 */
export async function startQueues(config: Config, clock: Clock, log: Logger, local: { nudge: (stream: string) => boolean; drainHere: (stream: string) => boolean }): Promise<Queues> {
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', (error) => log.warn('redis error', { error: error.message }));
  // quit, not disconnect: commands still in flight (a deadline job being added as start-up is
  // cut short) get their answers instead of rejecting unhandled; a Redis that does not answer
  // within a second is dropped.
  const closeRedis = async () => {
    if (redis.status !== 'ready') return redis.disconnect();
    await Promise.race([redis.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    redis.disconnect();
  };
  try {
    await withRetries('Redis connection', 3, () => redis.connect(), () => false, log);
  } catch (error) {
    await closeRedis();
    throw error;
  }
  const outboxQueue = createOutboxQueue(redis, config.queuePrefix);
  // With DATABASE_URL several instances share the queue (see QueueDeliveryTrigger's `shared`).
  const trigger = new QueueDeliveryTrigger(outboxQueue, log, local.nudge, config.databaseUrl !== undefined, local.drainHere);
  const deadlineQueue = createDeadlineQueue(redis, config.queuePrefix);
  const scheduler = new BullDeadlineScheduler(deadlineQueue, clock, log);
  return {
    redis,
    outboxQueue,
    deadlineQueue,
    trigger,
    scheduler,
    stop: async () => {
      await Promise.all([scheduler.stopping(), trigger.settled()]);
      await Promise.allSettled([outboxQueue.close(), deadlineQueue.close()]);
      await closeRedis();
    },
  };
}
