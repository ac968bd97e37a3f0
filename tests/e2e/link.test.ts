import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackCall } from '../fakes/fake-slack.js';
import type { TgUser } from '../fakes/fake-telegram.js';
import { eventually, startHarness, supportChannel, type Harness } from './harness.js';

let h: Harness;
let nextUserId = 9500;
const newClient = (): TgUser => ({ id: nextUserId++, first_name: 'Petr', last_name: `L${nextUserId}`, language_code: 'en' });

beforeAll(async () => {
  h = await startHarness({ env: { SLACK_AGENTS: 'U0AGENT1,U0AGENT2', SLACK_CHANNEL_POSTS_PER_SECOND: '0' } });
});
afterAll(async () => {
  await h.stop(true);
});

const threadPosts = (threadTs: string) => h.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === threadTs);
const cardContext = (threadTs: string) => {
  const blocks = (h.slack.messages(supportChannel).find((m) => m.ts === threadTs)?.blocks ?? []) as { type: string; elements?: { text?: string }[] }[];
  return (blocks.find((b) => b.type === 'context')?.elements ?? []).map((e) => e.text).join(' | ');
};
const eventKinds = async (caseId: number) => (await h.db.all<{ kind: string }>('select kind from case_events where case_id = ? order by id', caseId)).map((r) => r.kind);
/** Everything a `!link` could change, for both cases and the outbox to Slack threads and cards. */
const footprint = async (...caseIds: number[]) => ({
  events: await Promise.all(caseIds.map(eventKinds)),
  posts: ((await h.db.get("select count(*) as n from outbox where stream like 'case-%' or stream like 'card-%'")) as { n: number }).n,
});

/**
 * Anna assigns the case to herself: a post in its thread and an update of its card, each after
 * anything queued for them before (one stream per thread, one per card, delivered in order).
 * Resolves once both are in Slack.
 */
async function afterLaterAssign(threadTs: string): Promise<void> {
  await h.agentSays(threadTs, 'U0AGENT1', '!assign me');
  await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Assigned to <@U0AGENT1>'));
  await h.slack.waitFor('chat.update', (c) => c.params.ts === threadTs && JSON.stringify(c.params.blocks).includes('<@U0AGENT1>'));
}

/** `!history` in the thread: the Markdown file Repka uploads there. */
async function historyOf(threadTs: string): Promise<string> {
  const before = h.slack.callsTo('files.completeUploadExternal').filter((c) => c.params.thread_ts === threadTs).length;
  await h.agentSays(threadTs, 'U0AGENT1', '!history');
  const uploads = await h.slack.waitForCount('files.completeUploadExternal', before + 1, (c) => c.params.thread_ts === threadTs);
  const upload = uploads.at(-1) as SlackCall;
  return h.slack.uploadedFile((upload.params.files as { id: string }[])[0]?.id as string)?.bytes.toString('utf8') ?? '';
}

describe('!link', () => {
  it('links two cases both ways: a post in each thread, each card and each history shows the other', async () => {
    const a = await h.openCase(newClient(), 'payment page is blank');
    const b = await h.openCase(newClient(), 'cannot pay, the page is empty');
    await h.agentSays(b.threadTs, 'U0AGENT2', `!link #${a.caseId}`);

    const inB = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === b.threadTs && String(c.params.text).includes(':link:'));
    expect(inB.params.text).toContain(`Linked with case #${a.caseId} by <@U0AGENT2>`);
    const inA = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === a.threadTs && String(c.params.text).includes(':link:'));
    expect(inA.params.text).toContain(`Linked with case #${b.caseId} by <@U0AGENT2>`);

    await eventually(() => cardContext(a.threadTs).includes(`linked: #${b.caseId}`), 5000, 'the link on the card of A');
    await eventually(() => cardContext(b.threadTs).includes(`linked: #${a.caseId}`), 5000, 'the link on the card of B');

    const historyA = await historyOf(a.threadTs);
    expect(historyA).toContain(`- Linked cases: #${b.caseId}`);
    expect(historyA).toContain(`Linked with case #${b.caseId} by Boris`);
    const historyB = await historyOf(b.threadTs);
    expect(historyB).toContain(`- Linked cases: #${a.caseId}`);
    expect(historyB).toContain(`Linked with case #${a.caseId} by Boris`);
  });

  it.each([
    ['a case that does not exist', () => '!link 987654', 'There is no case #987654'],
    ['no number', () => '!link', 'Usage: `!link <case number>`'],
    ['something that is not a number', () => '!link the other one', 'Usage: `!link <case number>`'],
  ])('to %s is answered privately and changes nothing', async (_, command, answer) => {
    const { caseId, threadTs } = await h.openCase(newClient(), 'lonely case');
    const before = await footprint(caseId);
    await h.agentSays(threadTs, 'U0AGENT1', command());
    const reply = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.thread_ts === threadTs);
    expect(reply.params.user).toBe('U0AGENT1');
    expect(reply.params.text).toContain(answer);
    // The command was handled before Slack got its answer: the store and outbox show all it did.
    expect(await footprint(caseId)).toEqual(before);
    await afterLaterAssign(threadTs);
    expect(threadPosts(threadTs).map((c) => String(c.params.text))).toEqual([expect.stringContaining('Assigned to <@U0AGENT1>')]);
    const updates = h.slack.callsTo('chat.update').filter((c) => c.params.ts === threadTs);
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0]?.params.blocks)).not.toContain('linked');
  });

  it('to the case itself, or to a case already linked (either way round), is answered privately and changes nothing', async () => {
    const a = await h.openCase(newClient(), 'first');
    const b = await h.openCase(newClient(), 'second');
    await h.agentSays(a.threadTs, 'U0AGENT1', `!link ${b.caseId}`);
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === b.threadTs && String(c.params.text).includes(':link:'));
    await eventually(() => cardContext(b.threadTs).includes(`linked: #${a.caseId}`));
    const before = await footprint(a.caseId, b.caseId);
    const postsA = threadPosts(a.threadTs).length;
    const postsB = threadPosts(b.threadTs).length;

    for (const [threadTs, command, answer] of [
      [a.threadTs, `!link ${a.caseId}`, 'cannot be linked with itself'],
      [a.threadTs, `!link ${b.caseId}`, `Cases #${a.caseId} and #${b.caseId} are already linked`],
      [b.threadTs, `!link ${a.caseId}`, `Cases #${b.caseId} and #${a.caseId} are already linked`],
    ] as const) {
      await h.agentSays(threadTs, 'U0AGENT1', command);
      const reply = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes(answer));
      expect(reply.params.user).toBe('U0AGENT1');
    }
    expect(await footprint(a.caseId, b.caseId)).toEqual(before);
    await afterLaterAssign(a.threadTs);
    await afterLaterAssign(b.threadTs);
    expect(threadPosts(a.threadTs)).toHaveLength(postsA + 1);
    expect(threadPosts(b.threadTs)).toHaveLength(postsB + 1);
  });
});

describe("a client's follow-up case", () => {
  it('is linked to the closed case automatically, on both cards and in both histories', async () => {
    const client = newClient();
    const first = await h.openCase(client, 'my parcel is late');
    await h.agentSays(first.threadTs, 'U0AGENT1', '!close delivered');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && /closed/.test(String(c.params.text)));

    const second = await h.openCase(client, 'the parcel came damaged');
    expect(second.caseId).not.toBe(first.caseId);
    expect(cardContext(second.threadTs)).toContain(`follow-up to #${first.caseId}`);
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === first.threadTs && String(c.params.text).includes(`opened a new case: #${second.caseId}`));
    await eventually(() => cardContext(first.threadTs).includes(`linked: #${second.caseId}`), 5000, 'the follow-up on the first card');

    const historyFirst = await historyOf(first.threadTs);
    expect(historyFirst).toContain(`- Linked cases: #${second.caseId}`);
    expect(historyFirst).toContain(`The client opened follow-up case #${second.caseId}`);
    const historySecond = await historyOf(second.threadTs);
    expect(historySecond).toContain(`- Linked cases: #${first.caseId}`);
    expect(historySecond).toContain(`Case opened (follow-up to #${first.caseId})`);

    // Already linked: `!link` says so.
    await h.agentSays(second.threadTs, 'U0AGENT1', `!link ${first.caseId}`);
    await h.slack.waitFor('chat.postEphemeral', (c) => c.params.thread_ts === second.threadTs && String(c.params.text).includes('already linked'));
  });
});
