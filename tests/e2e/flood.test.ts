import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandUpdate, type TgUser } from '../fakes/fake-telegram.js';
import { eventually, startHarness, supportChannel, type Harness } from './harness.js';

/*
 * A client flooding the bot, with Slack's real limit in force (the fake answers 429 to a second
 * post in a channel within a second; Repka runs with its default pacing): everything they sent is
 * kept and relayed in order, combined into few posts, and other clients are not held back behind them.
 */

let h: Harness;
const flooder: TgUser = { id: 8101, first_name: 'Flood', language_code: 'en' };
const bystander: TgUser = { id: 8102, first_name: 'Calm', language_code: 'en' };
const count = 120;

beforeAll(async () => {
  // Default pacing (SLACK_CHANNEL_POSTS_PER_SECOND=1), not the harness's unlimited one.
  h = await startHarness({ options: { slackChannelRate: undefined } });
  h.slack.setRateLimit('chat.postMessage', 1);
});
afterAll(async () => {
  await h.stop(true);
});

const threadTexts = (threadTs: string) =>
  h.slack
    .messages(supportChannel)
    .filter((m) => m.thread_ts === threadTs)
    .map((m) => m.text ?? '');

describe('a client flooding the bot', () => {
  it('loses nothing, keeps order, is combined into few posts and does not hold other clients back', { timeout: 60_000 }, async () => {
    const flood = await h.openCase(flooder, 'flood starts');
    const calm = await h.openCase(bystander, 'a calm question');
    const rateLimitedBefore = h.slack.rateLimited;

    for (let n = 1; n <= count; n++) {
      expect((await h.clientSays(flooder, `flood message f${n}x`)).status).toBe(200);
      if (n === count / 2) expect((await h.clientSays(bystander, 'calm follow-up')).status).toBe(200);
    }

    const floodPosts = await eventually(() => (threadTexts(flood.threadTs).join('\n').includes(`f${count}x`) ? threadTexts(flood.threadTs) : undefined), 45_000, 'the whole flood in Slack');
    const seen = floodPosts.flatMap((text) => [...text.matchAll(/\bf(\d+)x\b/g)].map((m) => Number(m[1])));
    expect(seen).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(floodPosts.length).toBeLessThan(count / 5);

    // The bystander's message did not wait for the whole flood to be relayed.
    const posts = h.slack.callsTo('chat.postMessage');
    const lastFloodPost = posts.findIndex((c) => c.params.thread_ts === flood.threadTs && String(c.params.text).includes(`f${count}x`));
    const calmBefore = posts.slice(0, lastFloodPost).filter((c) => c.params.thread_ts === calm.threadTs && String(c.params.text).includes('calm follow-up'));
    expect(calmBefore).toHaveLength(1);

    expect(h.slack.rateLimited - rateLimitedBefore).toBeLessThanOrEqual(1);
    const stored = (await h.db.get(`select count(*) as n from case_events where case_id = ? and kind = 'client-message' and text like 'flood message f%x'`, flood.caseId)) as { n: number };
    expect(stored.n).toBe(count);
  });

  it("a new client's first card goes before other cases' queued posts", { timeout: 60_000 }, async () => {
    const busy: TgUser[] = Array.from({ length: 6 }, (_, i) => ({ id: 8200 + i, first_name: `Busy${i}`, language_code: 'en' }));
    const threads: { threadTs: string }[] = [];
    for (const client of busy) threads.push(await h.openCase(client, `busy ${client.id} opens`));
    // Every busy case now has a post waiting for the channel's turn (about one a second)...
    for (const client of busy) expect((await h.clientSays(client, `busy ${client.id} again`)).status).toBe(200);
    const postsBefore = h.slack.callsTo('chat.postMessage').length;
    // ...and one of them opens a second case, just before a new client writes for the first time.
    expect((await h.sendUpdate(commandUpdate(busy[0] as TgUser, '/new'))).status).toBe(200);
    const newcomer: TgUser = { id: 8300, first_name: 'Newcomer', language_code: 'en' };
    expect((await h.clientSays(newcomer, 'my very first message')).status).toBe(200);
    await eventually(() => threads.every((t) => threadTexts(t.threadTs).some((text) => text.includes('again'))), 30_000, 'every busy post in Slack');
    const calls = h.slack.callsTo('chat.postMessage').slice(postsBefore);
    const isNewcomerCard = (c: (typeof calls)[number]) => c.params.thread_ts === undefined && String(c.params.text).includes('my very first message');
    expect(calls.filter(isNewcomerCard)).toHaveLength(1);
    const card = calls.findIndex(isNewcomerCard);
    // At most the post whose turn had already begun goes before it; five busy posts wait behind the card.
    expect(calls.slice(card + 1).filter((c) => String(c.params.text).includes('again')).length).toBeGreaterThanOrEqual(busy.length - 1);
    // A client's second case waits its turn like bulk traffic: the newcomer's first card goes before it.
    const secondCase = await eventually(() => {
      const index = h.slack.callsTo('chat.postMessage').slice(postsBefore).findIndex((c) => c.params.thread_ts === undefined && String(c.params.text).includes('Busy0') && !String(c.params.text).includes('opens'));
      return index === -1 ? undefined : index;
    }, 30_000, "the busy client's second card");
    expect(secondCase).toBeGreaterThan(card);
  });
});

