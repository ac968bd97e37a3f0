import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { postRaw, signSlackRequest } from '../fakes/fake-slack.js';
import { postTelegramUpdate, textUpdate } from '../fakes/fake-telegram.js';
import { ivan, signingSecret, startHarness, webhookSecret, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop(true);
});

/** Rows in the tables an accepted request would write to. */
const stored = async () => ((await h.db.get('select (select count(*) from processed_inbound) + (select count(*) from case_events) + (select count(*) from outbox) as n')) as { n: number }).n;

const slackBody = JSON.stringify({
  type: 'event_callback',
  event_id: 'Ev0BADINPUT',
  team_id: 'T0TEAM',
  event: { type: 'message', channel: 'C0SUPPORT', user: 'U0AGENT1', text: '!reply hi', ts: '1.000001', thread_ts: '1.000000' },
});

async function healthy(): Promise<void> {
  const res = await fetch(`${h.url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: 'ok' });
}

describe('Slack requests', () => {
  it('answers 401 to a missing, wrong or stale signature and stores nothing', async () => {
    const before = await stored();
    const missing = await postRaw(`${h.url}/slack/events`, slackBody, { 'content-type': 'application/json' });
    const wrong = await postRaw(`${h.url}/slack/events`, slackBody, { 'content-type': 'application/json', ...signSlackRequest('not-the-secret', slackBody) });
    const stale = await postRaw(`${h.url}/slack/events`, slackBody, {
      'content-type': 'application/json',
      ...signSlackRequest(signingSecret, slackBody, Math.floor(Date.now() / 1000) - 6 * 60),
    });
    expect([missing.status, wrong.status, stale.status]).toEqual([401, 401, 401]);
    expect(await stored()).toBe(before);
    await healthy();
  });

  it('answers 400 to malformed JSON with a valid signature and stays healthy', async () => {
    const body = '{"type":"event_callback", "event": {';
    const res = await postRaw(`${h.url}/slack/events`, body, { 'content-type': 'application/json', ...signSlackRequest(signingSecret, body) });
    expect(res.status).toBe(400);
    await healthy();
  });

  it('answers the URL verification challenge', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 'x' });
    const res = await postRaw(`${h.url}/slack/events`, body, { 'content-type': 'application/json', ...signSlackRequest(signingSecret, body) });
    expect(res.status).toBe(200);
    expect(res.body).toContain('abc123');
  });
});

describe('Telegram webhook calls', () => {
  it('answers 403 without the secret or with a wrong one, storing nothing', async () => {
    const before = await stored();
    const none = await postTelegramUpdate(h.url, undefined, textUpdate(ivan, 'hello'));
    const wrong = await postTelegramUpdate(h.url, 'wrong_secret', textUpdate(ivan, 'hello'));
    expect([none.status, wrong.status]).toEqual([403, 403]);
    expect(await stored()).toBe(before);
  });

  it('answers 400 to malformed JSON and to JSON that is not an update', async () => {
    const headers = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': webhookSecret };
    expect((await postRaw(`${h.url}/telegram/webhook`, '{"update_id": 1, "message": {', headers)).status).toBe(400);
    expect((await postRaw(`${h.url}/telegram/webhook`, '[1,2,3]', headers)).status).toBe(400);
    expect((await postRaw(`${h.url}/telegram/webhook`, '{"message":{}}', headers)).status).toBe(400);
    await healthy();
  });

  it('answers 413 to an oversized body', async () => {
    const headers = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': webhookSecret };
    const huge = JSON.stringify({ update_id: 1, pad: 'x'.repeat(2 * 1024 * 1024) });
    expect((await postRaw(`${h.url}/telegram/webhook`, huge, headers)).status).toBe(413);
    await healthy();
  });
});

describe('service endpoints', () => {
  it('serves /metrics in the Prometheus text format', async () => {
    const res = await fetch(`${h.url}/metrics`);
    expect(res.status).toBe(200);
    // prom-client's own content type for the Prometheus text format.
    expect(res.headers.get('content-type')).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
    const text = await res.text();
    expect(text).toMatch(/^# TYPE repka_outbox_pending gauge$/m);
    expect(text).toMatch(/^repka_cases_open \d+$/m);
  });

  it('answers 404 on unknown paths', async () => {
    expect((await fetch(`${h.url}/nope`)).status).toBe(404);
  });

  it('keeps tokens and secrets out of the logs', () => {
    const all = h.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [h.config.slack.botToken, h.config.telegram.botToken, signingSecret, webhookSecret]) expect(all).not.toContain(secret);
  });
});
