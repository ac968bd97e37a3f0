import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackQueryUpdate, commandUpdate, photoUpdate, textUpdate, type TelegramCall, type TgUser, type Update } from '../fakes/fake-telegram.js';
import type { SlackCall } from '../fakes/fake-slack.js';
import { eventually, startHarness, supportChannel, type Harness } from './harness.js';
import { describeEvent } from '../../src/history/render-history.js';
import type { CaseEvent } from '../../src/ports.js';

let h: Harness;
let nextUserId = 9100;
const newClient = (language_code: string): TgUser => ({ id: nextUserId++, first_name: 'Client', last_name: `N${nextUserId}`, language_code });

beforeAll(async () => {
  h = await startHarness({ env: { SLACK_AGENTS: 'U0AGENT1,U0AGENT2' } });
});
afterAll(async () => {
  await h.stop(true);
});

/** The case's history as stored. */
async function history(caseId: number): Promise<CaseEvent[]> {
  const rows = await h.db.all<Record<string, unknown>>('select * from case_events where case_id = ? order by id', caseId);
  return rows.map((r) => ({
    id: r.id as number,
    caseId: r.case_id as number,
    at: r.at as number,
    kind: r.kind as CaseEvent['kind'],
    authorKind: r.author_kind as CaseEvent['authorKind'],
    authorId: r.author_id as string | null,
    authorName: r.author_name as string | null,
    text: r.text as string | null,
    data: r.data === null ? null : (JSON.parse(r.data as string) as Record<string, unknown>),
  }));
}

/** The client's case numbers, oldest first. */
const casesOf = async (client: TgUser) =>
  (await h.db.all<{ id: number }>('select cases.id from cases join clients on clients.id = cases.client_id where clients.telegram_chat_id = ? order by cases.id', client.id)).map((r) => r.id);

const threadOf = async (caseId: number) => (await h.db.get<{ ts: string | null }>('select slack_thread_ts as ts from cases where id = ?', caseId))?.ts ?? undefined;

/** Moves the case's rating and invitation `ms` into the past, as if that much time had gone by. */
async function ageRating(caseId: number, ms: number): Promise<void> {
  await h.db.run("update case_events set at = at - ? where case_id = ? and kind in ('rated', 'rating-comment-invited')", ms, caseId);
}

/** Everything Repka stored or queued so far: a refused press must not change it. */
const footprint = async () => {
  const counts = await h.db.get<{ events: number; outbox: number }>('select (select count(*) from case_events) as events, (select count(*) from outbox) as outbox');
  const cases = await h.db.all<{ id: number; status: string }>('select id, status from cases order by id');
  return { ...counts, cases: cases.map((c) => `${c.id}${c.status}`).join(',') };
};

const threadPosts = (threadTs: string) => h.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === threadTs);
const cards = () => h.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === supportChannel && c.params.thread_ts === undefined);

/** Opens a case for `client`, lets `agent` close it and waits for the rating request. */
async function closedCase(client: TgUser, agent = 'U0AGENT1', before?: (threadTs: string) => Promise<void>) {
  const opened = await h.openCase(client, 'my parcel is late');
  await before?.(opened.threadTs);
  await h.agentSays(opened.threadTs, agent, '!close delivered');
  const request = await waitForRatingRequest(client, opened.caseId);
  return { ...opened, request };
}

async function waitForRatingRequest(client: TgUser, caseId: number) {
  const call = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && JSON.stringify(c.params.reply_markup ?? {}).includes(`rate:${caseId}:`));
  const sent = h.telegram.sentTo(client.id).find((m) => m.text === call.params.text && m.reply_markup !== undefined);
  if (sent === undefined) throw new Error('rating request not stored by the fake');
  return { call, messageId: sent.message_id };
}

/** Delivers a callback query update; resolves with its private answer (answerCallbackQuery). */
async function answerTo(update: Update): Promise<TelegramCall> {
  const answer = await h.sendUpdate(update);
  expect(answer.status).toBe(200);
  return h.telegram.waitFor('answerCallbackQuery', (c) => c.params.callback_query_id === update.callback_query.id);
}

/** `from` presses a button with `data` under message `messageId` in chat `chatId` (default: their own). */
const press = (from: TgUser, data: string, messageId: number, chatId = from.id) => answerTo(callbackQueryUpdate(from, data, { message_id: messageId, chat_id: chatId }));

/** A text message replying to the bot's message `messageId`. */
function replyTo(from: TgUser, messageId: number, text: string): Update {
  const update = textUpdate(from, text);
  update.message.reply_to_message = { message_id: messageId, from: { id: 777000111, is_bot: true, first_name: 'Repka' }, chat: update.message.chat, date: update.message.date, text: '…' };
  return update;
}

async function waitForInvitation(client: TgUser, caseId: number) {
  const call = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && c.params.reply_markup?.force_reply === true);
  // Replies are recognized once the sent message_id is recorded, right after Telegram answered.
  const recorded = await eventually(async () => (await history(caseId)).find((e) => e.kind === 'rating-comment-invited'), 5000, 'the invitation recorded');
  return { call, messageId: recorded.data?.messageId as number };
}

describe('rating a closed case', () => {
  it('asks a Russian-speaking client in Russian with five buttons, after the "closed" message', async () => {
    const client = newClient('ru');
    const { caseId, request } = await closedCase(client);
    const texts = h.telegram.callsTo('sendMessage').filter((c) => c.params.chat_id === client.id).map((c) => String(c.params.text));
    const closedIndex = texts.findIndex((t) => t.includes(`#${caseId}`) && t.includes('закрыто'));
    expect(closedIndex).toBeGreaterThanOrEqual(0);
    expect(texts.indexOf(String(request.call.params.text))).toBeGreaterThan(closedIndex);
    expect(request.call.params.text).toContain(`#${caseId}`);
    expect(request.call.params.text).toContain('Оцените');
    const buttons = request.call.params.reply_markup.inline_keyboard.flat() as { text: string; callback_data: string }[];
    expect(buttons.map((b) => b.callback_data)).toEqual([1, 2, 3, 4, 5].map((s) => `rate:${caseId}:${s}`));
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
  });

  it('asks an English-speaking client in English', async () => {
    const client = newClient('en-US');
    const { caseId, request } = await closedCase(client);
    expect(request.call.params.text).toContain(`How did we do with case #${caseId}?`);
    expect(request.call.params.reply_markup.inline_keyboard.flat()).toHaveLength(5);
  });

  it('stores a press, thanks the client, shows the score instead of the buttons, posts it and invites a comment', async () => {
    const client = newClient('ru');
    const { caseId, threadTs, request } = await closedCase(client);
    const answer = await press(client, `rate:${caseId}:4`, request.messageId);
    expect(answer.params.text).toBe('Спасибо за оценку!');

    const rated = (await history(caseId)).filter((e) => e.kind === 'rated');
    expect(rated).toHaveLength(1);
    expect(rated[0]?.data).toEqual({ score: 4 });
    expect(rated[0]?.authorKind).toBe('client');
    expect(describeEvent(rated[0] as CaseEvent)).toContain('★★★★☆ (4/5)');

    const edit = await h.telegram.waitFor('editMessageText', (c) => c.params.chat_id === client.id && Number(c.params.message_id) === request.messageId);
    expect(edit.params.text).toContain('★★★★☆');
    expect(edit.params.text).toContain(`#${caseId}`);
    expect(h.telegram.sentTo(client.id).find((m) => m.message_id === request.messageId)?.reply_markup).toBeUndefined();

    const post = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('★★★★☆ (4/5)'));
    expect(post.params.text).toContain('rated this case');
    expect(post.params.text).not.toContain('<@');

    const invitation = await waitForInvitation(client, caseId);
    expect(invitation.call.params.text).toContain(`#${caseId}`);
    expect(invitation.call.params.text).toContain('Ответьте на это сообщение');
    expect(invitation.call.params.reply_markup.input_field_placeholder).toBe('Ваш комментарий');
  });

  it('a low rating mentions the assignee', async () => {
    const client = newClient('en');
    const { caseId, threadTs, request } = await closedCase(client, 'U0AGENT1', async (ts) => {
      await h.agentSays(ts, 'U0AGENT1', '!assign <@U0AGENT2>');
    });
    await press(client, `rate:${caseId}:2`, request.messageId);
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('(2/5)'));
    expect(post.params.text).toContain('★★☆☆☆');
    expect(post.params.text).toContain('<@U0AGENT2>');
    expect(post.params.text).not.toContain('<@U0AGENT1>');
  });

  it('a low rating of an unassigned case mentions the agent who closed it', async () => {
    const client = newClient('en');
    const { caseId, threadTs, request } = await closedCase(client, 'U0AGENT2');
    await press(client, `rate:${caseId}:1`, request.messageId);
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('(1/5)'));
    expect(post.params.text).toContain('<@U0AGENT2>');
  });

  it('a reply to the invitation is the rating comment and opens no case; other messages behave as before', async () => {
    const client = newClient('en');
    const { caseId, threadTs, request } = await closedCase(client);
    await press(client, `rate:${caseId}:5`, request.messageId);
    const invitation = await waitForInvitation(client, caseId);
    const cardsBefore = cards().length;

    expect((await h.sendUpdate(replyTo(client, invitation.messageId, 'Fast & friendly <3'))).status).toBe(200);
    const comments = (await history(caseId)).filter((e) => e.kind === 'rating-comment');
    expect(comments.map((e) => e.text)).toEqual(['Fast & friendly <3']);
    expect(describeEvent(comments[0] as CaseEvent)).toContain('Fast & friendly <3');
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('comment'));
    expect(post.params.text).toContain('Fast &amp; friendly &lt;3');
    expect(post.params.text).toContain('(5/5)');
    const thanks = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('Your comment'));
    expect(thanks.params.text).toContain(`#${caseId}`);

    // A reply to another message of the bot, and a plain message, open a new case as before.
    const next = await h.sendUpdate(replyTo(client, request.messageId, 'one more problem'));
    expect(next.status).toBe(200);
    const card = await h.slack.waitForCount('chat.postMessage', cardsBefore + 1, (c) => c.params.channel === supportChannel && c.params.thread_ts === undefined);
    expect(String((card.at(-1) as SlackCall).params.text)).toContain('one more problem');
    expect((await history(caseId)).filter((e) => e.kind === 'rating-comment')).toHaveLength(1);
  });

  it('a plain message right after the rating is the comment: the client is told how to open a case instead; a second line joins it', async () => {
    const client = newClient('en');
    const { caseId, threadTs, request } = await closedCase(client);
    await press(client, `rate:${caseId}:4`, request.messageId);
    await waitForInvitation(client, caseId);
    const casesBefore = await casesOf(client);

    // What Telegram sends when the client just types: no reply_to_message.
    const first = textUpdate(client, 'Quick and polite.');
    expect(first.message.reply_to_message).toBeUndefined();
    expect((await h.sendUpdate(first)).status).toBe(200);
    const told = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('/new'));
    expect(told.params.text).toBe(`Thank you! We passed this to the team as your comment on case #${caseId}. If it is a new question, send /new and then write it again.`);
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Quick and polite.'));

    expect((await h.sendUpdate(textUpdate(client, 'Thanks, Anna!'))).status).toBe(200);
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Thanks, Anna!'));

    // A later event in the same chat: /new opens a case and is acknowledged; by then both lines were handled.
    expect((await h.sendUpdate(commandUpdate(client, '/new'))).status).toBe(200);
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('Describe your question'));
    expect((await history(caseId)).filter((e) => e.kind === 'rating-comment').map((e) => e.text)).toEqual(['Quick and polite.', 'Thanks, Anna!']);
    expect(await casesOf(client)).toHaveLength(casesBefore.length + 1);
    expect(h.telegram.callsTo('sendMessage').filter((c) => c.params.chat_id === client.id && String(c.params.text).includes('/new'))).toHaveLength(1);
    expect(cards().filter((c) => /Quick and polite|Thanks, Anna/.test(JSON.stringify(c.params)))).toEqual([]);
  });

  it('after the window, or as a photo, a message opens a case as always', async () => {
    const client = newClient('en');
    const { caseId, request } = await closedCase(client);
    await press(client, `rate:${caseId}:5`, request.messageId);
    await waitForInvitation(client, caseId);

    // A photo with a caption is a new problem shown, not a comment: it opens a case.
    const cardsBefore = cards().length;
    expect((await h.sendUpdate(photoUpdate(client, 'rating-photo-1', 'and this error now'))).status).toBe(200);
    await h.slack.waitForCount('chat.postMessage', cardsBefore + 1, (c) => c.params.channel === supportChannel && c.params.thread_ts === undefined);
    const photoCase = (await casesOf(client)).at(-1) as number;
    expect(photoCase).not.toBe(caseId);
    await h.agentSays((await eventually(() => threadOf(photoCase), 5000, 'the photo case thread')) as string, 'U0AGENT1', '!close');
    const second = await waitForRatingRequest(client, photoCase);
    await press(client, `rate:${photoCase}:5`, second.messageId);
    await eventually(async () => (await history(photoCase)).find((e) => e.kind === 'rating-comment-invited'), 5000, 'the second invitation recorded');

    // The harness runs on the real clock: the rating and its invitation are made 11 minutes old instead of waiting.
    await ageRating(photoCase, 11 * 60_000);
    const late = await h.openCase(client, 'another thing entirely');
    expect(late.caseId).toBeGreaterThan(photoCase);
    expect((await history(photoCase)).filter((e) => e.kind === 'rating-comment')).toEqual([]);
  });

  it('a case closed again after a reopen can be rated again', async () => {
    const client = newClient('en');
    const { caseId, threadTs, request } = await closedCase(client);
    await press(client, `rate:${caseId}:3`, request.messageId);
    await h.agentSays(threadTs, 'U0AGENT1', '!reopen');
    await eventually(async () => (await history(caseId)).some((e) => e.kind === 'reopened'));
    await h.agentSays(threadTs, 'U0AGENT1', '!close');
    await h.telegram.waitForCount('sendMessage', 2, (c) => c.params.chat_id === client.id && JSON.stringify(c.params.reply_markup ?? {}).includes(`rate:${caseId}:`));
    const second = h.telegram.sentTo(client.id).filter((m) => JSON.stringify(m.reply_markup ?? {}).includes('rate:')).at(-1);
    const answer = await press(client, `rate:${caseId}:5`, second?.message_id as number);
    expect(answer.params.text).toBe('Thank you for your rating!');
    expect((await history(caseId)).filter((e) => e.kind === 'rated').map((e) => e.data?.score)).toEqual([3, 5]);
  });
});

describe('bad rating input: a clear private answer, nothing changed', () => {
  it('a second press is answered "already rated"', async () => {
    const client = newClient('en');
    const { caseId, threadTs, request } = await closedCase(client);
    await press(client, `rate:${caseId}:4`, request.messageId);
    await waitForInvitation(client, caseId);
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('(4/5)'));
    const before = await footprint();
    const answer = await press(client, `rate:${caseId}:1`, request.messageId);
    expect(answer.params.text).toBe('You have already rated this case.');
    expect(await footprint()).toEqual(before);
    expect((await history(caseId)).filter((e) => e.kind === 'rated').map((e) => e.data?.score)).toEqual([4]);
    expect(threadPosts(threadTs).filter((c) => String(c.params.text).includes('rated this case'))).toHaveLength(1);
  });

  it('the same update delivered twice is stored once', async () => {
    const client = newClient('en');
    const { caseId, request } = await closedCase(client);
    const update = callbackQueryUpdate(client, `rate:${caseId}:5`, { message_id: request.messageId, chat_id: client.id });
    await answerTo(update);
    expect((await h.sendUpdate(update)).status).toBe(200);
    expect((await history(caseId)).filter((e) => e.kind === 'rated')).toHaveLength(1);
  });

  it("a press for another client's case is refused", async () => {
    const owner = newClient('en');
    const stranger = newClient('ru');
    await h.openCase(stranger, 'hello');
    const { caseId, request } = await closedCase(owner);
    const before = await footprint();
    const answer = await press(stranger, `rate:${caseId}:1`, request.messageId, stranger.id);
    expect(answer.params.text).toBe('Это обращение из другого чата, поэтому оценить его отсюда нельзя.');
    expect(await footprint()).toEqual(before);
  });

  it('a press for a case that does not exist is refused', async () => {
    const client = newClient('en');
    await h.openCase(client, 'hello');
    const before = await footprint();
    const answer = await press(client, 'rate:987654:3', 1);
    expect(answer.params.text).toBe('This case does not exist, so it cannot be rated.');
    expect(await footprint()).toEqual(before);
  });

  it('a press for a case that is open again is refused', async () => {
    const client = newClient('uk');
    const { caseId, threadTs, request } = await closedCase(client);
    await h.agentSays(threadTs, 'U0AGENT1', '!reopen');
    await eventually(async () => (await history(caseId)).some((e) => e.kind === 'reopened'));
    const before = await footprint();
    const answer = await press(client, `rate:${caseId}:5`, request.messageId);
    expect(answer.params.text).toBe('Це звернення знову відкрите: оцінити його можна буде після закриття.');
    expect(await footprint()).toEqual(before);
  });

  it('malformed callback data is answered and ignored', async () => {
    const client = newClient('en');
    const { caseId, request } = await closedCase(client);
    const before = await footprint();
    for (const data of ['rate:', `rate:${caseId}`, `rate:${caseId}:0`, `rate:${caseId}:6`, `rate:${caseId}:4.5`, `rate:x:4`, `rate:${caseId}:4:extra`, `rate:-${caseId}:4`]) {
      const answer = await press(client, data, request.messageId);
      expect(answer.params.text, data).toBe('This button no longer works. Nothing was changed.');
    }
    expect(await footprint()).toEqual(before);
  });
});
