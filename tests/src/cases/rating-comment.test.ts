import { afterEach, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../../../db/sqlite/open-database.js';
import { openSqliteStorage } from '../../../db/sqlite/open-sqlite-storage.js';
import { ratingCommentWindowMs, unrepliedCommentTarget, latestRating } from '../../../src/cases/rating.js';
import { RatingService, type ClientReply } from '../../../src/cases/rating-service.js';
import { runUnitOfWork, type InboundResult } from '../../../src/unit-of-work.js';

/** The test's own answer when the rating does not take the message. */
const notTaken: InboundResult = { outcome: 'ignored', reason: 'no comment' };
import type { ClientContent, Outgoing } from '../../../src/outgoing.js';
import type { Case, CaseEvent, CaseEventKind } from '../../../src/ports.js';

const t0 = Date.UTC(2026, 10, 20, 9, 0);
const min = 60_000;
const text = (t: string): ClientContent => ({ type: 'text', text: t });

describe('unrepliedCommentTarget: which message that replies to nothing is the rating comment', () => {
  const closedCase: Case = {
    id: 12,
    clientId: 1,
    status: 'closed',
    assignee: null,
    thread: { platform: 'slack', conversation: 'C0SUPPORT', thread: '1.1' },
    previousCaseId: null,
    openedAt: t0 - 60 * min,
    closedAt: t0 - 2 * min,
    closeSummary: null,
    clientWaitingSince: null,
    firstReplyAt: null,
    waitAlertedAt: null,
  };
  let nextId = 1;
  const ev = (kind: CaseEventKind, at: number, data: Record<string, unknown> | null = null): CaseEvent => ({ id: nextId++, caseId: 12, at, kind, authorKind: 'system', authorId: null, authorName: null, text: null, data });
  /** Closed at t0 - 2 min, rated at t0 - 1 min, the invitation delivered at t0. */
  const rated = () => [ev('case-opened', t0 - 60 * min), ev('closed', t0 - 2 * min), ev('rated', t0 - min, { score: 4 }), ev('rating-comment-invited', t0, { messageId: 50 })];
  const target = (over: Partial<Parameters<typeof unrepliedCommentTarget>[0]> = {}) =>
    unrepliedCommentTarget({ content: text('thanks, all good'), hasOpenCase: false, latestCase: closedCase, events: rated(), now: t0 + min, ...over });

  it('the window is 10 minutes', () => expect(ratingCommentWindowMs).toBe(10 * min));

  it('a text within the window of the invitation, from a client with no open case, is the first comment', () => {
    expect(target()).toEqual({ caseId: 12, score: 4, first: true });
  });

  it('the window is counted from the invitation reaching the client: its last millisecond still counts, the next does not', () => {
    expect(target({ now: t0 + ratingCommentWindowMs })).toEqual({ caseId: 12, score: 4, first: true });
    expect(target({ now: t0 + ratingCommentWindowMs + 1 })).toBeUndefined();
  });

  it('while the invitation is on its way the window is counted from the rating', () => {
    const events = rated().slice(0, 3);
    expect(target({ events, now: t0 - min + ratingCommentWindowMs })).toEqual({ caseId: 12, score: 4, first: true });
    expect(target({ events, now: t0 - min + ratingCommentWindowMs + 1 })).toBeUndefined();
  });

  it('a client with an open case is writing about it, not commenting', () => {
    expect(target({ hasOpenCase: true })).toBeUndefined();
    expect(target({ latestCase: { ...closedCase, status: 'open' } })).toBeUndefined();
    expect(target({ latestCase: undefined, events: [] })).toBeUndefined();
  });

  it('no rating since the case was last closed: no comment (not rated, or reopened and closed again)', () => {
    expect(target({ events: rated().slice(0, 2) })).toBeUndefined();
    expect(target({ events: [...rated(), ev('reopened', t0 + 10_000), ev('closed', t0 + 20_000)] })).toBeUndefined();
  });

  it('only text counts: a photo with a caption, a file or a sticker opens a case as always; so does an empty text', () => {
    const photo: ClientContent = { type: 'photo', file: { fileId: 'f', fileName: 'p.jpg', mimeType: 'image/jpeg' }, caption: 'the new problem' };
    expect(target({ content: photo })).toBeUndefined();
    expect(target({ content: { type: 'sticker', emoji: '👍' } })).toBeUndefined();
    expect(target({ content: text('  \n') })).toBeUndefined();
  });

  it('a second message in the window is comment too, but not the first: the client was told once', () => {
    const events = [...rated(), { ...ev('rating-comment', t0 + min, { score: 4, withoutReply: true }), authorKind: 'client' as const, text: 'line one' }];
    expect(target({ events, now: t0 + 2 * min })).toEqual({ caseId: 12, score: 4, first: false });
  });

  it('a reply to the invitation came first: the first message without a reply is still told it became the comment', () => {
    const events = [...rated(), { ...ev('rating-comment', t0 + min, { score: 4 }), authorKind: 'client' as const, text: 'replied' }];
    expect(target({ events, now: t0 + 2 * min })?.first).toBe(true);
  });

  it('a comment in several messages is one comment in the rating summary', () => {
    const events = [...rated(), { ...ev('rating-comment', t0 + min, { score: 4 }), text: 'line one' }, { ...ev('rating-comment', t0 + 2 * min, { score: 4 }), text: 'line two' }];
    expect(latestRating(events)).toEqual({ score: 4, comment: 'line one\nline two' });
  });
});

describe('RatingService.takeComment against SQLite, in the unit of work of the client message', () => {
  let database: OpenDatabase | undefined;
  afterEach(() => database?.close());

  /** A client whose case #N was closed, rated 2 and invited to comment at t0 (invitation message 50). */
  async function setup() {
    const backend = openSqliteStorage(':memory:');
    database = backend.database;
    const { uow, storage: store } = backend;
    const outboxRows = backend.database.sqlite.prepare<[], { payload: string }>('select payload from outbox order by id');
    /** What was queued in the outbox, oldest first. */
    const sent = (): Outgoing[] => outboxRows.all().map((r) => JSON.parse(r.payload) as Outgoing);
    let now = t0;
    const clock = { now: () => now };
    const ratings = new RatingService({ uow, trigger: { wake: () => {} }, clock, log: { debug() {}, info() {}, warn() {}, error() {} } });
    const caseId = await uow.run(async (tx) => {
      const client = await tx.upsertClient({ chatId: 700, userId: 700, firstName: 'Ann' }, 'en', t0 - 60 * min);
      const c = await tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C0SUPPORT', thread: null }, previousCaseId: null, openedAt: t0 - 60 * min });
      await tx.updateCase(c.id, { status: 'closed', closedAt: t0 - 2 * min });
      const at = (kind: CaseEventKind, when: number, data: Record<string, unknown> | null) =>
        tx.appendEvent({ caseId: c.id, at: when, kind, authorKind: 'system', authorId: null, authorName: null, text: null, data });
      await at('closed', t0 - 2 * min, null);
      await at('rated', t0 - min, { score: 2 });
      await at('rating-comment-invited', t0, { messageId: 50 });
      return c.id;
    });
    const comments = async () => (await store.listEvents(caseId)).filter((e) => e.kind === 'rating-comment');
    const notices = () => sent().flatMap((m) => (m.to === 'client' ? [m.notice.type] : []));
    /**
     * The message offered to the rating as CaseService.receiveClientMessage offers it: in a unit of
     * work keyed by the update, with the client and whether a case of theirs is open. Undefined: no
     * comment (the unit would go on with it as a case message; here it stores nothing more).
     */
    const offer = async (key: string, reply: ClientReply) => {
      const result = await runUnitOfWork({ uow, trigger: { wake: () => {} }, clock }, key, async (fx) => {
        const client = await fx.tx.findClientByChat(reply.chatId);
        if (client === undefined) return notTaken;
        return (await ratings.takeComment(fx, client, reply, (await fx.tx.findOpenCase(client.id)) !== undefined)) ?? notTaken;
      });
      return result === notTaken ? undefined : result;
    };
    return { uow, ratings, offer, caseId, comments, notices, sent, at: (ms: number) => (now = ms) };
  }

  it('two lines typed without reply: both are the comment, the client is told once how to open a case instead', async () => {
    const { offer, caseId, comments, notices, sent, at } = await setup();
    at(t0 + min);
    expect(await offer('tg:1', { chatId: 700, content: text('It was slow,') })).toEqual({ outcome: 'done', caseId });
    at(t0 + min + 5_000);
    expect(await offer('tg:2', { chatId: 700, content: text('but you solved it.') })).toEqual({ outcome: 'done', caseId });
    expect((await comments()).map((e) => [e.text, e.data])).toEqual([
      ['It was slow,', { score: 2, withoutReply: true }],
      ['but you solved it.', { score: 2, withoutReply: true }],
    ]);
    expect(notices()).toEqual(['rating-comment-taken']);
    expect(sent().filter((m) => m.to === 'case-thread')).toHaveLength(2);
  });

  it('after the window the message is no comment: nothing stored for the rating', async () => {
    const { offer, comments, sent, at } = await setup();
    at(t0 + ratingCommentWindowMs + 1);
    expect(await offer('tg:3', { chatId: 700, content: text('my card is blocked') })).toBeUndefined();
    expect(await comments()).toEqual([]);
    expect(sent()).toEqual([]);
  });

  it('a photo with a caption is no comment', async () => {
    const { offer, comments, at } = await setup();
    at(t0 + min);
    const photo: ClientContent = { type: 'photo', file: { fileId: 'f', fileName: 'p.jpg', mimeType: 'image/jpeg' }, caption: 'see' };
    expect(await offer('tg:4', { chatId: 700, content: photo })).toBeUndefined();
    expect(await comments()).toEqual([]);
  });

  it('an open case takes the message, not the rating', async () => {
    const { uow, offer, comments, at } = await setup();
    await uow.run((tx) => tx.createCase({ clientId: 1, thread: { platform: 'slack', conversation: 'C0SUPPORT', thread: null }, previousCaseId: null, openedAt: t0 }));
    at(t0 + min);
    expect(await offer('tg:5', { chatId: 700, content: text('about my new case') })).toBeUndefined();
    expect(await comments()).toEqual([]);
  });

  it('the same update delivered again is a duplicate, in the window or after it', async () => {
    const { offer, comments, at } = await setup();
    at(t0 + min);
    await offer('tg:6', { chatId: 700, content: text('great') });
    expect(await offer('tg:6', { chatId: 700, content: text('great') })).toEqual({ outcome: 'duplicate' });
    expect(await comments()).toHaveLength(1);
  });

  it('a reply to the invitation is the comment whenever it comes and whatever is open, thanked as before', async () => {
    const { uow, offer, caseId, comments, notices, at } = await setup();
    await uow.run((tx) => tx.createCase({ clientId: 1, thread: { platform: 'slack', conversation: 'C0SUPPORT', thread: null }, previousCaseId: null, openedAt: t0 }));
    at(t0 + 3 * ratingCommentWindowMs);
    expect(await offer('tg:7', { chatId: 700, replyToMessageId: 50, content: text('late but true') })).toEqual({ outcome: 'done', caseId });
    expect((await comments()).map((e) => [e.text, e.data])).toEqual([['late but true', { score: 2 }]]);
    expect(notices()).toEqual(['rating-comment-thanks']);
    expect(await offer('tg:8', { chatId: 700, replyToMessageId: 49, content: text('a reply to something else') })).toBeUndefined();
  });
});
