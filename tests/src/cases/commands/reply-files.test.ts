import { describe, expect, it } from 'vitest';
import { anna, clientProfile, createDomain, type Domain } from '../../../support/domain.js';
import { clientNoticeText } from '../../../../src/i18n/client-notice-text.js';
import type { SharedFile } from '../../../../src/files.js';
import type { Language } from '../../../../src/ports.js';

const MB = 1024 * 1024;
/** The Telegram Bot API's limits, CaseService's default. */
const fileBytes = 50 * MB;
const captionChars = 1024;

const photo: SharedFile = { id: 'F0PHOTO', name: 'receipt.png', mimeType: 'image/png', size: 1000, url: 'https://files.example/F0PHOTO' };
const pdf: SharedFile = { id: 'F0PDF', name: 'invoice.pdf', mimeType: 'application/pdf', size: 2048, url: 'https://files.example/F0PDF' };
const video: SharedFile = { id: 'F0BIG', name: 'screen.mov', mimeType: 'video/quicktime', size: fileBytes + 1 };
const archive: SharedFile = { id: 'F0ZIP', name: 'logs.zip', mimeType: 'application/zip', size: 60 * MB };
/** As the history keeps a file: no download address. */
const kept = ({ id, name, mimeType, size }: SharedFile) => ({ id, name, mimeType, size });

/** A text whose reply, rendered for the client in `language`, is exactly `length` characters. */
function textRenderedAs(length: number, caseId: number, language: Language = 'en'): string {
  const overhead = clientNoticeText({ type: 'agent-reply', caseId, text: '', agentName: anna.userName }, language).length;
  return 'x'.repeat(length - overhead);
}

async function openCase(fx: Domain) {
  const c = await fx.clientSays('please send the invoice');
  return { c, mark: fx.sent.mark() };
}

describe('!reply with files', () => {
  it('sends one client message per file in order, the first with the text; ✅ only after the last', async () => {
    const fx = createDomain();
    const { c, mark } = await openCase(fx);
    expect(await fx.agentShares(c.id, '!reply here they are', [photo, pdf])).toEqual({ outcome: 'done', caseId: c.id });
    const ts = await fx.lastAgentTs(c.id);
    const toClient = fx.sent.since(mark).client(1001);
    expect(toClient.map((m) => m.notice)).toEqual([
      { type: 'agent-reply', caseId: c.id, text: 'here they are', agentName: 'Anna', file: photo, part: 1, parts: 2, replyTs: ts },
      { type: 'agent-reply', caseId: c.id, text: '', agentName: 'Anna', file: pdf, part: 2, parts: 2, replyTs: ts },
    ]);
    expect(toClient.map((m) => m.afterDelivery)).toEqual([undefined, [{ to: 'staff-delivered-mark', caseId: c.id, conversation: c.thread.conversation, message: ts }]]);
    expect(fx.sent.since(mark).threadPosts(c.id)).toEqual([]);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({ kind: 'agent-reply', text: 'here they are' });
    expect((await fx.store.listEvents(c.id)).at(-1)?.data).toEqual({ ts, files: [kept(photo), kept(pdf)], filesNotSent: [] });
    expect(await fx.caseNow(c.id)).toMatchObject({ clientWaitingSince: null, assignee: anna.user });
  });

  it('files without text: the first message has no text', async () => {
    const fx = createDomain();
    const { c, mark } = await openCase(fx);
    expect(await fx.agentShares(c.id, '!reply', [pdf])).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).client(1001).map((m) => m.notice)).toEqual([{ type: 'agent-reply', caseId: c.id, text: '', agentName: 'Anna', file: pdf, part: 1, parts: 1, replyTs: await fx.lastAgentTs(c.id) }]);
  });

  it('from the card form: no replyTs, and the reply-sent post names the files, after the last one', async () => {
    const fx = createDomain();
    const { c, mark } = await openCase(fx);
    await fx.act(() => fx.cases.receiveCardCommand({ inboundKey: fx.key(), caseId: c.id, ts: 'view-1', ...anna, command: { name: 'reply', text: 'attached' }, files: [photo, pdf] }));
    const toClient = fx.sent.since(mark).client(1001);
    expect(toClient.map((m) => m.notice)).toEqual([
      { type: 'agent-reply', caseId: c.id, text: 'attached', agentName: 'Anna', file: photo, part: 1, parts: 2 },
      { type: 'agent-reply', caseId: c.id, text: '', agentName: 'Anna', file: pdf, part: 2, parts: 2 },
    ]);
    expect(toClient.map((m) => m.afterDelivery)).toEqual([undefined, [{ to: 'case-thread', caseId: c.id, post: { type: 'reply-sent', by: anna.user, text: 'attached', files: ['receipt.png', 'invoice.pdf'] } }]]);
  });

  it('a file over the client limit is left out and told in the thread; the rest still goes; the history names it', async () => {
    const fx = createDomain();
    const { c, mark } = await openCase(fx);
    expect(await fx.agentShares(c.id, '!reply the invoice and the video', [video, pdf])).toEqual({ outcome: 'done', caseId: c.id });
    const sent = fx.sent.since(mark);
    expect(sent.thread(c.id).map((m) => m.post)).toEqual([{ type: 'files-not-sent', files: [{ name: 'screen.mov', size: fileBytes + 1 }], limitBytes: fileBytes }]);
    expect(sent.client(1001).map((m) => m.notice)).toEqual([
      { type: 'agent-reply', caseId: c.id, text: 'the invoice and the video', agentName: 'Anna', file: pdf, part: 1, parts: 1, replyTs: await fx.lastAgentTs(c.id) },
    ]);
    expect(sent.client(1001)[0]?.afterDelivery).toEqual([{ to: 'staff-delivered-mark', caseId: c.id, conversation: c.thread.conversation, message: await fx.lastAgentTs(c.id) }]);
    expect((await fx.store.listEvents(c.id)).at(-1)?.data).toEqual({ ts: await fx.lastAgentTs(c.id), files: [kept(pdf)], filesNotSent: [kept(video)] });
  });

  it('every file too big, with text: the text goes alone', async () => {
    const fx = createDomain();
    const { c, mark } = await openCase(fx);
    await fx.agentShares(c.id, '!reply see the video', [video]);
    const sent = fx.sent.since(mark);
    expect(sent.client(1001).map((m) => m.notice)).toEqual([{ type: 'agent-reply', caseId: c.id, text: 'see the video', agentName: 'Anna', replyTs: await fx.lastAgentTs(c.id) }]);
    expect(sent.threadPosts(c.id)).toEqual(['files-not-sent']);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({ kind: 'agent-reply', text: 'see the video' });
    expect((await fx.store.listEvents(c.id)).at(-1)?.data).toEqual({ ts: await fx.lastAgentTs(c.id), files: [], filesNotSent: [kept(video)] });
  });

  it('every file too big and no text: nothing reaches the client, the thread is told, the history keeps a note; the client still waits', async () => {
    const fx = createDomain();
    const { c, mark } = await openCase(fx);
    expect(await fx.agentShares(c.id, '!reply ', [video, archive])).toEqual({ outcome: 'ignored', reason: 'every file too big' });
    const sent = fx.sent.since(mark);
    expect(sent.all()).toEqual([
      {
        to: 'case-thread',
        caseId: c.id,
        post: { type: 'files-not-sent', files: [{ name: 'screen.mov', size: fileBytes + 1 }, { name: 'logs.zip', size: 60 * MB }], limitBytes: fileBytes },
      },
    ]);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({ kind: 'note', text: '!reply' });
    expect((await fx.store.listEvents(c.id)).at(-1)?.data).toEqual({ ts: await fx.lastAgentTs(c.id), filesNotSent: [kept(video), kept(archive)] });
    expect(await fx.historyKinds(c.id)).not.toContain('agent-reply');
    expect(await fx.caseNow(c.id)).toMatchObject({ clientWaitingSince: c.clientWaitingSince, firstReplyAt: null, assignee: null });
  });

  it('a text that fits the caption exactly goes as the caption', async () => {
    const fx = createDomain();
    const { c, mark } = await openCase(fx);
    const text = textRenderedAs(captionChars, c.id);
    await fx.agentShares(c.id, `!reply ${text}`, [pdf]);
    expect(fx.sent.since(mark).client(1001).map((m) => [m.notice.type === 'agent-reply' ? m.notice.text : '', m.notice.type === 'agent-reply' ? m.notice.file?.id : ''])).toEqual([[text, 'F0PDF']]);
  });

  it('a text one character longer than the caption goes first as a message of its own, the files after it without text', async () => {
    const fx = createDomain();
    const { c, mark } = await openCase(fx);
    const text = textRenderedAs(captionChars + 1, c.id);
    await fx.agentShares(c.id, `!reply ${text}`, [photo, pdf]);
    const ts = await fx.lastAgentTs(c.id);
    const toClient = fx.sent.since(mark).client(1001);
    expect(toClient.map((m) => m.notice)).toEqual([
      { type: 'agent-reply', caseId: c.id, text, agentName: 'Anna', replyTs: ts },
      { type: 'agent-reply', caseId: c.id, text: '', agentName: 'Anna', file: photo, part: 1, parts: 2, replyTs: ts },
      { type: 'agent-reply', caseId: c.id, text: '', agentName: 'Anna', file: pdf, part: 2, parts: 2, replyTs: ts },
    ]);
    expect(toClient.map((m) => m.afterDelivery === undefined)).toEqual([true, true, false]);
  });

  it('the caption limit is counted in the client’s language', async () => {
    const fx = createDomain();
    await fx.act(() => fx.cases.receiveClientMessage(fx.key(), { ...clientProfile(2002, 'Ivan'), languageCode: 'ru' }, { type: 'text', text: 'пришлите счёт' }));
    const c = await fx.caseNow(1);
    const mark = fx.sent.mark();
    // Fits in English; the Russian header is longer.
    const text = textRenderedAs(captionChars, c.id, 'en');
    expect(clientNoticeText({ type: 'agent-reply', caseId: c.id, text, agentName: 'Anna' }, 'ru').length).toBeGreaterThan(captionChars);
    await fx.agentShares(c.id, `!reply ${text}`, [pdf]);
    expect(fx.sent.since(mark).client(2002).map((m) => (m.notice.type === 'agent-reply' ? [m.notice.text === text, m.notice.file?.id ?? null] : []))).toEqual([
      [true, null],
      [false, 'F0PDF'],
    ]);
  });
});

describe('a note with files', () => {
  it('records the files with the note (without download addresses); sends nothing', async () => {
    const fx = createDomain();
    const { c, mark } = await openCase(fx);
    expect(await fx.agentShares(c.id, 'the scan from the client', [photo, video])).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).all()).toEqual([]);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({ kind: 'note', text: 'the scan from the client' });
    expect((await fx.store.listEvents(c.id)).at(-1)?.data).toEqual({ ts: await fx.lastAgentTs(c.id), files: [kept(photo), kept(video)] });
  });

  it('a note without files has no files entry', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.agentShares(c.id, 'no attachments', []);
    expect((await fx.store.listEvents(c.id)).at(-1)?.data).toEqual({ ts: await fx.lastAgentTs(c.id) });
  });
});
