import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileShareEvent, newTriggerId, nextTs, sendSlackEvent, sendSlackInteraction } from '../fakes/fake-slack.js';
import { photoUpdate, textUpdate, voiceUpdate, type TgUser } from '../fakes/fake-telegram.js';
import { toSlackWire } from '../fakes/slack-wire.js';
import { signingSecret, startHarness, supportChannel, type Harness } from './harness.js';

const MB = 1024 * 1024;
let h: Harness;
let nextUserId = 32_000;
const newClient = (): TgUser => ({ id: nextUserId++, first_name: 'Irina', last_name: 'Volkova', language_code: 'en' });

/** An agent shares `files` in the case thread with `typed` as the message, as Slack sends it (subtype file_share). */
async function agentShares(threadTs: string, user: string, typed: string, files: { name: string; mimetype: string; bytes: Buffer }[]): Promise<string> {
  const shared = files.map((f) => h.slack.shareFile(f));
  const ts = nextTs();
  const event = fileShareEvent({ channel: supportChannel, user, text: toSlackWire(typed), ts, thread_ts: threadTs, files: shared });
  const { status } = await sendSlackEvent(h.url, signingSecret, event);
  expect(status).toBe(200);
  return ts;
}

const threadPosts = (threadTs: string) => h.slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === threadTs).map((c) => String(c.params.text));

beforeAll(async () => {
  h = await startHarness({ departments: { departments: [{ id: 'accounting', name: 'Accounting', slackChannel: 'C0ACC', replyWithin: '1h' }] } });
});
afterAll(async () => {
  await h.stop(true);
});

describe('an agent sends the client files with !reply', () => {
  it('a screenshot and an invoice: a photo with the reply as its caption, then the document, the same bytes; ✅ once both arrived', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'please send the invoice');
    const screenshot = randomBytes(150 * 1024);
    const invoice = randomBytes(300 * 1024);
    const ts = await agentShares(threadTs, 'U0AGENT1', '!reply Here is your invoice & the screenshot.', [
      { name: 'screenshot.png', mimetype: 'image/png', bytes: screenshot },
      { name: 'invoice-1042.pdf', mimetype: 'application/pdf', bytes: invoice },
    ]);
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    const [, photo, document] = h.telegram.sentTo(client.id);
    expect(photo?.file?.field).toBe('photo');
    expect(photo?.file?.bytes.equals(screenshot)).toBe(true);
    expect(photo?.caption).toBe(`Anna, support · case #${caseId}:\n\nHere is your invoice & the screenshot.`);
    expect(document?.file?.field).toBe('document');
    expect(document?.file?.bytes.equals(invoice)).toBe(true);
    expect(document?.caption).toBeUndefined();
    expect(h.telegram.sentTo(client.id)).toHaveLength(3);
    // The files were read with the bot token from Slack, never without it.
    expect(h.telegram.callsTo('sendPhoto').filter((c) => c.params.chat_id === client.id)).toHaveLength(1);
  });

  it('an image over 10 MB goes as a document; one of exactly 10 MB as a photo', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'big pictures');
    const atLimit = randomBytes(10 * MB);
    const over = randomBytes(10 * MB + 1);
    const ts = await agentShares(threadTs, 'U0AGENT1', '!reply Both photos', [
      { name: 'at-limit.jpg', mimetype: 'image/jpeg', bytes: atLimit },
      { name: 'over.jpg', mimetype: 'image/jpeg', bytes: over },
    ]);
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts, 20_000);
    const [, first, second] = h.telegram.sentTo(client.id);
    expect(first?.file?.field).toBe('photo');
    expect(first?.file?.bytes.length).toBe(10 * MB);
    expect(second?.file?.field).toBe('document');
    expect(second?.file?.bytes.length).toBe(10 * MB + 1);
  }, 30_000);

  it('a file over 50 MB is not sent and the thread says so; the text and the other file still go', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'the recording please');
    const small = randomBytes(1024);
    const ts = await agentShares(threadTs, 'U0AGENT2', '!reply The call recording is too big, here are the notes', [
      { name: 'recording.mp4', mimetype: 'video/mp4', bytes: Buffer.alloc(50 * MB + 1) },
      { name: 'notes.txt', mimetype: 'text/plain', bytes: small },
    ]);
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    const warning = threadPosts(threadTs).find((t) => t.startsWith(':warning: Not sent'));
    expect(warning).toBe(':warning: Not sent to the client, over the 50 MB a bot may send on Telegram: recording.mp4 (50 MB). Share a link instead, or a smaller file.');
    const [, notes] = h.telegram.sentTo(client.id);
    expect(notes?.file?.bytes.equals(small)).toBe(true);
    expect(notes?.caption).toContain('The call recording is too big, here are the notes');
    expect(h.telegram.sentTo(client.id)).toHaveLength(2);
  });

  it('a !reply with only a file over 50 MB sends nothing, says so, and the history keeps the attempt as a note', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'the video please');
    await agentShares(threadTs, 'U0AGENT1', '!reply', [{ name: 'huge.mov', mimetype: 'video/quicktime', bytes: Buffer.alloc(50 * MB + 1) }]);
    const warning = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).startsWith(':warning: Not sent'));
    expect(warning.params.text).toContain('huge.mov (50 MB)');
    // A later reply on the client's stream: nothing came before it but the acknowledgement.
    const { ts } = await h.agentSays(threadTs, 'U0AGENT1', '!reply I will share a link instead.');
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    expect(h.telegram.sentTo(client.id)).toHaveLength(2);
    await h.agentSays(threadTs, 'U0AGENT1', '!history');
    const history = await h.slack.waitFor('files.completeUploadExternal', (c) => c.params.thread_ts === threadTs && String(c.params.initial_comment).includes('History of case'));
    const [id] = (JSON.parse(JSON.stringify(history.params.files)) as { id: string }[]).map((f) => f.id);
    expect(h.slack.uploadedFile(id as string)?.bytes.toString()).toContain('Note by Anna: !reply \\[not sent, too big: huge.mov\\]');
    expect(caseId).toBe(Number(/#(\d+)/.exec(String(history.params.initial_comment))?.[1]));
  });

  it('a file deleted in Slack before it went: the text goes alone, the thread is told, no ✅', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'contract?');
    const shared = h.slack.shareFile({ name: 'contract.pdf', mimetype: 'application/pdf', bytes: randomBytes(2048) });
    h.slack.deleteSharedFile(String(shared.id));
    const ts = nextTs();
    await sendSlackEvent(h.url, signingSecret, fileShareEvent({ channel: supportChannel, user: 'U0AGENT1', text: toSlackWire('!reply The contract is attached'), ts, thread_ts: threadTs, files: [shared] }));
    const failed = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).startsWith(':warning: Could not deliver'));
    expect(String(failed.params.text)).toContain('contract.pdf');
    expect(String(failed.params.text)).toContain('the text was sent without it');
    const [, text] = h.telegram.sentTo(client.id);
    expect(text?.text).toContain('The contract is attached');
    expect(h.telegram.sentTo(client.id)).toHaveLength(2);
    // A later reply gets its ✅: the failed one's never came.
    const { ts: later } = await h.agentSays(threadTs, 'U0AGENT1', '!reply I will send it again.');
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === later);
    expect(h.slack.callsTo('reactions.add').filter((c) => c.params.timestamp === ts)).toHaveLength(0);
  });

  it('files shared without !reply stay internal: a note, nothing reaches the client', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'hello');
    await agentShares(threadTs, 'U0AGENT1', 'logs from the server, for us', [{ name: 'server.log', mimetype: 'text/plain', bytes: randomBytes(512) }]);
    const { ts } = await h.agentSays(threadTs, 'U0AGENT1', '!reply We are on it.');
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    expect(h.telegram.sentTo(client.id).map((m) => m.file?.field ?? 'text')).toEqual(['text', 'text']);
  });

  it('the reply form sends the files attached in it, the text as the caption; the thread shows what went', async () => {
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'receipt please');
    const trigger = newTriggerId();
    await sendSlackInteraction(h.url, signingSecret, {
      type: 'block_actions',
      team: { id: 'T0TEAM' },
      user: { id: 'U0AGENT2', name: 'boris' },
      trigger_id: trigger,
      container: { type: 'message', channel_id: supportChannel, message_ts: threadTs },
      channel: { id: supportChannel },
      actions: [{ type: 'button', action_id: 'case_reply', block_id: `case-${caseId}`, value: String(caseId), action_ts: '1732310000.000001' }],
    });
    await h.slack.waitFor('views.open', (c) => c.params.trigger_id === trigger);
    const shown = h.slack.viewOpenedBy(trigger);
    if (shown === undefined) throw new Error('views.open was refused');
    expect(JSON.stringify(shown.view)).toContain('"type":"file_input"');
    const receipt = randomBytes(4096);
    // What Slack puts in view_submission for a file_input: the uploaded files' objects.
    const uploaded = h.slack.shareFile({ name: 'receipt.pdf', mimetype: 'application/pdf', bytes: receipt });
    const view = (text: string, files: unknown[]) => ({
      id: shown.id,
      hash: `h-${files.length}-${text.length}`,
      type: 'modal',
      callback_id: 'case_reply_modal',
      private_metadata: String(caseId),
      state: { values: { text: { reply_text: { type: 'plain_text_input', value: text } }, files: { reply_files: { type: 'file_input', files } } } },
    });
    const empty = await sendSlackInteraction(h.url, signingSecret, { type: 'view_submission', team: { id: 'T0TEAM' }, user: { id: 'U0AGENT2', name: 'boris' }, view: view('', []) });
    expect(JSON.parse(empty.body)).toMatchObject({ response_action: 'errors', errors: { text: 'Write what the client should get, or attach a file.' } });
    const sent = await sendSlackInteraction(h.url, signingSecret, { type: 'view_submission', team: { id: 'T0TEAM' }, user: { id: 'U0AGENT2', name: 'boris' }, view: view('Your receipt', [uploaded]) });
    expect(sent.status).toBe(200);
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('replied to the client'));
    expect(post.params.text).toBe(':outbox_tray: <@U0AGENT2> replied to the client (delivered):\n>Your receipt\n:paperclip: receipt.pdf');
    const [, document] = h.telegram.sentTo(client.id);
    expect(document?.file?.field).toBe('document');
    expect(document?.file?.bytes.equals(receipt)).toBe(true);
    expect(document?.caption).toBe(`Boris, support · case #${caseId}:\n\nYour receipt`);
  });
});

describe("a client's albums and voice messages in the thread", () => {
  it('an album (photos sharing a media_group_id, sent as separate messages) lands as one post with all its files', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'photos of the damage');
    const bytes = [randomBytes(3000), randomBytes(3100), randomBytes(3200)];
    bytes.forEach((b, i) => h.telegram.addFile(`album-${client.id}-${i}`, b, `photos/album_${client.id}_${i}.jpg`));
    // Telegram puts the album's caption on its first part (Bot API: Message.media_group_id).
    for (const [i] of bytes.entries()) {
      const update = photoUpdate(client, `album-${client.id}-${i}`, i === 0 ? 'the box was crushed' : undefined);
      (update as unknown as { message: Record<string, unknown> }).message.media_group_id = `1399${client.id}`;
      expect((await h.sendUpdate(update)).status).toBe(200);
    }
    const upload = await h.slack.waitFor('files.completeUploadExternal', (c) => c.params.thread_ts === threadTs);
    expect(upload.params.initial_comment).toBe('*Irina Volkova* sent an album of 3 photos: the box was crushed');
    const ids = (JSON.parse(JSON.stringify(upload.params.files)) as { id: string }[]).map((f) => f.id);
    expect(ids.map((id) => h.slack.uploadedFile(id)?.bytes.length)).toEqual([3000, 3100, 3200]);
    // A later message on the same thread: after it, still exactly one upload for the album.
    await h.sendUpdate(textUpdate(client, 'and one more thing'));
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('and one more thing'));
    expect(h.slack.callsTo('files.completeUploadExternal').filter((c) => c.params.thread_ts === threadTs)).toHaveLength(1);
  });

  it('an album that opens the case lands as one post too (its first part shares the stream with the new card)', async () => {
    const client = newClient();
    const bytes = [randomBytes(2000), randomBytes(2100)];
    bytes.forEach((b, i) => h.telegram.addFile(`first-album-${client.id}-${i}`, b, `photos/first_${client.id}_${i}.jpg`));
    for (const [i] of bytes.entries()) {
      const update = photoUpdate(client, `first-album-${client.id}-${i}`, i === 0 ? 'the broken screen' : undefined);
      (update as unknown as { message: Record<string, unknown> }).message.media_group_id = `2399${client.id}`;
      expect((await h.sendUpdate(update)).status).toBe(200);
    }
    const upload = await h.slack.waitFor('files.completeUploadExternal', (c) => String(c.params.initial_comment).includes('sent an album of 2 photos: the broken screen'));
    const threadTs = String(upload.params.thread_ts);
    await h.sendUpdate(textUpdate(client, 'it fell off the table'));
    await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('it fell off the table'));
    expect(h.slack.callsTo('files.completeUploadExternal').filter((c) => c.params.thread_ts === threadTs)).toHaveLength(1);
  });

  it('a voice message is an audio file with its length, as a player shows it', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'listen please');
    h.telegram.addFile(`voice-${client.id}`, Buffer.from('OggS voice bytes'), `voice/file_${client.id}.oga`);
    await h.sendUpdate(voiceUpdate(client, `voice-${client.id}`, 75));
    const upload = await h.slack.waitFor('files.completeUploadExternal', (c) => c.params.thread_ts === threadTs);
    expect(upload.params.initial_comment).toBe('*Irina Volkova* sent a voice message (1:15)');
  });
});

describe("a department's answer with files", () => {
  it('is mirrored into the case thread with its files (copied: agents may not be in that channel); the history names them', async () => {
    const { threadTs } = await h.openCase(newClient(), 'where is my receipt?');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask accounting please find the receipt');
    const asked = await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === 'C0ACC' && !c.params.thread_ts);
    const questionTs = h.slack.messages('C0ACC').find((m) => m.text === asked.params.text)?.ts as string;
    // Someone answering has seen the question: Repka has its ts by then.
    await h.repkaKnowsThread('C0ACC', questionTs);
    const receipt = randomBytes(5000);
    await sendSlackEvent(h.url, signingSecret, fileShareEvent({ channel: 'C0ACC', user: 'U0DEV1', text: toSlackWire('Here it is'), thread_ts: questionTs, files: [h.slack.shareFile({ name: 'receipt-77.pdf', mimetype: 'application/pdf', bytes: receipt })] }));
    const upload = await h.slack.waitFor('files.completeUploadExternal', (c) => c.params.thread_ts === threadTs);
    expect(upload.params.initial_comment).toMatch(/^:paperclip: \*Accounting\* \(Dmitry\) shared with the answer to Q\d+: receipt-77\.pdf$/);
    const [id] = (JSON.parse(JSON.stringify(upload.params.files)) as { id: string }[]).map((f) => f.id);
    expect(h.slack.uploadedFile(id as string)?.bytes.equals(receipt)).toBe(true);
    // The answer itself came first, in the same thread.
    const answered = threadPosts(threadTs).findIndex((t) => t.includes('answered Q'));
    expect(answered).toBeGreaterThan(-1);
    await h.agentSays(threadTs, 'U0AGENT1', '!history');
    const history = await h.slack.waitFor('files.completeUploadExternal', (c) => c.params.thread_ts === threadTs && String(c.params.initial_comment).includes('History of case'));
    const [historyId] = (JSON.parse(JSON.stringify(history.params.files)) as { id: string }[]).map((f) => f.id);
    expect(h.slack.uploadedFile(historyId as string)?.bytes.toString()).toContain('Here it is \\[files: receipt-77.pdf\\]');
  });
});
