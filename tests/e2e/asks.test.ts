import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTriggerId, sendSlackInteraction } from '../fakes/fake-slack.js';
import type { TgUser } from '../fakes/fake-telegram.js';
import { eventually, redisUrl, signingSecret, startHarness, type Harness } from './harness.js';

const departments = {
  clientFirstReplyWithin: '2s',
  supportLead: ['U0LEAD'],
  departments: [
    { id: 'accounting', name: 'Accounting', aliases: ['acc', 'billing'], slackChannel: 'C0ACC', replyWithin: '3s', mention: ['S0ACCGROUP', 'U0ACC1'], remindAt: ['50%'], escalateTo: ['U0ACCLEAD'] },
    { id: 'dev', name: 'Development', aliases: ['developers'], slackChannel: 'C0DEV', replyWithin: '1h', escalateTo: ['U0DEVLEAD'], tellClient: false },
    { id: 'marketing', name: 'Marketing', aliases: ['promo'], slackChannel: 'C0MKT', replyWithin: '1h' },
    { id: 'ops', name: 'Operations', slackChannel: 'C0OPS', replyWithin: '1s', escalateTo: ['U0OPSLEAD'], escalateAgainAfter: '1s' },
  ],
};

let h: Harness;
let nextUserId = 9000;
const newClient = (): TgUser => ({ id: nextUserId++, first_name: 'Ivan', last_name: 'Petrov', language_code: 'en' });

/** The question's message in a department channel, once posted. */
async function question(channel: string, askText: string) {
  const call = await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === channel && !c.params.thread_ts && String(c.params.text).includes(askText));
  const ts = h.slack.messages(channel).find((m) => m.text === call.params.text)?.ts as string;
  return { call, ts };
}

/** The BullMQ keys of `askId`'s deadline jobs still in Redis (reminders, overdue, second escalation). */
async function deadlineJobs(askId: number): Promise<string[]> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    return (await connection.keys(`${h.config.queuePrefix}:deadlines:ask-${askId}-*`)).filter((k) => !k.endsWith(':logs'));
  } finally {
    await connection.quit();
  }
}

/** The ask's state in the database. */
async function askRow(askId: number): Promise<{ status: string; overdueAt: number | null; remindersSent: number }> {
  return (await h.db.get('select status, overdue_at as "overdueAt", reminders_sent as "remindersSent" from asks where id = ?', askId)) as { status: string; overdueAt: number | null; remindersSent: number };
}

beforeAll(async () => {
  h = await startHarness({ departments, env: { SLACK_AGENTS: 'U0AGENT1,U0AGENT2' } });
});
afterAll(async () => {
  await h.stop(true);
});

describe('asking departments', () => {
  it('posts the question to the department with what it needs to act, confirms in the thread, and tells the client', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'I was charged 5% less than shown');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask billing in 2h was the client charged 5% or 10%?');
    const { call } = await question('C0ACC', 'was the client charged 5% or 10%?');
    const text = String(call.params.text);
    expect(text).toContain(`#${caseId}`);
    expect(text).toContain('Ivan Petrov');
    expect(text).toContain('<!subteam^S0ACCGROUP>');
    expect(text).toContain('<@U0ACC1>');
    expect(text).toContain('<@U0AGENT1>');
    expect(text).toContain('in 2h');
    expect(text).toContain('https://fake.slack.test/archives/');
    expect(JSON.stringify(call.params.blocks)).toContain('Need more time');
    const confirmation = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Asked Q'));
    expect(confirmation.params.text).toContain('Accounting');
    const told = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('Accounting'));
    expect(told.params.text).not.toContain('5% or 10%');
  });

  it('answers an unknown department privately with the list, creating nothing', async () => {
    const { threadTs } = await h.openCase(newClient(), 'x');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask legal is this allowed?');
    const answer = await h.slack.waitFor('chat.postEphemeral', (c) => String(c.params.text).includes('"legal"'));
    expect(answer.params.text).toContain('`accounting` (`acc`, `billing`)');
    expect(answer.params.text).toContain('`marketing` (`promo`)');
    // A question asked next is confirmed in the same thread: one taken before would be confirmed before it.
    await h.agentSays(threadTs, 'U0AGENT1', '!ask marketing in 1h is this allowed instead?');
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Asked Q'));
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Asked Q'))).toHaveLength(1);
    expect(h.slack.callsTo('chat.postMessage').filter((c) => String(c.params.text).includes('is this allowed?'))).toHaveLength(0);
  });

  it('mirrors a department reply into the case thread, mentioning the asker, and stops its deadline', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'promo question');
    await h.agentSays(threadTs, 'U0AGENT2', '!ask acc was the promo 10%? answer fast');
    const { ts } = await question('C0ACC', 'was the promo 10%? answer fast');
    await h.agentSays(ts, 'U0ACC1', 'Yes, 10%. We charged 5% by mistake, refund issued.', 'C0ACC');
    const answer = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('refund issued'));
    expect(answer.params.text).toContain('Accounting');
    expect(answer.params.text).toContain('<@U0AGENT2>');
    expect(answer.params.text).toContain('update the client');
    await h.agentSays(ts, 'U0DEV1', 'PS: the refund takes 3 days to arrive.', 'C0ACC');
    const more = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('refund takes 3 days'));
    expect(more.params.text).toContain('More from *Accounting*');
    // No overdue notice can come for an answered ask: its deadline jobs are gone from Redis (and a
    // job that still fired would find the question answered: its once-only claim needs it open).
    const askId = Number(/Q(\d+)/.exec(String(answer.params.text))?.[1]);
    await eventually(async () => (await deadlineJobs(askId)).length === 0, 5000, 'the deadline jobs removed');
    expect(await askRow(askId)).toEqual({ status: 'answered', overdueAt: null, remindersSent: 0 });
  });

  it('reminds at 50%, then escalates once at the deadline in both threads', async () => {
    const { threadTs } = await h.openCase(newClient(), 'nobody answers');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask accounting is anyone there?');
    const { ts } = await question('C0ACC', 'is anyone there?');
    const reminder = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === ts && /Reminder/.test(String(c.params.text)), 4000);
    expect(reminder.params.text).toContain('<@U0ACC1>');
    const overdue = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === ts && /overdue/.test(String(c.params.text)), 5000);
    expect(overdue.params.text).toContain('<@U0ACCLEAD>');
    const inCase = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /overdue/.test(String(c.params.text)), 5000);
    expect(inCase.params.text).toContain('Accounting');
    // Once: the agent withdraws the question next; its notices follow the overdue ones on the same
    // two threads, so a second overdue notice would have come before them.
    await h.agentSays(threadTs, 'U0AGENT1', '!cancel');
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === ts && /no answer needed/.test(String(c.params.text)));
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /cancelled by/.test(String(c.params.text)));
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === ts && /overdue/.test(String(c.params.text)))).toHaveLength(1);
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === threadTs && /overdue/.test(String(c.params.text)))).toHaveLength(1);
  });

  it('lets the department ask for more time and say "not ours", and the agent cancel', async () => {
    const { threadTs } = await h.openCase(newClient(), 'three asks');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask dev is checkout broken?');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask marketing what was the promo?');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask acc in 1h check the charge');
    const dev = await question('C0DEV', 'is checkout broken?');
    const mkt = await question('C0MKT', 'what was the promo?');
    await question('C0ACC', 'check the charge');
    const askIdOf = (call: typeof dev.call) => Number(/Q(\d+)/.exec(String(call.params.text))?.[1]);

    const view = (callbackId: string, askId: number, values: Record<string, string>) => ({
      type: 'view_submission',
      team: { id: 'T0TEAM' },
      user: { id: 'U0DEV1', name: 'dmitry' },
      view: {
        id: `V${askId}${callbackId.length}`,
        hash: 'h1',
        callback_id: callbackId,
        private_metadata: String(askId),
        state: { values: Object.fromEntries(Object.entries(values).map(([block, value]) => [block, { value: { type: 'plain_text_input', value } }])) },
      },
    });
    const extended = await sendSlackInteraction(h.url, signingSecret, view('ask_extend_modal', askIdOf(dev.call), { duration: '3h', reason: 'need logs from the weekend' }));
    expect(extended.status).toBe(200);
    const extendNotice = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('needs more time'));
    expect(extendNotice.params.text).toContain('need logs from the weekend');
    expect(extendNotice.params.text).toContain('in 3h');

    const badDuration = await sendSlackInteraction(h.url, signingSecret, view('ask_extend_modal', askIdOf(dev.call), { duration: 'tomorrow', reason: 'x' }));
    expect(badDuration.body).toContain('errors');

    await sendSlackInteraction(h.url, signingSecret, view('ask_decline_modal', askIdOf(mkt.call), { reason: 'prices are set by sales' }));
    const declined = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('not theirs'));
    expect(declined.params.text).toContain('prices are set by sales');

    await h.agentSays(threadTs, 'U0AGENT1', '!cancel acc');
    const cancelled = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('cancelled by <@U0AGENT1>'));
    expect(cancelled.params.text).toContain('Accounting');
    await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === 'C0ACC' && /no answer needed/.test(String(c.params.text)));
  });

  it('escalates a second time to the support lead when configured', async () => {
    const { threadTs } = await h.openCase(newClient(), 'ops problem');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask ops is the warehouse open?');
    const { ts } = await question('C0OPS', 'is the warehouse open?');
    const again = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === ts && /still unanswered/.test(String(c.params.text)), 6000);
    expect(again.params.text).toContain('<@U0LEAD>');
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /support lead was told/.test(String(c.params.text)));
  });

  it('asks from the card: the button opens a modal whose submission creates the question', async () => {
    const { caseId, card } = await h.openCase(newClient(), 'card ask');
    expect(JSON.stringify(card.params.blocks)).toContain('"action_id":"case_ask"');
    const trigger = newTriggerId();
    await sendSlackInteraction(h.url, signingSecret, {
      type: 'block_actions',
      team: { id: 'T0TEAM' },
      user: { id: 'U0AGENT1', name: 'anna' },
      trigger_id: trigger,
      container: { type: 'message', channel_id: 'C0SUPPORT', message_ts: '1.1' },
      actions: [{ type: 'button', action_id: 'case_ask', block_id: `case-${caseId}`, value: String(caseId), action_ts: '1.2' }],
    });
    const opened = await h.slack.waitFor('views.open', (c) => c.params.trigger_id === trigger);
    expect(JSON.stringify(opened.params.view)).toContain('Marketing');
    await sendSlackInteraction(h.url, signingSecret, {
      type: 'view_submission',
      team: { id: 'T0TEAM' },
      user: { id: 'U0AGENT1', name: 'anna' },
      view: {
        id: 'VCARDASK1',
        hash: 'h',
        callback_id: 'case_ask_modal',
        private_metadata: String(caseId),
        state: {
          values: {
            department: { value: { type: 'static_select', selected_option: { value: 'marketing' } } },
            question: { value: { type: 'plain_text_input', value: 'what did the banner promise?' } },
            duration: { value: { type: 'plain_text_input', value: '45m' } },
          },
        },
      },
    });
    const { call } = await question('C0MKT', 'what did the banner promise?');
    expect(call.params.text).toContain(`#${caseId}`);
    expect(call.params.text).toContain('in 45m');
  });

  it('alerts the case thread when the client waits too long for a first reply', async () => {
    const { threadTs } = await h.openCase(newClient(), 'hello? anyone?');
    const alert = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /waiting/.test(String(c.params.text)), 5000);
    expect(alert.params.text).toContain('first reply');
  });
});

describe('deadlines across a restart with Redis emptied', () => {
  it('rebuilds pending deadlines from SQLite and fires each notice once', async () => {
    const local = await startHarness({ departments });
    const { threadTs } = await local.openCase(newClient(), 'restart me');
    await local.agentSays(threadTs, 'U0AGENT1', '!ask acc in 4s restart question');
    await eventually(() => local.slack.callsTo('chat.postMessage').some((c) => c.params.channel === 'C0ACC' && String(c.params.text).includes('restart question')));
    await local.stop();
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${local.config.queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    expect(((await local.db.get("select count(*) as n from asks where status = 'open'")) as { n: number }).n).toBe(1);

    const again = await startHarness({ departments, dataDir: local.dataDir, slack: local.slack, telegram: local.telegram, env: { QUEUE_PREFIX: local.config.queuePrefix } });
    try {
      await again.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /overdue/.test(String(c.params.text)), 8000);
      // A later post in the same thread: a second overdue notice would have come before it.
      await again.agentSays(threadTs, 'U0AGENT1', '!cancel');
      await again.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /cancelled by/.test(String(c.params.text)));
      expect(again.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === threadTs && /overdue/.test(String(c.params.text)))).toHaveLength(1);
    } finally {
      await again.stop(true);
    }
  }, 30_000);
});

describe('the case thread', () => {
  it('ignores department-channel messages that are not in an ask thread', async () => {
    // Slack hears back only once what the event wrote is committed: nothing was queued, so nothing can be posted.
    const rows = async () => ((await h.db.get('select count(*) as n from outbox')) as { n: number }).n;
    const before = await rows();
    const { status } = await h.agentSays('1234.5678', 'U0ACC1', 'random chatter', 'C0ACC');
    expect(status).toBe(200);
    expect(await rows()).toBe(before);
  });
});

describe('closing a case with open questions', () => {
  it('settles each: its department thread is told, its deadline jobs are gone, the close says so, and no notice follows', async () => {
    const { caseId, threadTs } = await h.openCase(newClient(), 'two things to check');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask marketing in 1h was the promo 10%?');
    const promo = await question('C0MKT', 'was the promo 10%?');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask ops in 1h is the courier late?');
    const ops = await question('C0OPS', 'is the courier late?');
    const askIds = [promo, ops].map((q) => Number(/Q(\d+)/.exec(String(q.call.params.text))?.[1]));

    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const jobsOf = async () => (await connection.keys(`${h.config.queuePrefix}:deadlines:ask-*`)).filter((k) => askIds.some((id) => k.includes(`:ask-${id}-`)));
    // Both questions' due jobs are waiting in Redis before the close...
    await eventually(async () => (await jobsOf()).length >= 2, 5000, 'the deadline jobs scheduled');

    await h.agentSays(threadTs, 'U0AGENT1', '!close sorted out by phone');
    const closed = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Case closed'));
    expect(closed.params.text).toContain(`Q${askIds[0]}, Q${askIds[1]}`);
    for (const [channel, q, askId] of [['C0MKT', promo, askIds[0]], ['C0OPS', ops, askIds[1]]] as const) {
      const told = await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts === q.ts && String(c.params.text).includes(`closed case #${caseId}`));
      expect(told.params.text).toContain(`Q${askId} needs no answer`);
    }

    // ...and after it nothing is left to fire: every reminder, overdue and escalation job was removed
    // (a job that still fired would find the question settled: its once-only claim needs it open).
    try {
      await eventually(async () => (await jobsOf()).length === 0, 5000, 'the deadline jobs removed');
    } finally {
      await connection.quit();
    }
    const rows = await h.db.all(`select status, closed_reason as reason from asks where id in (${askIds.join(',')}) order by id`);
    expect(rows).toEqual([
      { status: 'cancelled', reason: 'case closed' },
      { status: 'cancelled', reason: 'case closed' },
    ]);
  });
});

describe('a question once settled', () => {
  const askIdOf = (text: unknown) => Number(/Q(\d+)/.exec(String(text))?.[1]);
  const press = (actionId: string, askId: number, channel: string, messageTs: string, trigger = newTriggerId()) =>
    sendSlackInteraction(h.url, signingSecret, {
      type: 'block_actions',
      team: { id: 'T0TEAM' },
      user: { id: 'U0ACC1', name: 'olga' },
      trigger_id: trigger,
      channel: { id: channel, name: 'dept' },
      container: { type: 'message', channel_id: channel, message_ts: messageTs },
      actions: [{ type: 'button', action_id: actionId, block_id: `ask-${askId}`, value: String(askId), action_ts: `${Date.now() / 1000}` }],
    });
  // chat.update shares Slack's budget (about 50 a minute) with every card update of this suite: it may wait its turn.
  const updateWait = 20_000;
  const buttonsOf = (call: { params: Record<string, unknown> }) => JSON.stringify(call.params.blocks ?? '').match(/"type":"button"/g)?.length ?? 0;

  it('says "every question is settled" once, after the answer, never after an overdue notice', async () => {
    const { threadTs } = await h.openCase(newClient(), 'nobody answers in time');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask ops in 1s is the parcel lost?');
    const { ts } = await question('C0OPS', 'is the parcel lost?');
    const overdue = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /is overdue/.test(String(c.params.text)), 6000);
    expect(overdue.params.text).not.toContain('settled');
    await h.agentSays(ts, 'U0OPS1', 'Found it, it ships today.', 'C0OPS');
    const answer = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('ships today'));
    expect(answer.params.text).toContain('Every department question of this case is settled');
    // A follow-up from the department comes later in the same thread: by then the prompt was said once.
    await h.agentSays(ts, 'U0OPS1', 'PS: tracking number follows.', 'C0OPS');
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('tracking number follows'));
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === threadTs && String(c.params.text).includes('is settled'))).toHaveLength(1);
  });

  it("loses its buttons in the department channel and in the case thread, and a stale button or form says it is no longer open", async () => {
    const { threadTs } = await h.openCase(newClient(), 'refund status');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask acc in 1h was the refund sent?');
    const asked = await question('C0ACC', 'was the refund sent?');
    const askId = askIdOf(asked.call.params.text);
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes(`Asked Q${askId}`));
    const confirmationTs = h.slack.messages('C0SUPPORT').find((m) => m.thread_ts === threadTs && String(m.text).includes(`Asked Q${askId}`))?.ts;

    await h.agentSays(asked.ts, 'U0ACC1', 'Sent on Monday.', 'C0ACC');
    const question_ = await h.slack.waitFor('chat.update', (c) => c.params.channel === 'C0ACC' && c.params.ts === asked.ts, updateWait);
    expect(question_.params.text).toContain('*Answered* by');
    expect(question_.params.text).toContain('was the refund sent?');
    expect(buttonsOf(question_)).toBe(0);
    const confirmation = await h.slack.waitFor('chat.update', (c) => c.params.channel === 'C0SUPPORT' && c.params.ts === confirmationTs, updateWait);
    expect(confirmation.params.text).toContain(`Asked Q${askId} to *Accounting*: answered by`);
    expect(buttonsOf(confirmation)).toBe(0);

    // "Need more time" pressed on the answered question: no form, a private answer.
    const trigger = newTriggerId();
    await press('ask_extend', askId, 'C0ACC', asked.ts, trigger);
    const refused = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0ACC1' && String(c.params.text).includes(`Q${askId} is no longer open`));
    expect(refused.params.channel).toBe('C0ACC');
    expect(h.slack.callsTo('views.open').filter((c) => c.params.trigger_id === trigger)).toHaveLength(0);

    // A "Not ours" form opened while it was open and sent after: answered where it was opened.
    await sendSlackInteraction(h.url, signingSecret, {
      type: 'view_submission',
      team: { id: 'T0TEAM' },
      user: { id: 'U0ACC2', name: 'pavel' },
      view: { id: `VLATE${askId}`, hash: 'h1', callback_id: 'ask_decline_modal', private_metadata: JSON.stringify({ askId, channel: 'C0ACC' }), state: { values: { reason: { value: { type: 'plain_text_input', value: 'too late' } } } } },
    });
    const late = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0ACC2' && String(c.params.text).includes(`Q${askId} is no longer open`));
    expect(late.params.channel).toBe('C0ACC');
    }, 60_000);

  it('opens the form from a button of an open question, remembering where it was pressed', async () => {
    const { threadTs } = await h.openCase(newClient(), 'need more time');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask dev in 1h is the API down?');
    const asked = await question('C0DEV', 'is the API down?');
    const trigger = newTriggerId();
    await press('ask_extend', askIdOf(asked.call.params.text), 'C0DEV', asked.ts, trigger);
    const opened = await h.slack.waitFor('views.open', (c) => c.params.trigger_id === trigger);
    const view = (typeof opened.params.view === 'string' ? JSON.parse(opened.params.view) : opened.params.view) as { private_metadata: string };
    expect(JSON.parse(view.private_metadata)).toEqual({ askId: askIdOf(asked.call.params.text), channel: 'C0DEV' });
  });

  it('loses its buttons when cancelled or settled by !close', async () => {
    const { caseId, threadTs } = await h.openCase(newClient(), 'two to settle');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask marketing in 1h which banner?');
    const banner = await question('C0MKT', 'which banner?');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask dev in 1h which build?');
    const build = await question('C0DEV', 'which build?');
    await h.agentSays(threadTs, 'U0AGENT1', `!cancel ${askIdOf(banner.call.params.text)}`);
    const cancelled = await h.slack.waitFor('chat.update', (c) => c.params.channel === 'C0MKT' && c.params.ts === banner.ts, updateWait);
    expect(cancelled.params.text).toContain('*Cancelled*');
    expect(buttonsOf(cancelled)).toBe(0);
    await h.agentSays(threadTs, 'U0AGENT1', '!close');
    const closed = await h.slack.waitFor('chat.update', (c) => c.params.channel === 'C0DEV' && c.params.ts === build.ts, updateWait);
    expect(closed.params.text).toContain(`*Case #${caseId} closed*`);
    expect(buttonsOf(closed)).toBe(0);
    await h.slack.waitFor('chat.update', (c) => c.params.channel === 'C0SUPPORT' && String(c.params.text).includes(`Asked Q${askIdOf(build.call.params.text)} to *Development*: settled by the close`), updateWait);
    }, 60_000);
});

describe('deadlines under a minute', () => {
  it('are shown to the second', async () => {
    const { threadTs } = await h.openCase(newClient(), 'quick one');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask dev in 45s is the login page up?');
    const { call } = await question('C0DEV', 'is the login page up?');
    expect(call.params.text).toContain('in 45s');
    const confirmation = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Asked Q'));
    expect(confirmation.params.text).toContain('in 45s');
  });
});

describe('!ask with "in" not followed by a duration', () => {
  it('is refused with how to ask a question that starts with "in", and nothing is sent', async () => {
    const { threadTs } = await h.openCase(newClient(), 'banana');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask accounting in banana terms, what is owed?');
    const answer = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0AGENT1' && String(c.params.text).includes('"banana" is not a duration'));
    expect(answer.params.text).toContain('`!ask accounting in 3s in banana…`');
    // The question with its deadline first goes out; by then the refused one would have been confirmed before it.
    await h.agentSays(threadTs, 'U0AGENT1', '!ask accounting in 1h in banana terms, what is owed?');
    const { call } = await question('C0ACC', 'in banana terms, what is owed?');
    expect(call.params.text).toContain('in 1h');
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Asked Q'));
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Asked Q'))).toHaveLength(1);
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === 'C0ACC' && String(c.params.text).includes('banana terms'))).toHaveLength(1);
  });

  it('is refused in the "Ask a department" form too', async () => {
    const { caseId } = await h.openCase(newClient(), 'form banana');
    const answer = await sendSlackInteraction(h.url, signingSecret, {
      type: 'view_submission',
      team: { id: 'T0TEAM' },
      user: { id: 'U0AGENT1', name: 'anna' },
      view: {
        id: 'VBANANA1',
        hash: 'h',
        callback_id: 'case_ask_modal',
        private_metadata: String(caseId),
        state: {
          values: {
            department: { value: { type: 'static_select', selected_option: { value: 'accounting' } } },
            question: { value: { type: 'plain_text_input', value: 'in banana terms?' } },
            duration: { value: { type: 'plain_text_input', value: 'banana' } },
          },
        },
      },
    });
    expect(JSON.parse(answer.body)).toMatchObject({ response_action: 'errors', errors: { duration: expect.any(String) } });
  });
});
