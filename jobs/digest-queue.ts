import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from '../src/ports.js';
import type { DigestSchedule } from '../src/reports/digest-schedule.js';

/** The weekly digest: one BullMQ job scheduler posting the team summary to REPORT_CHANNEL. */
export const digestQueueName = 'report-digest';

/**
 * The one job scheduler's id. Fixed, so every instance upserting it on start keeps one scheduler,
 * and each run is one job (`repeat:<id>:<time>`), taken by one worker: the digest is posted once
 * however many instances run.
 */
export const digestSchedulerId = 'weekly-digest';

/** What a digest job carries: nothing but its kind (the period is the 7 days before it runs). */
export interface DigestJobData {
  readonly kind: 'digest';
}

export function createDigestQueue(connection: ConnectionOptions, prefix: string): Queue<DigestJobData> {
  return new Queue<DigestJobData>(digestQueueName, { connection, prefix });
}

/**
 * Creates or replaces the digest's scheduler: `schedule` read in `timeZone` (cron with BullMQ's
 * `tz`). A failed run is retried 5 times over about half an hour, then left failed (the log says so).
 */
export async function scheduleDigest(queue: Queue<DigestJobData>, schedule: DigestSchedule, timeZone: string): Promise<void> {
  await queue.upsertJobScheduler(
    digestSchedulerId,
    { pattern: schedule.cron, tz: timeZone },
    { name: 'digest', data: { kind: 'digest' }, opts: { attempts: 6, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: 50, removeOnFail: 50 } },
  );
}

/** Removes the scheduler (REPORT_CHANNEL no longer set): a digest once configured stops. */
export async function unscheduleDigest(queue: Queue<DigestJobData>): Promise<void> {
  await queue.removeJobScheduler(digestSchedulerId);
}

/** The worker that runs `post` for each digest job; not started (`autorun: false`). */
export function createDigestWorker(connection: ConnectionOptions, prefix: string, post: (job: Job<DigestJobData>) => Promise<void>, log: Logger): Worker<DigestJobData> {
  const worker = new Worker<DigestJobData>(digestQueueName, post, { connection, prefix, concurrency: 1, autorun: false });
  worker.on('failed', (job, error) => log.warn('weekly digest not posted', { attempt: job?.attemptsMade, error: error.message }));
  worker.on('error', (error) => log.warn('digest worker error', { error: error.message }));
  return worker;
}
