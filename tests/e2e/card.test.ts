import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTriggerId, sendSlackInteraction, type StoredMessage } from '../fakes/fake-slack.js';
import { callbackQueryUpdate, type TgUser } from '../fakes/fake-telegram.js';
import { eventually, signingSecret, startHarness, supportChannel, type Harness } from './harness.js';

const departments = {
  clientFirstReplyWithin: '1h',
  departments: [
    { id: 'accounting', name: 'Accounting', aliases: ['acc'], slackChannel: 'C0ACC', replyWithin: '1h' },
    { id: 'ops', name: 'Operations', slackChannel: 'C0OPS', replyWithin: '2s' },
  ],
};

let h: Harness;
let nextUserId = 9300;
const newClient = (language_code = 'en'): TgUser => ({ id: nextUserId++, first_name: 'Maria', last_name: `K${nextUserId}`, language_code });

beforeAll(async () => {
  // Anna and Boris are agents; Dmitry is not. Slack limits off: card updates are not paced here.
  h = await startHarness({ departments, env: { SLACK_AGENTS: 'U0AGENT1,U0AGENT2', SLACK_CHANNEL_POSTS_PER_SECOND: '0' } });
  h.slack.addUser({ id: 'U0ACC1', name: 'olga', real_name: 'Olga', display_name: 'Olga' });
});
afterAll(async () => {
  await h.stop(true);
});

/** The case card as the support channel shows it now (the fake applies chat.update to it). */
interface Card {
  readonly header: string;
  /** "Client", "Language", "Assignee", "Status", "Rating" → value. */
  readonly fields: Record<string, string>;
  readonly quote: string;
  /** The "Questions to departments" section, '' when there is none. */
  readonly questions: string;
  readonly context: string;
  /** Action ids of the buttons, in order. */
  readonly buttons: string[];
  readonly text: string;
}

type Block = { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text?: string | { text: string }; action_id?: string }[] };

function readCard(message: StoredMessage): Card {
  const blocks = (message.blocks ?? []) as Block[];
  const fields: Record<string, string> = {};
  for (const f of blocks.find((b) => b.fields !== undefined)?.fields ?? []) {
    const [, name, value] = /^\*([^*]+)\*\n([\s\S]*)$/.exec(f.text) ?? [];
    if (name !== undefined) fields[name] = value ?? '';
  }
  const sections = blocks.filter((b) => b.type === 'section' && b.text !== undefined).map((b) => b.text?.text ?? '');
  return {
    header: blocks.find((b) => b.type === 'header')?.text?.text ?? '',
    fields,
    quote: sections.find((s) => s.startsWith('>')) ?? '',
    questions: sections.find((s) => s.startsWith('*Questions to departments*')) ?? '',
    context: (blocks.find((b) => b.type === 'context')?.elements ?? []).map((e) => String(e.text)).join(' | '),
    buttons: (blocks.find((b) => b.type === 'actions')?.elements ?? []).map((e) => String(e.action_id)),
    text: message.text ?? '',
  };
}

const cardNow = (threadTs: string): Card => {
  const message = h.slack.messages(supportChannel).find((m) => m.ts === threadTs);
  if (message === undefined) throw new Error(`no card ${threadTs}`);
  return readCard(message);
};

/** Waits until the card satisfies `check` (updates arrive through the outbox); returns it. */
async function cardShows(threadTs: string, check: (card: Card) => boolean, what: string): Promise<Card> {
  try {
    return await eventually(() => {
      const card = cardNow(threadTs);
      return check(card) ? card : undefined;
    }, 8000, what);
  } catch (error) {
    throw new Error(`${(error as Error).message}; the card is ${JSON.stringify(cardNow(threadTs), null, 1)}`);
  }
}

const updatesOf = (threadTs: string) => h.slack.callsTo('chat.update').filter((c) => c.params.ts === threadTs);
const caseRow = async (caseId: number) => (await h.db.get('select status, assignee, client_waiting_since as waiting from cases where id = ?', caseId)) as { status: string; assignee: string | null; waiting: number | null };
const eventCount = async (caseId: number) => ((await h.db.get('select count(*) as n from case_events where case_id = ?', caseId)) as { n: number }).n;
const pendingCardUpdates = async (caseId: number) => ((await h.db.get("select count(*) as n from outbox where stream = ? and status = 'pending'", `card-${caseId}`)) as { n: number }).n;
const askOf = async (caseId: number, departmentId: string) =>
  (await h.db.get('select id, deadline_at as "deadlineAt" from asks where case_id = ? and department_id = ? order by id desc', caseId, departmentId)) as { id: number; deadlineAt: number };
/** How Slack shows an instant on the card: `<!date^<seconds>^…`. */
const slackDateOf = (epochMs: number) => `<!date^${Math.floor(epochMs / 1000)}^`;

const openButtons = ['case_reply', 'case_ask', 'case_assign_me', 'case_close'];

let clicks = 0;
/** `user` clicks a button of the case card. */
function clickCard(caseId: number, threadTs: string, actionId: string, user: string, extra: Record<string, unknown> = {}) {
  clicks += 1;
  return sendSlackInteraction(h.url, signingSecret, {
    type: 'block_actions',
    team: { id: 'T0TEAM' },
    user: { id: user, name: user.toLowerCase() },
    trigger_id: newTriggerId(),
    response_url: h.slack.responseUrl(`${actionId}-${caseId}`),
    container: { type: 'message', channel_id: supportChannel, message_ts: threadTs },
    channel: { id: supportChannel },
    message: { ts: threadTs, text: 'card' },
    actions: [{ type: 'button', action_id: actionId, block_id: `case-${caseId}`, value: String(caseId), action_ts: `1732290000.${String(clicks).padStart(6, '0')}` }],
    ...extra,
  });
}

/** The question's message in a department channel, once posted. */
async function questionIn(channel: string, text: string): Promise<string> {
  const call = await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === channel && !c.params.thread_ts && String(c.params.text).includes(text));
  return h.slack.messages(channel).find((m) => m.text === call.params.text)?.ts as string;
}

async function rateCase(client: TgUser, caseId: number, score: number): Promise<void> {
  const request = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && JSON.stringify(c.params.reply_markup ?? {}).includes(`rate:${caseId}:`));
  const sent = h.telegram.sentTo(client.id).find((m) => m.text === request.params.text && m.reply_markup !== undefined);
  const update = callbackQueryUpdate(client, `rate:${caseId}:${score}`, { message_id: sent?.message_id as number, chat_id: client.id });
  expect((await h.sendUpdate(update)).status).toBe(200);
  await h.telegram.waitFor('answerCallbackQuery', (c) => c.params.callback_query_id === update.callback_query.id);
}

describe('the case card after each kind of event', () => {
  it('a new case: open, unassigned, the client waiting, the first message, the language, and the buttons', async () => {
    const client = newClient('ru');
    const { caseId, threadTs } = await h.openCase(client, 'My order #777 never arrived <urgent>');
    const card = cardNow(threadTs);
    expect(card.header).toBe(`Case #${caseId} · Open`);
    expect(card.fields.Client).toBe(`Maria ${client.last_name}`);
    expect(card.fields.Language).toBe('Русский');
    expect(card.fields.Assignee).toBe('unassigned');
    const opened = (await h.db.get('select opened_at as at from cases where id = ?', caseId)) as { at: number };
    expect(card.fields.Status).toContain('Client waiting for us since');
    expect(card.fields.Status).toContain(slackDateOf(opened.at));
    expect(card.quote).toBe('>My order #777 never arrived &lt;urgent&gt;');
    expect(card.questions).toBe('');
    expect(card.buttons).toEqual(openButtons);
    expect(card.text).toContain(`#${caseId}`);
  });

  it('!reply ends the wait and assigns the replier; a new client message starts the wait again', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'where is my refund?');
    await h.agentSays(threadTs, 'U0AGENT1', '!reply Checking now.');
    let card = await cardShows(threadTs, (c) => !c.fields.Status?.includes('waiting'), 'the wait to end');
    expect(card.fields.Assignee).toBe('<@U0AGENT1>');
    expect(card.fields.Status).toContain('Open · replied');

    await h.clientSays(client, 'any news?');
    await eventually(async () => (await caseRow(caseId)).waiting !== null, 5000, 'the client waiting again');
    card = await cardShows(threadTs, (c) => c.fields.Status?.includes('Client waiting for us since') === true, 'the card to show the client waiting again');
    expect(card.fields.Status).toContain(slackDateOf((await caseRow(caseId)).waiting as number));
    expect(card.fields.Assignee).toBe('<@U0AGENT1>');
  });

  it('!assign shows the new assignee', async () => {
    const { threadTs } = await h.openCase(newClient(), 'assign me');
    await h.agentSays(threadTs, 'U0AGENT1', '!assign <@U0AGENT2>');
    await cardShows(threadTs, (c) => c.fields.Assignee === '<@U0AGENT2>', 'Boris assigned');
    await h.agentSays(threadTs, 'U0AGENT1', '!assign me');
    await cardShows(threadTs, (c) => c.fields.Assignee === '<@U0AGENT1>', 'Anna assigned');
  });

  it('a question shows its department and reply-by time, then who answered it', async () => {
    const { caseId, threadTs } = await h.openCase(newClient(), 'charged twice');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask acc in 2h was the card charged twice?');
    let card = await cardShows(threadTs, (c) => c.questions !== '', 'the question on the card');
    const ask = await askOf(caseId, 'accounting');
    expect(card.questions).toContain(`*Accounting* Q${ask.id}: reply by ${slackDateOf(ask.deadlineAt)}`);
    expect(card.questions).toContain(':hourglass:');
    expect(card.questions).not.toContain('overdue');

    const questionTs = await questionIn('C0ACC', 'was the card charged twice?');
    await h.agentSays(questionTs, 'U0ACC1', 'Yes, refunding the second charge.', 'C0ACC');
    card = await cardShows(threadTs, (c) => c.questions.includes('answered'), 'the answer on the card');
    expect(card.questions).toContain(`:white_check_mark: *Accounting* Q${ask.id}: answered by Olga`);
    expect(card.questions).not.toContain('(late)');
    expect(card.questions).not.toContain('reply by');
  });

  it('a question past its reply-by time is marked overdue', async () => {
    const { caseId, threadTs } = await h.openCase(newClient(), 'warehouse?');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask ops is the warehouse open today?');
    let card = await cardShows(threadTs, (c) => c.questions.includes('Operations'), 'the question on the card');
    const ask = await askOf(caseId, 'ops');
    // The overdue notice lands in the thread when the 2 s deadline passes, and the card follows.
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && /overdue/.test(String(c.params.text)), 8000);
    card = await cardShows(threadTs, (c) => c.questions.includes('overdue'), 'the question marked overdue');
    expect(card.questions).toContain(`:red_circle: *Operations* Q${ask.id}: *overdue* since ${slackDateOf(ask.deadlineAt)}`);
  });

  it('!close shows Closed with the summary and only a Reopen button; !reopen brings the buttons back', async () => {
    const { caseId, threadTs } = await h.openCase(newClient(), 'close me');
    await h.agentSays(threadTs, 'U0AGENT1', '!close refund sent <today>');
    let card = await cardShows(threadTs, (c) => c.header.endsWith('Closed'), 'the card closed');
    expect(card.header).toBe(`Case #${caseId} · Closed`);
    expect(card.fields.Status).toMatch(/^Closed <!date\^\d+\^[^>]+>: refund sent &lt;today&gt;$/);
    expect(card.buttons).toEqual(['case_reopen']);
    expect(card.text).toContain('(closed)');

    await h.agentSays(threadTs, 'U0AGENT1', '!reopen');
    card = await cardShows(threadTs, (c) => c.header.endsWith('Open'), 'the card open again');
    expect(card.buttons).toEqual(openButtons);
    expect(card.fields.Status).not.toContain('Closed');
  });

  it("the client's rating shows as stars", async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'rate me');
    await h.agentSays(threadTs, 'U0AGENT1', '!close');
    await cardShows(threadTs, (c) => c.header.endsWith('Closed'), 'the card closed');
    expect(cardNow(threadTs).fields.Rating).toBeUndefined();
    await rateCase(client, caseId, 4);
    const card = await cardShows(threadTs, (c) => c.fields.Rating !== undefined, 'the rating on the card');
    expect(card.fields.Rating).toBe('★★★★☆ (4/5)');
  });

  it('!link shows each case on the other card', async () => {
    const first = await h.openCase(newClient(), 'the app crashes');
    const second = await h.openCase(newClient(), 'the app crashes for me too');
    await h.agentSays(second.threadTs, 'U0AGENT1', `!link ${first.caseId}`);
    await cardShows(second.threadTs, (c) => c.context.includes(`linked: #${first.caseId}`), 'the link on the second card');
    await cardShows(first.threadTs, (c) => c.context.includes(`linked: #${second.caseId}`), 'the link on the first card');
  });
});

describe('the card buttons', () => {
  it('"Assign to me" assigns the person who clicked', async () => {
    const { caseId, threadTs } = await h.openCase(newClient(), 'assign by button');
    expect((await clickCard(caseId, threadTs, 'case_assign_me', 'U0AGENT2')).status).toBe(200);
    await cardShows(threadTs, (c) => c.fields.Assignee === '<@U0AGENT2>', 'Boris assigned');
    expect((await caseRow(caseId)).assignee).toBe('U0AGENT2');
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Assigned to <@U0AGENT2>'));
    expect(post.params.text).toContain('<@U0AGENT2>');
  });

  it('"Close" closes the case, tells the client and asks for a rating; "Reopen" opens it again', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'close by button');
    await clickCard(caseId, threadTs, 'case_close', 'U0AGENT1');
    await cardShows(threadTs, (c) => c.header.endsWith('Closed') && c.buttons.join() === 'case_reopen', 'the card closed');
    expect((await caseRow(caseId)).status).toBe('closed');
    const told = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && /closed/.test(String(c.params.text)));
    expect(told.params.text).toContain(`#${caseId}`);
    const request = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && JSON.stringify(c.params.reply_markup ?? {}).includes(`rate:${caseId}:`));
    expect(request.params.text).toContain(`#${caseId}`);
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Case closed by <@U0AGENT1>'));

    await clickCard(caseId, threadTs, 'case_reopen', 'U0AGENT2');
    await cardShows(threadTs, (c) => c.header.endsWith('Open') && c.buttons.join() === openButtons.join(), 'the card open again');
    expect((await caseRow(caseId)).status).toBe('open');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && /open again/.test(String(c.params.text)));
  });

  it('"Close" from someone who is not an agent is refused privately and changes nothing', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'not yours to close');
    await eventually(async () => await pendingCardUpdates(caseId) === 0);
    const events = await eventCount(caseId);
    const updates = updatesOf(threadTs).length;
    await clickCard(caseId, threadTs, 'case_close', 'U0DEV1');
    const refusal = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0DEV1' && c.params.thread_ts === threadTs);
    expect(refusal.params.text).toContain('Only support agents');
    expect(refusal.params.text).toContain('!close');
    // The click was handled before Slack got its answer: the store shows all it did.
    expect((await caseRow(caseId)).status).toBe('open');
    expect(await eventCount(caseId)).toBe(events);
    // Anna replies: the client's chat and the card each get one message after anything the click queued.
    await h.agentSays(threadTs, 'U0AGENT1', '!reply still on it');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('still on it'));
    const told = h.telegram.callsTo('sendMessage').filter((c) => c.params.chat_id === client.id).map((c) => String(c.params.text));
    expect(told).toHaveLength(2);
    expect(told.join('\n')).not.toContain('closed');
    const later = await eventually(() => updatesOf(threadTs).length > updates && updatesOf(threadTs).slice(updates), 8000, 'the card update after the reply');
    for (const update of later) expect(JSON.stringify(update.params.blocks)).not.toContain('case_reopen');
    await cardShows(threadTs, (c) => c.fields.Assignee === '<@U0AGENT1>', 'the reply on the card');
    expect(cardNow(threadTs).buttons).toEqual(openButtons);
    expect(cardNow(threadTs).header).toBe(`Case #${caseId} · Open`);
  });

  it('"Reply to client" from someone who is not an agent opens nothing and answers privately', async () => {
    const { caseId, threadTs } = await h.openCase(newClient(), 'dev wants to reply');
    await clickCard(caseId, threadTs, 'case_reply', 'U0DEV1');
    // The same refusal as for a typed `!reply`, privately in the case thread.
    const answer = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0DEV1' && c.params.thread_ts === threadTs);
    expect(answer.params.text).toContain('Only support agents can use this button (`!reply`)');
    expect(h.slack.callsTo('views.open').filter((c) => JSON.stringify(c.params.view).includes(`"private_metadata":"${caseId}"`))).toHaveLength(0);
  });

  it('"Reply to client" opens a modal whose preview shows the client\'s language, and sending it reaches the client', async () => {
    const client = newClient('ru');
    const { caseId, threadTs } = await h.openCase(client, 'Где мои деньги?');
    const trigger = newTriggerId();
    await clickCard(caseId, threadTs, 'case_reply', 'U0AGENT2', { trigger_id: trigger });
    const opened = await h.slack.waitFor('views.open', (c) => c.params.trigger_id === trigger);
    const modal = opened.params.view as { callback_id: string; private_metadata: string; submit: { text: string } };
    expect(modal.callback_id).toBe('case_reply_modal');
    expect(modal.private_metadata).toBe(String(caseId));
    expect(JSON.stringify(modal)).toContain(`Message to Maria ${client.last_name}`);
    expect(JSON.stringify(modal)).toContain('in Русский');

    // Each keystroke sends the input's value with the view; the preview follows in the client's language.
    const shown0 = h.slack.viewOpenedBy(trigger);
    if (shown0 === undefined) throw new Error('views.open was refused');
    const viewId = shown0.id;
    const typed = 'Деньги вернули сегодня.';
    const view = (hash: string, value: string) => ({
      id: viewId,
      hash,
      type: 'modal',
      callback_id: 'case_reply_modal',
      private_metadata: String(caseId),
      state: { values: { text: { reply_text: { type: 'plain_text_input', value } } } },
    });
    await sendSlackInteraction(h.url, signingSecret, {
      type: 'block_actions',
      team: { id: 'T0TEAM' },
      user: { id: 'U0AGENT2', name: 'boris' },
      container: { type: 'view', view_id: viewId },
      view: view(shown0.hash, typed),
      actions: [{ type: 'plain_text_input', block_id: 'text', action_id: 'reply_text', value: typed, action_ts: '1732280000.1' }],
    });
    const updated = await h.slack.waitFor('views.update', (c) => c.params.view_id === viewId);
    expect(updated.params.hash).toBe(shown0.hash);
    const preview = JSON.stringify(updated.params.view);
    expect(preview).toContain(`Boris, поддержка · обращение #${caseId}`);
    expect(preview).toContain(typed);
    expect(h.telegram.callsTo('sendMessage').filter((c) => String(c.params.text).includes(typed))).toHaveLength(0);

    // An empty text is refused in the modal itself.
    const empty = await sendSlackInteraction(h.url, signingSecret, { type: 'view_submission', team: { id: 'T0TEAM' }, user: { id: 'U0AGENT2', name: 'boris' }, view: view('hash-2', '   ') });
    expect(JSON.parse(empty.body)).toMatchObject({ response_action: 'errors', errors: { text: expect.any(String) } });

    const sent = await sendSlackInteraction(h.url, signingSecret, { type: 'view_submission', team: { id: 'T0TEAM' }, user: { id: 'U0AGENT2', name: 'boris' }, view: view('hash-3', typed) });
    expect(sent.status).toBe(200);
    const delivered = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes(typed));
    expect(delivered.params.text).toContain(`обращение #${caseId}`);
    const shown = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('replied to the client'));
    expect(shown.params.text).toContain('<@U0AGENT2>');
    expect(shown.params.text).toContain(typed);
    expect(shown.at).toBeGreaterThanOrEqual(delivered.at);
    const card = await cardShows(threadTs, (c) => c.fields.Assignee === '<@U0AGENT2>' && !c.fields.Status?.includes('waiting'), 'the reply on the card');
    expect(card.fields.Status).toContain('replied');
    expect(h.telegram.callsTo('sendMessage').filter((c) => String(c.params.text).includes(typed))).toHaveLength(1);
  });
});

describe('card updates are coalesced', () => {
  it('a burst of changes becomes far fewer chat.update calls, and the card ends right', async () => {
    const { caseId, threadTs } = await h.openCase(newClient(), 'busy case');
    await h.agentSays(threadTs, 'U0AGENT1', '!assign me');
    await cardShows(threadTs, (c) => c.fields.Assignee === '<@U0AGENT1>', 'Anna assigned');
    await eventually(async () => await pendingCardUpdates(caseId) === 0);
    const before = updatesOf(threadTs).length;
    const assignedBefore = ((await h.db.get("select count(*) as n from case_events where case_id = ? and kind = 'assigned'", caseId)) as { n: number }).n;

    // Slack answering slowly (as it does under load) is when updates queue up behind each other.
    h.slack.setDelay(400);
    const changes = 10;
    try {
      for (let i = 0; i < changes; i += 1) await h.agentSays(threadTs, 'U0AGENT1', `!assign <@${i % 2 === 0 ? 'U0AGENT2' : 'U0AGENT1'}>`);
      await eventually(async () => ((await h.db.get("select count(*) as n from case_events where case_id = ? and kind = 'assigned'", caseId)) as { n: number }).n === assignedBefore + changes, 5000, 'every !assign recorded');
      await eventually(async () => await pendingCardUpdates(caseId) === 0, 15_000, 'the card updates delivered');
    } finally {
      h.slack.setDelay(0);
    }
    const final = (await caseRow(caseId)).assignee as string;
    expect(cardNow(threadTs).fields.Assignee).toBe(`<@${final}>`);
    const calls = updatesOf(threadTs).length - before;
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThan(changes / 2);
    // Every change still gets its own thread post.
    const assignedPosts = () => h.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Assigned to'));
    await eventually(() => assignedPosts().length === changes + 1, 10_000, 'every assignment posted');
  }, 30_000);
});
