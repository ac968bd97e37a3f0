import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextTs, sendSlackEvent } from '../fakes/fake-slack.js';
import type { TgUser } from '../fakes/fake-telegram.js';
import { eventually, signingSecret, startHarness, supportChannel, type Harness } from './harness.js';

let h: Harness;
let nextUserId = 8000;
const newClient = (): TgUser => ({ id: nextUserId++, first_name: 'Ivan', last_name: 'Petrov', username: `ivan${nextUserId}`, language_code: 'en' });
const sentTo = (chatId: number) => h.telegram.callsTo('sendMessage').filter((c) => c.params.chat_id === chatId);
const textsTo = (chatId: number) => sentTo(chatId).map((c) => String(c.params.text));
const ephemeralsFor = (user: string) => h.slack.callsTo('chat.postEphemeral').filter((c) => c.params.user === user);

/**
 * Anna replies `marker` in the thread and the client gets it. Messages to one chat are delivered in
 * order (streamOf), so whatever an earlier message queued for this client has arrived by then: what
 * is absent now was never sent. Returns the texts the client has.
 */
async function afterLaterReply(client: TgUser, threadTs: string, marker: string): Promise<string[]> {
  await h.agentSays(threadTs, 'U0AGENT1', `!reply ${marker}`);
  await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes(marker));
  return textsTo(client.id);
}

/** The same for Anna's private answers in the support channel (one stream per channel and user): she asks `!help` and gets it. */
async function afterLaterHelp(threadTs: string): Promise<void> {
  const before = ephemeralsFor('U0AGENT1').filter((c) => c.params.thread_ts === threadTs && String(c.params.text).includes('!reply')).length;
  await h.agentSays(threadTs, 'U0AGENT1', '!help');
  await h.slack.waitForCount('chat.postEphemeral', before + 1, (c) => c.params.user === 'U0AGENT1' && c.params.thread_ts === threadTs && String(c.params.text).includes('!reply'));
}

beforeAll(async () => {
  // Anna and Boris are agents; Dmitry (a developer) is not.
  h = await startHarness({ env: { SLACK_AGENTS: 'U0AGENT1,U0AGENT2' } });
});
afterAll(async () => {
  await h.stop(true);
});

describe('an agent in a case thread', () => {
  it('!reply reaches the client and gets a reaction once delivered', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'where is my refund?');
    const { ts } = await h.agentSays(threadTs, 'U0AGENT1', '!reply Your refund was sent today.');
    const reply = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('Your refund was sent today.'));
    expect(reply.params.text).toContain(`#${caseId}`);
    expect(reply.params.text).toContain('Anna');
    const reaction = await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    expect(reaction.params.channel).toBe(supportChannel);
  });

  it('accepts !r and any letter case', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'hi');
    await h.agentSays(threadTs, 'U0AGENT2', '!r short form');
    await h.agentSays(threadTs, 'U0AGENT2', '!REPLY loud form');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && c.params.text.includes('short form'));
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && c.params.text.includes('loud form'));
  });

  it('keeps notes internal: stored in the history, never sent to the client', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'charged twice');
    await h.agentSays(threadTs, 'U0AGENT1', 'looks like a double charge, checking with accounting');
    await h.agentSays(threadTs, 'U0DEV1', 'dev here: the coupon code path has a bug');
    await h.agentSays(threadTs, 'U0AGENT1', '!history');
    // !history posts the whole history into the thread as a Markdown file.
    const upload = await h.slack.waitFor('files.completeUploadExternal', (c) => c.params.thread_ts === threadTs);
    expect(String(upload.params.initial_comment)).toContain('History of case');
    const file = h.slack.uploadedFile((upload.params.files as { id: string }[])[0]?.id as string);
    expect(file?.filename).toMatch(/^case-\d+-history\.md$/);
    const history = file?.bytes.toString('utf8') ?? '';
    expect(history).toContain('Note by Anna: looks like a double charge');
    expect(history).toContain('Note by Dmitry: dev here');
    expect(history.indexOf('charged twice')).toBeLessThan(history.indexOf('double charge'));
    const texts = await afterLaterReply(client, threadTs, 'we are on it');
    expect(texts).toHaveLength(2);
    expect(texts[1]).toContain('we are on it');
    expect(texts.join('\n')).not.toMatch(/double charge|dev here|History of case/);
  });

  it('!close tells the client and updates the card; the next message opens a linked case', async () => {
    const client = newClient();
    const first = await h.openCase(client, 'problem one');
    await h.agentSays(first.threadTs, 'U0AGENT1', '!close refunded');
    const closed = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && /closed/.test(c.params.text));
    expect(closed.params.text).toContain(`#${first.caseId}`);
    expect(closed.params.text).not.toContain('refunded');
    const update = await h.slack.waitFor('chat.update', (c) => c.params.ts === first.threadTs);
    expect(JSON.stringify(update.params.blocks)).toContain('Closed');

    const second = await h.openCase(client, 'problem two');
    expect(second.caseId).toBeGreaterThan(first.caseId);
    expect(JSON.stringify(second.card.params.blocks)).toContain(`follow-up to #${first.caseId}`);
    const link = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === first.threadTs && String(c.params.text).includes(`#${second.caseId}`));
    expect(link.params.text).toContain('opened a new case');
  });

  it('!reopen, !assign and !help do what they say', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'help me');
    await h.agentSays(threadTs, 'U0AGENT1', '!close');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && /closed/.test(c.params.text));
    await h.agentSays(threadTs, 'U0AGENT1', '!reopen');
    const reopened = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && /open again/.test(c.params.text));
    expect(reopened.params.text).toContain(`#${caseId}`);

    await h.agentSays(threadTs, 'U0AGENT1', '!assign <@U0AGENT2>');
    const assigned = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Assigned to <@U0AGENT2>'));
    expect(assigned.params.text).toContain('<@U0AGENT1>');
    await eventually(() => h.slack.callsTo('chat.update').some((c) => c.params.ts === threadTs && JSON.stringify(c.params.blocks).includes('<@U0AGENT2>')));

    await h.agentSays(threadTs, 'U0AGENT1', '!help');
    const help = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0AGENT1' && String(c.params.text).includes('!reply'));
    expect(help.params.thread_ts).toBe(threadTs);
  });

  it('answers an unknown !word privately with help and sends nothing to the client', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'x');
    await h.agentSays(threadTs, 'U0AGENT2', '!replly typo here');
    const answer = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0AGENT2' && String(c.params.text).includes('!replly'));
    expect(answer.params.text).toContain('!reply');
    const texts = await afterLaterReply(client, threadTs, 'sorry for the typo');
    expect(texts).toHaveLength(2);
    expect(texts.join('\n')).not.toContain('typo here');
  });

  it('refuses !reply and !close from someone who is not an agent', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'y');
    await h.agentSays(threadTs, 'U0DEV1', '!reply I am a developer');
    await h.agentSays(threadTs, 'U0DEV1', '!close');
    await h.slack.waitForCount('chat.postEphemeral', 2, (c) => c.params.user === 'U0DEV1' && /Only support agents/.test(String(c.params.text)));
    // Anna's reply ends the client's wait, so it updates the card too: after any update a close queued.
    const texts = await afterLaterReply(client, threadTs, 'an agent answers');
    expect(texts).toHaveLength(2);
    expect(texts.join('\n')).not.toMatch(/I am a developer|closed/);
    const updates = await eventually(() => {
      const calls = h.slack.callsTo('chat.update').filter((c) => c.params.ts === threadTs);
      return calls.length > 0 && calls;
    }, 5000, 'the card update after the reply');
    for (const update of updates) expect(JSON.stringify(update.params.blocks)).not.toContain('Closed');
  });

  it('answers an empty !reply with usage', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'z');
    await h.agentSays(threadTs, 'U0AGENT1', '!reply   ');
    const usage = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0AGENT1' && /Usage/.test(String(c.params.text)));
    expect(usage.params.text).toContain('!reply');
    const texts = await afterLaterReply(client, threadTs, 'a real answer');
    expect(texts).toHaveLength(2);
    expect(texts[1]).toContain('a real answer');
  });

  it('never reads bot messages, edits or deletions as commands', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'edits');
    const send = (event: Record<string, unknown>) => sendSlackEvent(h.url, signingSecret, { type: 'message', channel: supportChannel, thread_ts: threadTs, ...event });
    await send({ subtype: 'bot_message', bot_id: 'B0OTHER', text: '!reply from a bot', ts: nextTs() });
    await send({ bot_id: 'B0REPKABOT', user: 'U0REPKABOT', text: '!reply from myself', ts: nextTs() });
    await send({ subtype: 'message_changed', ts: nextTs(), message: { user: 'U0AGENT1', text: '!reply edited', ts: nextTs(), thread_ts: threadTs } });
    await send({ subtype: 'message_deleted', ts: nextTs(), previous_message: { user: 'U0AGENT1', text: '!close', ts: nextTs() } });
    await afterLaterHelp(threadTs);
    // Only the answer to Anna's !help: no private answer to anyone (a refusal, say) came of the four events.
    expect(h.slack.callsTo('chat.postEphemeral').filter((c) => c.params.thread_ts === threadTs).map((c) => c.params.user)).toEqual(['U0AGENT1']);
    const texts = await afterLaterReply(client, threadTs, 'a typed reply');
    expect(texts).toHaveLength(2);
    expect(texts.join('\n')).not.toMatch(/from a bot|from myself|edited|closed/);
  });

  it('handles the same Slack event delivered twice (a Slack retry) once', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'dup');
    const ts = nextTs();
    const event = { type: 'message', channel: supportChannel, user: 'U0AGENT1', text: '!reply just once', ts, thread_ts: threadTs };
    const first = await sendSlackEvent(h.url, signingSecret, event, { eventId: 'Ev0DUPLICATE1' });
    const retry = await sendSlackEvent(h.url, signingSecret, event, { eventId: 'Ev0DUPLICATE1', retryNum: 1, retryReason: 'http_timeout' });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && c.params.text.includes('just once'));
    const texts = await afterLaterReply(client, threadTs, 'and this after it');
    expect(texts.join('\n').split('just once')).toHaveLength(2);
    expect(texts).toHaveLength(3);
  });

  it('delivers a reply longer than Telegram allows whole, in several messages', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'long answer please');
    const words = Array.from({ length: 1500 }, (_, i) => `w${i}`);
    await h.agentSays(threadTs, 'U0AGENT1', `!reply ${words.join(' ')}`);
    const parts = await eventually(() => {
      const texts = sentTo(client.id).map((c) => String(c.params.text));
      return texts.join(' ').includes('w1499') && texts.slice(1);
    });
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    for (const word of words) expect(parts.join(' ')).toMatch(new RegExp(`\\b${word}\\b`));
  });

  it('ignores top-level messages and threads that are not cases', async () => {
    const { threadTs } = await h.openCase(newClient(), 'a real case');
    const before = h.slack.calls.length;
    await sendSlackEvent(h.url, signingSecret, { type: 'message', channel: supportChannel, user: 'U0AGENT1', text: '!reply nobody', ts: nextTs() });
    await h.agentSays('1111111111.000001', 'U0AGENT1', '!reply nobody either');
    // Neither message has a case, so only a private answer to Anna could come of them: it would be ahead of this one.
    await afterLaterHelp(threadTs);
    // Deliveries of earlier tests may still arrive; nothing may answer or relay these two messages.
    const answered = h.slack.calls.slice(before).filter((c) => ['chat.postMessage', 'chat.postEphemeral', 'reactions.add'].includes(c.method) && c.params.thread_ts !== threadTs && (JSON.stringify(c.params).includes('nobody') || c.params.thread_ts === '1111111111.000001' || c.params.user === 'U0AGENT1'));
    expect(answered).toHaveLength(0);
    expect(h.telegram.callsTo('sendMessage').filter((c) => String(c.params.text).includes('nobody'))).toHaveLength(0);
  });
});
