import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TgUser } from '../fakes/fake-telegram.js';
import { eventually, startHarness, supportChannel, type Harness } from './harness.js';

const departments = {
  departments: [{ id: 'accounting', name: 'Accounting', slackChannel: 'C0ACC', replyWithin: '1h' }],
};

let h: Harness;
let nextUserId = 31_000;
const newClient = (): TgUser => ({ id: nextUserId++, first_name: 'Pavel', last_name: 'Orlov', language_code: 'en' });
const cardText = (threadTs: string) => JSON.stringify(h.slack.messages(supportChannel).find((m) => m.ts === threadTs)?.blocks ?? []);

beforeAll(async () => {
  h = await startHarness({ departments });
});
afterAll(async () => {
  await h.stop(true);
});

describe('!close then !reopen with a question open', () => {
  it('the card shows the question settled by the close, the client no longer waits, and !reopen names it', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'the charge looks wrong');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask accounting in 1h which rate was applied?');
    const asked = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Asked Q'));
    const askId = Number(/Q(\d+)/.exec(String(asked.params.text))?.[1]);
    expect(await h.db.get('select client_waiting_since as w from cases where id = ?', caseId)).not.toEqual({ w: null });

    await h.agentSays(threadTs, 'U0AGENT1', '!close answered by phone');
    await eventually(() => cardText(threadTs).includes(`Q${askId}: settled by the close`), 8000, 'the card showing the question settled');
    expect(await h.db.get('select status, client_waiting_since as w from cases where id = ?', caseId)).toEqual({ status: 'closed', w: null });

    await h.agentSays(threadTs, 'U0AGENT2', '!reopen');
    const reopened = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Case reopened'));
    expect(reopened.params.text).toBe(
      `:unlock: Case reopened by <@U0AGENT2>. The client was told. The close had settled Q${askId}: it stays settled, so \`!ask\` again if the answer is still needed.`,
    );
    expect(await h.db.get('select status from asks where id = ?', askId)).toEqual({ status: 'cancelled' });
  });

  it('a reopen after a close that settled nothing names no question', async () => {
    const { threadTs } = await h.openCase(newClient(), 'quick one');
    await h.agentSays(threadTs, 'U0AGENT1', '!close');
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Case closed'));
    await h.agentSays(threadTs, 'U0AGENT1', '!reopen');
    const reopened = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Case reopened'));
    expect(reopened.params.text).toBe(':unlock: Case reopened by <@U0AGENT1>. The client was told.');
  });
});
