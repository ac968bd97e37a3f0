import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TgUser } from '../fakes/fake-telegram.js';
import { eventually, startHarness, supportChannel, type Harness } from './harness.js';
import { sampleValue } from '../support/exposition.js';

let h: Harness;
let nextUserId = 11_000;
const newClient = (): TgUser => ({ id: nextUserId++, first_name: 'Petr', language_code: 'en' });
const threadTexts = (threadTs: string) => h.slack.messages(supportChannel).filter((m) => m.thread_ts === threadTs).map((m) => m.text ?? '');

beforeAll(async () => {
  h = await startHarness({
    departments: { departments: [{ id: 'legal', name: 'Legal', slackChannel: 'C0LEGAL', replyWithin: '1h' }] },
  });
});
afterAll(async () => {
  await h.stop(true);
});

describe('delivery through platform failures', () => {
  it('retries Slack 500s and dropped connections, keeping the thread in order', async () => {
    const client = newClient();
    h.slack.failNext('chat.postMessage', 2, { status: 500 });
    const { threadTs } = await h.openCase(client, 'first, while Slack is failing');
    h.slack.failNext('chat.postMessage', 1, { destroy: true });
    for (const text of ['second', 'third']) await h.clientSays(client, text);
    const texts = await eventually(() => {
      const all = threadTexts(threadTs);
      return all.join('\n').includes('third') && all;
    });
    const joined = texts.join('\n');
    expect(joined.indexOf('second')).toBeLessThan(joined.indexOf('third'));
    // Two 500s and one dropped connection, each answered by a retry.
    expect(h.slack.faults).toHaveLength(3);
  });

  it('does not post twice when a post landed but its answer was lost', async () => {
    const client = newClient();
    h.slack.failNext('chat.postMessage', 1, { landThenDrop: true });
    const { threadTs } = await h.openCase(client, 'card whose answer is lost');
    h.slack.failNext('chat.postMessage', 1, { landThenDrop: true });
    await h.clientSays(client, 'a reply whose answer is lost');
    await h.clientSays(client, 'and one after it');
    const texts = await eventually(() => {
      const all = threadTexts(threadTs);
      return all.join('\n').includes('and one after it') && all;
    });
    const cards = h.slack.messages(supportChannel).filter((m) => !m.thread_ts && String(m.text).includes('card whose answer is lost'));
    expect(cards).toHaveLength(1);
    expect(texts.join('\n').split('a reply whose answer is lost')).toHaveLength(2);
    expect(h.slack.callsTo('conversations.replies').length).toBeGreaterThanOrEqual(1);
  });

  it('waits as long as Slack says after a 429 before posting again', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'rate limited case');
    h.slack.failNext('chat.postMessage', 1, { status: 429, retryAfter: 1 });
    const sentAt = Date.now();
    await h.clientSays(client, 'after the limit');
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('after the limit'), 5000);
    expect(post.at - sentAt).toBeGreaterThanOrEqual(950);
  });

  it('honours Telegram retry_after and reacts only once the reply was delivered', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'telegram is busy');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id);
    h.telegram.failNext('sendMessage', 1, { retryAfter: 1 });
    const { ts } = await h.agentSays(threadTs, 'U0AGENT1', '!reply patience pays');
    const start = Date.now();
    const reply = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('patience pays'), 5000);
    expect(reply.at - start).toBeGreaterThanOrEqual(900);
    const reaction = await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    expect(reaction.at).toBeGreaterThanOrEqual(reply.at);
  });

  it('tells the agent, and records, when the client blocked the bot', async () => {
    const failedToClients = async () => sampleValue(await (await fetch(`${h.url}/metrics`)).text(), 'repka_outbox_failed_total{to="client"}') ?? 0;
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'I will block you');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id);
    const failedBefore = await failedToClients();
    h.telegram.blockedChats.add(client.id);
    const { ts } = await h.agentSays(threadTs, 'U0AGENT1', '!reply are you there?');
    const notice = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /Could not deliver/.test(String(c.params.text)));
    expect(notice.params.text).toContain('blocked the bot');
    expect(h.slack.reactionsOn(supportChannel, ts)).toEqual([]);
    const row = await h.db.get<{ text: string }>("select text from case_events where case_id = ? and kind = 'delivery-failed'", caseId);
    expect(row?.text).toBe('the client blocked the bot');
    expect(await failedToClients()).toBe(failedBefore + 1);
  });

  it('tells the agent when a department channel does not exist', async () => {
    const { threadTs } = await h.openCase(newClient(), 'legal question');
    h.slack.missingChannels.add('C0LEGAL');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask legal may we refund twice?');
    const notice = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /Could not deliver/.test(String(c.params.text)));
    expect(notice.params.text).toContain('does not exist');
  });
});
