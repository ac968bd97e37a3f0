import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Clock, Logger, NameStore } from '../../src/ports.js';
import type { ReportSource } from '../../src/reports/stats.js';
import { createDigestQueue, createDigestWorker, scheduleDigest, unscheduleDigest } from '../../jobs/digest-queue.js';
import { postDigest } from '../slack/report-digest.js';
import type { Stop } from './startup.js';

export interface DigestWiringDeps {
  readonly config: Config;
  readonly redis: Redis;
  readonly slackClient: WebClient;
  readonly reports: ReportSource;
  readonly names: NameStore;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * The weekly digest (REPORT_CHANNEL, REPORT_SCHEDULE): upserts its one job scheduler and runs a
 * worker for it. Without REPORT_CHANNEL the scheduler is removed, so a digest switched off stops
 * for every instance sharing the queue prefix.
 */
export async function startDigest(deps: DigestWiringDeps): Promise<Stop> {
  const { config, log } = deps;
  const queue = createDigestQueue(deps.redis, config.queuePrefix);
  const digest = config.digest;
  if (digest === undefined) {
    await unscheduleDigest(queue);
    await queue.close();
    return () => undefined;
  }
  const post = () =>
    postDigest({ client: deps.slackClient, reports: deps.reports, names: deps.names, departments: config.departments.departments, timeZone: config.timeZone, channel: digest.channel, clock: deps.clock, log });
  // BullMQ gives the worker its own blocking connection (a duplicate of this one), as for the other queues.
  const worker = createDigestWorker(deps.redis, config.queuePrefix, post, log);
  const stop = async () => {
    await Promise.allSettled([worker.close(), queue.close()]);
  };
  try {
    await scheduleDigest(queue, digest.schedule, config.timeZone);
    void worker.run();
    await worker.waitUntilReady();
  } catch (error) {
    await stop();
    throw error;
  }
  log.info('weekly digest scheduled', { channel: digest.channel, schedule: digest.schedule.text, timeZone: config.timeZone });
  return stop;
}
