import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, redisUrl, startHarness, type Harness } from './harness.js';

const departments = { departments: [{ id: 'accounting', name: 'Accounting', slackChannel: 'C0ACC', replyWithin: '1h' }] };

let h: Harness;
beforeAll(async () => {
  // Redis is checked for lost deadline jobs every 300 ms here (5 minutes by default).
  h = await startHarness({ departments, env: { SLACK_AGENTS: 'U0AGENT1' }, options: { rebuildEveryMs: 300 } });
});
afterAll(async () => {
  await h.stop(true);
});

/** This Repka's deadline-queue keys in Redis. */
async function deadlineKeys(redis: Redis): Promise<string[]> {
  return redis.keys(`${h.config.queuePrefix}:deadlines:*`);
}

describe('deadline jobs while Repka runs', () => {
  it('are rebuilt once when Redis loses them, and not re-added at every check while it keeps them', async () => {
    const redis = new Redis(redisUrl);
    try {
      const { threadTs } = await h.openCase({ id: 99_001, first_name: 'Rita', language_code: 'en' }, 'the refund never came');
      await h.agentSays(threadTs, 'U0AGENT1', '!ask accounting in 4s did the refund go out?');
      await eventually(async () => (await deadlineKeys(redis)).some((k) => /:ask-\d+-v\d+-due$/.test(k)), 5000, 'the overdue job in Redis');
      const lost = () => h.logs.filter((line) => line.includes('Redis lost the deadline jobs')).length;
      expect(lost()).toBe(0);
      // Redis is emptied of the deadline queue while Repka runs (as a FLUSHALL would, for this test's keys only).
      await redis.del(...(await deadlineKeys(redis)));
      // The overdue notice still comes, at its time: the jobs were rebuilt from storage.
      const notice = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /overdue/.test(String(c.params.text)), 10_000);
      expect(notice).toBeDefined();
      // Checks every 300 ms for the seconds until the deadline; one rebuild, for the one loss.
      expect(lost()).toBe(1);
    } finally {
      await redis.quit();
    }
  });
});
