import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackQueryUpdate, commandUpdate, contactUpdate, documentUpdate, locationUpdate, photoUpdate, stickerUpdate, textUpdate, voiceUpdate, type TgUser } from '../fakes/fake-telegram.js';
import { eventually, startHarness, supportChannel, type Harness } from './harness.js';

let h: Harness;
let nextUserId = 7000;
/** A fresh client per test, so tests in this file do not see each other's cases. */
const newClient = (overrides: Partial<TgUser> = {}): TgUser => ({ id: nextUserId++, first_name: 'Maria', last_name: 'Ivanova', username: `maria${nextUserId}`, language_code: 'ru', ...overrides });

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop(true);
});

const threadPosts = (threadTs: string) => h.slack.messages(supportChannel).filter((m) => m.thread_ts === threadTs);

describe('a client writing to the bot', () => {
  it('opens a case: a card in the support channel with the number, name and text, and an acknowledgement with the number', async () => {
    const client = newClient();
    const { caseId, card } = await h.openCase(client, 'The site showed a 10% discount, I was charged 5% less');
    expect(caseId).toBeGreaterThan(0);
    const cardText = `${card.params.text} ${JSON.stringify(card.params.blocks)}`;
    expect(cardText).toContain(`#${caseId}`);
    expect(cardText).toContain('Maria Ivanova');
    expect(cardText).toContain('The site showed a 10% discount, I was charged 5% less');
    const ack = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id);
    expect(ack.params.text).toContain(`#${caseId}`);
    expect(ack.params.text).toMatch(/обращение/i);
  });

  it('adds later messages to the case thread, in order', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'first');
    for (const text of ['second', 'third', 'fourth']) await h.clientSays(client, text);
    const posts = await eventually(() => {
      const texts = threadPosts(threadTs).map((m) => m.text ?? '');
      return texts.join('\n').includes('fourth') && texts;
    });
    const joined = posts.join('\n');
    expect(joined.indexOf('second')).toBeLessThan(joined.indexOf('third'));
    expect(joined.indexOf('third')).toBeLessThan(joined.indexOf('fourth'));
    // No answer to the follow-ups: the client's /help is answered after anything they queued for the chat.
    await h.sendUpdate(commandUpdate(client, '/help'));
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('/status'));
    expect(h.telegram.callsTo('sendMessage').filter((c) => c.params.chat_id === client.id)).toHaveLength(2);
  });

  it('copies photos and documents into the thread as files, captions kept', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'see attachments');
    const photo = Buffer.from('fake-jpeg-bytes-\u00ff');
    const pdf = Buffer.from('%PDF-1.4 receipt');
    h.telegram.addFile('photo-file-1', photo, 'photos/file_1.jpg');
    h.telegram.addFile('doc-file-1', pdf, 'documents/file_2.pdf');
    await h.sendUpdate(photoUpdate(client, 'photo-file-1', 'the discount banner'));
    await h.sendUpdate(documentUpdate(client, 'doc-file-1', 'receipt.pdf', 'application/pdf', 'my receipt'));
    const uploads = await h.slack.waitForCount('files.completeUploadExternal', 2, (c) => c.params.thread_ts === threadTs);
    const comments = uploads.map((u) => String(u.params.initial_comment));
    expect(comments[0]).toContain('the discount banner');
    expect(comments[1]).toContain('my receipt');
    const ids = uploads.map((u) => (JSON.parse(JSON.stringify(u.params.files)) as { id: string }[])[0]?.id as string);
    expect(h.slack.uploadedFile(ids[0] as string)?.bytes.equals(photo)).toBe(true);
    expect(h.slack.uploadedFile(ids[1] as string)?.bytes.equals(pdf)).toBe(true);
    expect(h.slack.uploadedFile(ids[1] as string)?.filename).toBe('receipt.pdf');
  });

  it('shows stickers, voice, locations and contacts in the thread as what they are', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'some more things');
    h.telegram.addFile('voice-1', Buffer.from('OggS voice'), 'voice/file_3.oga');
    await h.sendUpdate(stickerUpdate(client, '😀'));
    await h.sendUpdate(voiceUpdate(client, 'voice-1', 7));
    await h.sendUpdate(locationUpdate(client, 55.75, 37.61));
    await h.sendUpdate(contactUpdate(client, '+79990001122', 'Petr'));
    await h.slack.waitFor('files.completeUploadExternal', (c) => c.params.thread_ts === threadTs);
    const texts = await eventually(() => {
      const all = threadPosts(threadTs).map((m) => m.text ?? '').join('\n');
      return all.includes('+79990001122') && all;
    });
    expect(texts).toContain('sticker 😀');
    expect(texts).toContain('55.75');
    expect(texts).toContain('Petr');
    const voice = h.slack.callsTo('files.completeUploadExternal').find((c) => c.params.thread_ts === threadTs);
    expect(String(voice?.params.initial_comment)).toContain('voice');
  });

  it('answers /start with a greeting, /status with open cases, /new with a second case', async () => {
    const client = newClient({ language_code: 'en' });
    await h.sendUpdate(commandUpdate(client, '/start'));
    const greeting = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id);
    expect(greeting.params.text).toMatch(/hello/i);

    const first = await h.openCase(client, 'my order is late');
    await h.sendUpdate(commandUpdate(client, '/new'));
    const second = await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === supportChannel && !c.params.thread_ts && String(c.params.text).includes(`#${first.caseId + 1}`));
    expect(second.params.text).toContain('Maria');

    await h.sendUpdate(commandUpdate(client, '/status'));
    const status = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('open cases:'));
    expect(status.params.text).toContain(`#${first.caseId}`);
    expect(status.params.text).toContain(`#${first.caseId + 1}`);
    expect(status.params.text).not.toContain('late');
  });

  it('opens at most MAX_OPEN_CASES_PER_CLIENT (default 3) cases: one more /new lists the open ones and opens nothing', async () => {
    const client = newClient({ language_code: 'en' });
    const first = await h.openCase(client, 'first question');
    const isCard = (c: { params: Record<string, unknown> }) => c.params.channel === supportChannel && c.params.thread_ts === undefined;
    for (const n of [1, 2]) {
      await h.sendUpdate(commandUpdate(client, '/new'));
      await h.slack.waitFor('chat.postMessage', (c) => isCard(c) && String(c.params.text).includes(`#${first.caseId + n}`));
    }
    const cardsBefore = h.slack.callsTo('chat.postMessage').filter(isCard).length;
    const answer = await h.sendUpdate(commandUpdate(client, '/new'));
    expect(answer.status).toBe(200);
    const refusal = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('already have 3 open cases'));
    for (const n of [0, 1, 2]) expect(refusal.params.text).toContain(`#${first.caseId + n}`);
    // The client's next message joins their latest case: once it is in that thread, no other card came.
    const latest = h.slack.messages(supportChannel).find((m) => m.thread_ts === undefined && String(m.text).includes(`#${first.caseId + 2}`));
    await h.sendUpdate(textUpdate(client, 'so, about my question'));
    await eventually(() => threadPosts(latest?.ts ?? '').some((m) => String(m.text).includes('so, about my question')), 5000, 'the message in the latest case');
    expect(h.slack.callsTo('chat.postMessage').filter(isCard).length).toBe(cardsBefore);
    // The webhook answered 200 only after its transaction committed: the database shows every case there is.
    const row = (await h.db.get('select count(*) as n from cases join clients on clients.id = cases.client_id where clients.telegram_chat_id = ?', client.id)) as { n: number };
    expect(row.n).toBe(3);
  });

  it('speaks Ukrainian and English to clients whose Telegram is set so', async () => {
    const ua = newClient({ language_code: 'uk' });
    const en = newClient({ language_code: 'en-US' });
    const a = await h.openCase(ua, 'питання');
    const b = await h.openCase(en, 'question');
    const uaAck = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === ua.id);
    const enAck = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === en.id);
    expect(uaAck.params.text).toContain(`звернення зареєстровано під номером #${a.caseId}`);
    expect(enAck.params.text).toContain(`registered as case #${b.caseId}`);
  });

  it('handles the same update delivered twice once', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'hello');
    const update = textUpdate(client, 'only once please');
    expect((await h.sendUpdate(update)).status).toBe(200);
    expect((await h.sendUpdate(update)).status).toBe(200);
    // A later message of the client: the thread's posts go out in order, so a copy queued by the
    // duplicate would be in Slack before it (in a post of its own, or combined with it).
    expect((await h.clientSays(client, 'and a later one')).status).toBe(200);
    await eventually(() => threadPosts(threadTs).some((m) => m.text?.includes('and a later one')), 5000, 'the later message in the thread');
    const relayed = threadPosts(threadTs).map((m) => m.text ?? '').join('\n');
    expect(relayed.split('only once please')).toHaveLength(2);
  });

  it('answers messages in groups once, politely, and opens no case', async () => {
    const client = newClient();
    const group = { id: -100777, type: 'supergroup' as const, title: 'Some group' };
    const cardsBefore = h.slack.callsTo('chat.postMessage').length;
    const outboxBefore = ((await h.db.get('select coalesce(max(id), 0) as id from outbox')) as { id: number }).id;
    await h.sendUpdate(textUpdate(client, 'hello group', { chat: group }));
    await h.sendUpdate(textUpdate(client, 'hello again', { chat: group }));
    // Each update was handled before the webhook answered it: what Repka will ever send for them
    // is in the outbox now. One message for the group, nothing for Slack.
    const queued = await h.db.all<{ stream: string }>('select stream from outbox where id > ? order by id', outboxBefore);
    expect(queued.map((r) => r.stream)).toEqual([`chat-${group.id}`]);
    const note = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === group.id);
    expect(note.params.text).toMatch(/private|личн|особист/i);
    expect(h.telegram.callsTo('sendMessage').filter((c) => c.params.chat_id === group.id)).toHaveLength(1);
    expect(h.slack.callsTo('chat.postMessage').length).toBe(cardsBefore);
  });

  it('splits a client message longer than a Slack post into several posts, nothing lost', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'long one follows');
    const words = Array.from({ length: 1000 }, (_, i) => `word${i}`);
    await h.clientSays(client, words.join(' '));
    const posts = await eventually(() => {
      const texts = threadPosts(threadTs).map((m) => m.text ?? '');
      return texts.join(' ').includes('word999') && texts;
    });
    expect(posts.length).toBeGreaterThanOrEqual(2);
    for (const text of posts) expect(text.length).toBeLessThanOrEqual(4000);
    const all = posts.join(' ');
    for (const word of words) expect(all).toContain(word);
  });
});

describe('choosing a language', () => {
  it('/language offers three buttons and a press switches every later message', async () => {
    const client = newClient({ language_code: 'en' });
    await h.sendUpdate(commandUpdate(client, '/language'));
    const offer = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id);
    const buttons = (offer.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat();
    expect(buttons.map((b) => b.text)).toEqual(['Русский', 'Українська', 'English']);
    await h.sendUpdate(callbackQueryUpdate(client, buttons[1]?.callback_data as string, { message_id: 1, chat_id: client.id }));
    await h.telegram.waitFor('answerCallbackQuery');
    const confirmation = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && c.params.text !== offer.params.text);
    expect(confirmation.params.text).toBe('Готово: писатиму вам українською.');
    // Telegram still says "en", but the choice sticks.
    const { caseId } = await h.openCase(client, 'привіт');
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes(`звернення зареєстровано під номером #${caseId}`));
  });
});
