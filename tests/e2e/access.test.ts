import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTriggerId, sendSlackInteraction } from '../fakes/fake-slack.js';
import type { TgUser } from '../fakes/fake-telegram.js';
import { signingSecret, startHarness, supportChannel, type Harness } from './harness.js';

// Contract, SLACK_AGENTS: every command that acts on a case, a client or a department, and every
// card or question button, is for agents only; anyone else is refused the same way and nothing happens.
const departments = {
  departments: [{ id: 'accounting', name: 'Accounting', slackChannel: 'C0ACC', replyWithin: '1h', tellClient: true }],
};

let nextUserId = 30_000;
const newClient = (): TgUser => ({ id: nextUserId++, first_name: 'Olga', last_name: 'Sidorova', language_code: 'en' });
let clicks = 0;

/** `user` presses a button with `actionId` and `value` on the message `messageTs` of the support channel. */
function press(h: Harness, user: string, actionId: string, value: string, messageTs: string, triggerId = newTriggerId()) {
  clicks += 1;
  return sendSlackInteraction(h.url, signingSecret, {
    type: 'block_actions',
    team: { id: 'T0TEAM' },
    user: { id: user, name: user.toLowerCase() },
    trigger_id: triggerId,
    container: { type: 'message', channel_id: supportChannel, message_ts: messageTs },
    channel: { id: supportChannel },
    message: { ts: messageTs, text: 'message' },
    actions: [{ type: 'button', action_id: actionId, block_id: `b-${value}`, value, action_ts: `1732300000.${String(clicks).padStart(6, '0')}` }],
  });
}

/** The private answers `user` got in `threadTs`, in order. */
const privateAnswers = (h: Harness, user: string, threadTs: string) =>
  h.slack
    .callsTo('chat.postEphemeral')
    .filter((c) => c.params.user === user && c.params.thread_ts === threadTs)
    .map((c) => String(c.params.text));

describe('with SLACK_AGENTS set, one policy for typed commands and buttons', () => {
  let h: Harness;
  const caseRow = async (id: number) => (await h.db.get('select status, assignee from cases where id = ?', id)) as { status: string; assignee: string | null };
  const eventsOf = (id: number) => h.db.all<{ kind: string; author: string; text: string | null }>('select kind, author_id as author, text from case_events where case_id = ? order by id', id);
  const asksOf = (id: number) => h.db.all<{ id: number; status: string }>('select id, status from asks where case_id = ? order by id', id);

  beforeAll(async () => {
    // Anna and Boris are agents; Dmitry (a developer) is not.
    h = await startHarness({ env: { SLACK_AGENTS: 'U0AGENT1,U0AGENT2' }, departments });
  });
  afterAll(async () => {
    await h.stop(true);
  });

  it("refuses a non-agent's !ask, !cancel, !link, !reopen and !assign privately; nothing happens, and each stays a note", async () => {
    const client = newClient();
    const other = await h.openCase(newClient(), 'another case');
    const { caseId, threadTs } = await h.openCase(client, 'I was charged 5% less');
    const typed = ['!ask accounting was it 5% or 10%?', '!cancel', `!link ${other.caseId}`, '!reopen', '!assign me'];
    for (const text of typed) await h.agentSays(threadTs, 'U0DEV1', text);
    await h.slack.waitForCount('chat.postEphemeral', typed.length, (c) => c.params.user === 'U0DEV1' && c.params.thread_ts === threadTs);
    const answers = privateAnswers(h, 'U0DEV1', threadTs);
    for (const [i, name] of ['!ask', '!cancel', '!link', '!reopen', '!assign'].entries()) {
      expect(answers[i]).toBe(`Only support agents can use \`${name}\`; nothing was done. Your message stays in the thread as a note.`);
    }

    // An agent's reply after them: once the client has it, everything queued before it for this
    // client and this thread has been delivered, so what is absent now never comes.
    const { ts } = await h.agentSays(threadTs, 'U0AGENT1', '!reply We are looking into it.');
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    const toClient = h.telegram.sentTo(client.id).map((m) => m.text);
    expect(toClient).toHaveLength(2); // the acknowledgement and the reply: no "checking with Accounting"
    expect(toClient[1]).toContain('We are looking into it.');
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === 'C0ACC')).toHaveLength(0);
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === threadTs && /Linked with case/.test(String(c.params.text)))).toHaveLength(0);
    expect(await asksOf(caseId)).toEqual([]);
    expect(await caseRow(caseId)).toEqual({ status: 'open', assignee: 'U0AGENT1' });
    const dmitrys = (await eventsOf(caseId)).filter((e) => e.author === 'U0DEV1');
    expect(dmitrys).toEqual(typed.map((text) => ({ kind: 'note', author: 'U0DEV1', text })));
    expect((await eventsOf(caseId)).some((e) => e.kind === 'linked')).toBe(false);
  });

  it('refuses "Cancel question" and "Ask a department" from a non-agent the same way; an agent\'s Cancel on a settled question says so', async () => {
    const { caseId, threadTs } = await h.openCase(newClient(), 'a charge to check');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask accounting which rate applied?');
    const confirmation = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Asked Q'));
    const [ask] = await asksOf(caseId);
    expect(ask?.status).toBe('open');
    const askId = String(ask?.id);
    const confirmationTs = h.slack.messages(supportChannel).find((m) => m.text === confirmation.params.text)?.ts as string;

    await press(h, 'U0DEV1', 'ask_cancel', askId, confirmationTs);
    const trigger = newTriggerId();
    await press(h, 'U0DEV1', 'case_ask', String(caseId), threadTs, trigger);
    await h.slack.waitForCount('chat.postEphemeral', 2, (c) => c.params.user === 'U0DEV1' && c.params.thread_ts === threadTs);
    expect(privateAnswers(h, 'U0DEV1', threadTs)).toEqual([
      'Only support agents can use this button (`!cancel`); nothing was done.',
      'Only support agents can use this button (`!ask`); nothing was done.',
    ]);
    expect(h.slack.callsTo('views.open').filter((c) => c.params.trigger_id === trigger)).toHaveLength(0);
    expect((await asksOf(caseId))[0]?.status).toBe('open');

    // The agent cancels it: the department hears it once (Dmitry's press told it nothing).
    await press(h, 'U0AGENT2', 'ask_cancel', askId, confirmationTs);
    await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === 'C0ACC' && /no answer needed/.test(String(c.params.text)));
    expect((await asksOf(caseId))[0]?.status).toBe('cancelled');
    await press(h, 'U0AGENT2', 'ask_cancel', askId, confirmationTs);
    const late = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0AGENT2' && c.params.thread_ts === threadTs);
    expect(late.params.text).toBe(`Q${askId} is no longer open; nothing was done.`);
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === 'C0ACC' && /no answer needed/.test(String(c.params.text)))).toHaveLength(1);
  });
});

describe('with SLACK_AGENTS unset, the support channel decides', () => {
  let h: Harness;
  beforeAll(async () => {
    // The harness's support channel has Anna and Boris as members; Dmitry is not in it.
    h = await startHarness({ departments });
  });
  afterAll(async () => {
    await h.stop(true);
  });

  it("a member's button acts; a non-member's is refused; a message posted in the thread is a member's", async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'please close this');
    await press(h, 'U0DEV1', 'case_close', String(caseId), threadTs);
    const refusal = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0DEV1' && c.params.thread_ts === threadTs);
    expect(refusal.params.text).toBe('Only support agents can use this button (`!close`); nothing was done.');

    await press(h, 'U0AGENT2', 'case_assign_me', String(caseId), threadTs);
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Assigned to <@U0AGENT2>'));

    // Posting in the support channel is what makes someone an agent when SLACK_AGENTS is unset.
    await h.agentSays(threadTs, 'U0DEV1', '!reply Fixed in today’s release.');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('Fixed in today’s release.'));
    // Dmitry's press closed nothing: the client got no closing message before the reply.
    expect(h.telegram.sentTo(client.id)).toHaveLength(2);
  });
});
