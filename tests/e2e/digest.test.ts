/**
 * The weekly digest (REPORT_CHANNEL, REPORT_SCHEDULE) in the running app: one BullMQ job scheduler
 * whose next run is the next Monday 09:00 in the team time zone. The test moves the app's clock to
 * that Monday and promotes the scheduler's delayed job (what the passing of real time would do),
 * then sees the summary and its PNG chart arrive in the fake Slack's report channel.
 */
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestQueueName, digestSchedulerId, scheduleDigest, type DigestJobData } from '../../jobs/digest-queue.js';
import type { TgUser } from '../fakes/fake-telegram.js';
import { eventually, redisUrl, startHarness, type Harness } from './harness.js';

/** Moscow is UTC+3 all year. */
const msk = (y: number, m: number, d: number, h: number, min = 0) => Date.UTC(y, m - 1, d, h - 3, min);

/** The first Monday 09:00 Moscow time strictly after `ms`. */
function nextMondayNine(ms: number): number {
  const day = new Date(ms + 3 * 3600_000);
  const daysToMonday = (8 - day.getUTCDay()) % 7;
  let at = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + daysToMonday, 9 - 3);
  if (at <= ms) at += 7 * 86_400_000;
  return at;
}

const departments = { departments: [{ id: 'accounting', name: 'Accounting <&>', aliases: ['acc'], slackChannel: 'C0ACC', replyWithin: '1h' }] };
const ivan: TgUser = { id: 7301, first_name: 'Ivan', language_code: 'en' };

let now = msk(2026, 11, 27, 16, 55);
const clock = { now: () => now };
let h: Harness;
let redis: Redis;
let queue: Queue<DigestJobData>;
const realStart = Date.now();

beforeAll(async () => {
  h = await startHarness({
    departments,
    env: { SLACK_AGENTS: 'U0AGENT1', TEAM_TIMEZONE: 'Europe/Moscow', REPORT_CHANNEL: 'C0REPORTS', REPORT_SCHEDULE: 'mon 09:00', SLACK_CHANNEL_POSTS_PER_SECOND: '0' },
    channels: { C0REPORTS: { name: 'support-reports' } },
    options: { clock },
  });
  const opened = await h.openCase(ivan, 'Where is my refund?');
  now = msk(2026, 11, 27, 17, 0);
  await h.agentSays(opened.threadTs, 'U0AGENT1', '!reply Checking.');
  await eventually(async () => ((await h.db.get("select count(*) as n from case_events where kind = 'agent-reply'")) as { n: number }).n === 1, 5000, 'the reply stored');
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  queue = new Queue<DigestJobData>(digestQueueName, { connection: redis, prefix: h.config.queuePrefix });
}, 60_000);

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await h?.stop(true);
});

const delayed = async (): Promise<Job<DigestJobData>[]> => (await queue.getDelayed()).filter((j) => j.name === 'digest');

describe('the weekly digest', () => {
  it('is one job scheduler, next at Monday 09:00 team time, however many instances upsert it', async () => {
    const scheduler = await queue.getJobScheduler(digestSchedulerId);
    expect(scheduler).toMatchObject({ key: digestSchedulerId, pattern: '0 9 * * 1', tz: 'Europe/Moscow' });
    expect(scheduler?.next).toBe(nextMondayNine(realStart));
    // A second instance starting with the same configuration upserts the same scheduler: still one run queued.
    await scheduleDigest(queue, { text: 'MON 09:00', cron: '0 9 * * 1' }, 'Europe/Moscow');
    expect(await queue.getJobSchedulersCount()).toBe(1);
    const jobs = await delayed();
    expect(jobs.map((j) => j.id)).toEqual([`repeat:${digestSchedulerId}:${scheduler?.next}`]);
  });

  it('posts the summary of the last 7 days with its chart as a PNG when Monday 09:00 comes', async () => {
    const [job] = await delayed();
    const uploadsBefore = h.slack.callsTo('files.completeUploadExternal').filter((c) => c.params.channel_id === 'C0REPORTS').length;
    expect(uploadsBefore).toBe(0);
    now = msk(2026, 11, 30, 9, 0);
    await job?.promote();
    const upload = await h.slack.waitFor('files.completeUploadExternal', (c) => c.params.channel_id === 'C0REPORTS', 15_000);
    const comment = String(upload.params.initial_comment);
    expect(comment).toContain('*Weekly support digest: last 7 days* (2026-11-23 09:00 – 2026-11-30 09:00, Europe/Moscow)');
    expect(comment).toContain('*Cases*: 1 opened, 0 closed · median first reply to the client 5m');
    expect(comment).toContain('• Accounting &lt;&amp;&gt;: 0 questions, nothing due, median reply —, overdue now 0');
    const fileId = (upload.params.files as { id: string }[])[0]?.id as string;
    const file = h.slack.uploadedFile(fileId);
    expect(file?.filename).toBe('repka-digest-2026-11-30.png');
    const png = file?.bytes ?? Buffer.alloc(0);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height, big-endian at bytes 16 and 20; the chart drawn at twice its size.
    expect(png.readUInt32BE(16)).toBeGreaterThan(1000);
    expect(png.readUInt32BE(20)).toBeGreaterThan(500);
    expect(h.slack.messages('C0REPORTS')).toHaveLength(1);
  });

  it('queues the run after it, a week later, as the only one', async () => {
    const next = nextMondayNine(realStart) + 7 * 86_400_000;
    const jobs = await eventually(async () => {
      const list = await delayed();
      return list.length === 1 && list[0]?.id === `repeat:${digestSchedulerId}:${next}` ? list : undefined;
    }, 5000, 'the next run queued');
    expect(jobs).toHaveLength(1);
  });
});
