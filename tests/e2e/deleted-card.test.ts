import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackCall } from '../fakes/fake-slack.js';
import type { TgUser } from '../fakes/fake-telegram.js';
import { eventually, startHarness, supportChannel, type Harness } from './harness.js';

let h: Harness;
let nextUserId = 13_000;
const newClient = (): TgUser => ({ id: nextUserId++, first_name: 'Marta', language_code: 'en' });
const threadTexts = (threadTs: string) => h.slack.messages(supportChannel).filter((m) => m.thread_ts === threadTs).map((m) => m.text ?? '');
const isCard = (c: SlackCall) => c.params.channel === supportChannel && c.params.thread_ts === undefined;

function historyOf(caseId: number): Promise<{ kind: string; text: string | null; data: string | null }[]> {
  return h.db.all<{ kind: string; text: string | null; data: string | null }>('select kind, text, data from case_events where case_id = ? order by id', caseId);
}

beforeAll(async () => {
  h = await startHarness({ departments: { departments: [{ id: 'legal', name: 'Legal', slackChannel: 'C0LEGAL', replyWithin: '1h' }] } });
});
afterAll(async () => {
  await h.stop(true);
});

describe('a case card deleted in Slack', () => {
  it('is posted again when the client writes, and the case goes on in the new thread', async () => {
    const client = newClient();
    const { caseId, threadTs: oldTs } = await h.openCase(client, 'my parcel is lost');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id);
    const cardsBefore = h.slack.callsTo('chat.postMessage').filter(isCard).length;
    h.slack.deleteMessage(supportChannel, oldTs);

    await h.clientSays(client, 'any news about my parcel?');
    const [, newCard] = await h.slack.waitForCount('chat.postMessage', cardsBefore + 1, isCard);
    expect(String(newCard?.params.text)).toContain(`#${caseId}`);
    const newTs = await eventually(() => h.slack.messages(supportChannel).find((m) => m.thread_ts === undefined && m.text === newCard?.params.text)?.ts, 5000, 'the new card');
    expect(newTs).not.toBe(oldTs);

    const texts = await eventually(() => {
      const all = threadTexts(newTs);
      return all.some((t) => t.includes('any news about my parcel?')) && all;
    }, 5000, 'the message in the new thread');
    expect(texts.some((t) => /deleted in Slack, so it was posted again/.test(t))).toBe(true);
    const history = await historyOf(caseId);
    const reposted = history.find((e) => e.kind === 'card-reposted');
    expect(JSON.parse(reposted?.data ?? '{}')).toEqual({ previousTs: oldTs, ts: newTs });
    expect(history.some((e) => e.kind === 'delivery-failed')).toBe(false);

    const { ts } = await h.agentSays(newTs, 'U0AGENT1', '!reply we found it, it arrives tomorrow');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('we found it, it arrives tomorrow'));
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
  });

  it('is posted again once, when a card update and a thread post both find it gone', async () => {
    const client = newClient();
    const { caseId, threadTs: oldTs } = await h.openCase(client, 'please close my account');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id);
    const cardsBefore = h.slack.callsTo('chat.postMessage').filter(isCard).length;
    const updatesBefore = h.slack.callsTo('chat.update').length;
    h.slack.deleteMessage(supportChannel, oldTs);
    // Assigning changes the card (chat.update of the deleted card) and posts in its thread.
    await h.agentSays(oldTs, 'U0AGENT1', '!assign me');
    await h.slack.waitForCount('chat.update', updatesBefore + 1);
    const newTs = await eventually(async () => {
      const reposted = (await historyOf(caseId)).find((e) => e.kind === 'card-reposted');
      return reposted && (JSON.parse(reposted.data ?? '{}') as { ts: string }).ts;
    }, 5000, 'the re-post');
    await eventually(() => threadTexts(newTs).some((t) => t.includes('Assigned to')), 5000, 'the assignment in the new thread');
    // A later message of the case arrives: by then every retry of the earlier calls is over.
    await h.clientSays(client, 'thank you');
    await eventually(() => threadTexts(newTs).some((t) => t.includes('thank you')), 5000, 'the later message');
    expect(h.slack.callsTo('chat.postMessage').filter(isCard)).toHaveLength(cardsBefore + 1);
    expect((await historyOf(caseId)).filter((e) => e.kind === 'card-reposted')).toHaveLength(1);
  });
});

describe('a Slack error no retry can mend', () => {
  it('an archived department channel is told in the case thread, and the case goes on', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'can I get a refund twice?');
    h.slack.updateChannel('C0LEGAL', { isArchived: true });
    try {
      await h.agentSays(threadTs, 'U0AGENT1', '!ask legal may we refund twice?');
      const notice = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /Could not deliver/.test(String(c.params.text)));
      expect(notice.params.text).toContain('archived');
      await h.clientSays(client, 'still waiting');
      await eventually(() => threadTexts(threadTs).some((t) => t.includes('still waiting')), 5000, 'the next message');
      expect((await historyOf(caseId)).find((e) => e.kind === 'delivery-failed')?.text).toContain('is_archived');
    } finally {
      h.slack.updateChannel('C0LEGAL', { isArchived: false });
    }
  });

  it('a deleted department question is told in the case thread when Repka posts into its thread', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'who approves discounts?');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask legal who approves discounts?');
    const question = await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === 'C0LEGAL' && String(c.params.text).includes('who approves discounts?'));
    const questionTs = await eventually(() => h.slack.messages('C0LEGAL').find((m) => m.text === question.params.text)?.ts, 5000, 'the question');
    const askId = Number(/Q(\d+)/.exec(String(question.params.text))?.[1]);
    h.slack.deleteMessage('C0LEGAL', questionTs);
    await h.agentSays(threadTs, 'U0AGENT1', `!cancel ${askId}`);
    const notice = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /Could not deliver/.test(String(c.params.text)));
    expect(notice.params.text).toMatch(/deleted in Slack.*thread_not_found/);
    await h.clientSays(client, 'and after that?');
    await eventually(() => threadTexts(threadTs).some((t) => t.includes('and after that?')), 5000, 'the next message');
  });

  it('a refusal off the old fixed list ends the retries of that post, is told in the thread, and the next post goes through', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'first');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id);
    h.slack.failNext('chat.postMessage', 1, { status: 200, body: { ok: false, error: 'no_permission' } });
    await h.clientSays(client, 'refused once');
    const notice = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /Could not deliver/.test(String(c.params.text)));
    expect(notice.params.text).toContain('no_permission');
    await h.clientSays(client, 'goes through');
    await eventually(() => threadTexts(threadTs).some((t) => t.includes('goes through')), 5000, 'the next message');
    expect(threadTexts(threadTs).some((t) => t.includes('refused once'))).toBe(false);
    expect((await historyOf(caseId)).filter((e) => e.kind === 'delivery-failed').map((e) => e.text)).toEqual([expect.stringContaining('no_permission')]);
  });
});
