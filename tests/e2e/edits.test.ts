import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageChangedEvent, messageDeletedEvent, sendSlackEvent } from '../fakes/fake-slack.js';
import { textUpdate, type TgUser } from '../fakes/fake-telegram.js';
import { toSlackWire } from '../fakes/slack-wire.js';
import { signingSecret, startHarness, supportChannel, type Harness } from './harness.js';

let h: Harness;
let nextUserId = 33_000;
const newClient = (): TgUser => ({ id: nextUserId++, first_name: 'Lev', last_name: 'Gusev', language_code: 'en' });
const eventsOf = (caseId: number) => h.db.all<{ kind: string; text: string | null; data: string | null }>('select kind, text, data from case_events where case_id = ? order by id', caseId);
const threadTexts = (threadTs: string) => h.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === threadTs).map((c) => String(c.params.text));
let editCounter = 0;

/** The agent's earlier message `ts` (typed as `before`) now reads `after`, as Slack reports an edit. */
function agentEdits(threadTs: string, ts: string, user: string, before: string, after: string) {
  editCounter += 1;
  const event = messageChangedEvent({ channel: supportChannel, user, text: toSlackWire(before), ts, thread_ts: threadTs }, toSlackWire(after));
  return sendSlackEvent(h.url, signingSecret, event, { eventId: `Ev0EDIT${editCounter}` });
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop(true);
});

describe('a client edits a message', () => {
  it('the thread shows the new text marked as an edit; the history keeps both', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'I was charged twice');
    const original = textUpdate(client, 'my order is 10442');
    await h.sendUpdate(original);
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('my order is 10442'));
    const message = (original as unknown as { message: Record<string, unknown> }).message;
    // Bot API: an edit arrives as an update with edited_message: the same message_id, the new text, edit_date.
    const edit = { update_id: (original.update_id as number) + 5000, edited_message: { ...message, text: 'my order is 10443', edit_date: Math.floor(Date.now() / 1000) } };
    expect((await h.sendUpdate(edit as never)).status).toBe(200);
    const shown = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).startsWith(':pencil2:'));
    expect(shown.params.text).toBe(':pencil2: The client edited a message (edited): my order is 10443\n>Before: my order is 10442');
    const edited = (await eventsOf(caseId)).filter((e) => e.kind === 'client-edited');
    expect(edited.map((e) => [e.text, JSON.parse(e.data ?? '{}').previousText])).toEqual([['my order is 10443', 'my order is 10442']]);
  });
});

describe('an agent edits or deletes a !reply', () => {
  it("within 48 h, the client's message changes to the new text and the thread says so; the history keeps both", async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'when is my refund?');
    const { ts } = await h.agentSays(threadTs, 'U0AGENT1', '!reply Your refund arrives on Monday.');
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    const delivered = h.telegram.sentTo(client.id)[1];
    expect(delivered?.text).toContain('Your refund arrives on Monday.');

    await agentEdits(threadTs, ts, 'U0AGENT1', '!reply Your refund arrives on Monday.', '!reply Your refund arrives on Tuesday.');
    const told = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('edited their reply'));
    expect(told.params.text).toBe(":pencil2: <@U0AGENT1> edited their reply; the client's message now reads:\n>Your refund arrives on Tuesday.");
    const edit = h.telegram.callsTo('editMessageText').find((c) => c.params.chat_id === client.id);
    expect(edit?.params.message_id).toBe(delivered?.message_id);
    expect(h.telegram.sentTo(client.id)[1]?.text).toBe(`Anna, support · case #${caseId}:\n\nYour refund arrives on Tuesday.`);
    expect(h.telegram.sentTo(client.id)).toHaveLength(2);
    const history = (await eventsOf(caseId)).filter((e) => e.kind === 'agent-reply' || e.kind === 'agent-reply-edited').map((e) => [e.kind, e.text]);
    expect(history).toEqual([
      ['agent-reply', 'Your refund arrives on Monday.'],
      ['agent-reply-edited', 'Your refund arrives on Tuesday.'],
    ]);
  });

  it('an edit that drops !reply changes nothing for the client and says so; an edit of a note is never a command', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'hello there');
    const { ts } = await h.agentSays(threadTs, 'U0AGENT2', '!reply Hi, looking now.');
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    await agentEdits(threadTs, ts, 'U0AGENT2', '!reply Hi, looking now.', 'Hi, looking now (typo fixed)');
    const answer = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0AGENT2' && c.params.thread_ts === threadTs);
    expect(answer.params.text).toBe('The client still has your reply as first sent: the edit no longer reads as `!reply <text>`. Keep `!reply` at the start to change what they see.');

    const note = await h.agentSays(threadTs, 'U0AGENT2', 'internal: check the logs');
    await agentEdits(threadTs, note.ts, 'U0AGENT2', 'internal: check the logs', '!reply check the logs');
    // A later reply on the same client stream: once it arrives, nothing from the edited note came before it.
    const later = await h.agentSays(threadTs, 'U0AGENT2', '!reply Found it.');
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === later.ts);
    expect(h.telegram.sentTo(client.id).map((m) => m.text?.split('\n\n')[1])).toEqual([undefined, 'Hi, looking now.', 'Found it.']);
    expect(h.telegram.callsTo('editMessageText').filter((c) => c.params.chat_id === client.id)).toHaveLength(0);
  });

  it('a reply that reached the client as several messages (long) is not edited: the agent is told, the history keeps the first text only', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'the full terms please');
    const long = `Terms: ${'every clause explained. '.repeat(220)}`.trim();
    const { ts } = await h.agentSays(threadTs, 'U0AGENT1', `!reply ${long}`);
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    expect(h.telegram.sentTo(client.id)).toHaveLength(3); // the acknowledgement and the reply in two parts
    await agentEdits(threadTs, ts, 'U0AGENT1', `!reply ${long}`, '!reply Terms: see the website.');
    const answer = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0AGENT1' && c.params.thread_ts === threadTs);
    expect(answer.params.text).toBe('The client still has your reply as first sent: it reached them as several messages (it was long), which cannot be edited. Send a correction with `!reply`.');
    expect(h.telegram.callsTo('editMessageText').filter((c) => c.params.chat_id === client.id)).toHaveLength(0);
    expect((await eventsOf(caseId)).filter((e) => e.kind === 'agent-reply-edited')).toEqual([]);
  });

  it('a deleted !reply is not unsent, and the agent is told so', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'question');
    const { ts } = await h.agentSays(threadTs, 'U0AGENT1', '!reply Sent to the wrong client, oops.');
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    await sendSlackEvent(h.url, signingSecret, messageDeletedEvent({ channel: supportChannel, user: 'U0AGENT1', text: toSlackWire('!reply Sent to the wrong client, oops.'), ts, thread_ts: threadTs }));
    const answer = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0AGENT1' && c.params.thread_ts === threadTs);
    expect(answer.params.text).toBe('Deleting your message in Slack does not unsend it: the client still has the reply. Send a correction with `!reply` if needed.');
    expect(h.telegram.sentTo(client.id)).toHaveLength(2);
    expect(threadTexts(threadTs).some((t) => t.includes('edited their reply'))).toBe(false);
  });
});
