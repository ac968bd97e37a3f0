import { afterEach, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { openSqliteStorage } from '../../../db/sqlite/open-sqlite-storage.js';
import { SlackDeliverer } from '../../../bots/slack/slack-deliverer.js';
import { RateLimiter } from '../../../src/delivery/rate-limiter.js';
import type { Outgoing } from '../../../src/outgoing.js';
import type { PendingMessage } from '../../../src/ports.js';
import type { DepartmentsConfig } from '../../../bots/config.js';
import { recordingLogger } from './listeners/bolt-arguments.js';

const support = 'C0SUPPORT1';
const accountingChannel = 'C0ACCOUNT1';
const departments: DepartmentsConfig = {
  clientFirstReplyWithinMs: 900_000,
  supportLead: [],
  departments: [{ id: 'accounting', name: 'Accounting', names: ['accounting'], aliases: [], channel: accountingChannel, replyWithinMs: 3_600_000, mention: [], remindAt: [0.5], escalateTo: [] }],
} as unknown as DepartmentsConfig;

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const backend of opened.splice(0)) await backend.close();
});

/** Slack refusing a call on a message that was deleted. */
const gone = () => Object.assign(new Error('An API error occurred: message_not_found'), { code: webApi.ErrorCode.PlatformError, data: { ok: false, error: 'message_not_found' } });

/**
 * A SlackDeliverer on a fresh SQLite storage with one client and one open case in the support
 * channel, and a Web API client that records every call and answers posts with growing ts.
 */
async function setup() {
  const backend = openSqliteStorage(':memory:');
  opened.push(backend);
  const clock = { at: Date.UTC(2026, 11, 2, 10), now: () => clock.at };
  const calls: { method: string; request: Record<string, unknown> }[] = [];
  let nextTs = 1;
  const fail = new Map<string, () => Error>();
  const record = (method: string, answer: () => Record<string, unknown> = () => ({ ok: true })) => async (request: Record<string, unknown>) => {
    calls.push({ method, request });
    const failure = fail.get(method);
    if (failure !== undefined) {
      fail.delete(method);
      throw failure();
    }
    return answer();
  };
  const client = {
    chat: {
      postMessage: record('chat.postMessage', () => ({ ok: true, ts: `1764669600.00000${nextTs++}` })),
      update: record('chat.update'),
      getPermalink: record('chat.getPermalink', () => ({ ok: true, permalink: 'https://acme.slack.com/archives/C0SUPPORT1/p1' })),
      postEphemeral: record('chat.postEphemeral'),
    },
    conversations: { history: record('conversations.history', () => ({ ok: true, messages: [] })), replies: record('conversations.replies', () => ({ ok: true, messages: [] })) },
    reactions: { add: record('reactions.add') },
    filesUploadV2: record('files.uploadV2'),
  } as unknown as webApi.WebClient;
  const { caseId, clientId } = await backend.uow.run(async (tx) => {
    const c = await tx.upsertClient({ chatId: 7001, userId: 7001, firstName: 'Olena' }, 'en', clock.at - 60_000);
    const theCase = await tx.createCase({ clientId: c.id, thread: { platform: 'slack', conversation: support, thread: null }, previousCaseId: null, openedAt: clock.at - 60_000 });
    await tx.appendEvent({ caseId: theCase.id, at: clock.at - 60_000, kind: 'case-opened', authorKind: 'client', authorId: null, authorName: null, text: 'Where is my refund?', data: null });
    return { caseId: theCase.id, clientId: c.id };
  });
  const deliverer = new SlackDeliverer({
    client,
    uow: backend.uow,
    departments,
    clock,
    downloadClientFile: async () => Buffer.from('file'),
    channelLimiter: new RateLimiter({ perSecond: Infinity, burst: 1 }, clock.now),
    timeZone: 'UTC',
    log: recordingLogger(),
  });
  let rowId = 100;
  /** `message` as the oldest pending outbox row of its stream, written moments ago. */
  const row = (message: Outgoing): PendingMessage => ({ id: rowId++, stream: 'test', message, attempts: 0, caseId, createdAt: clock.at });
  const signal = new AbortController().signal;
  return { backend, deliverer, calls, fail, caseId, clientId, clock, row, signal, read: backend.uow.read.bind(backend.uow) };
}

describe('SlackDeliverer on the unit of work', () => {
  it('posts a new case card and keeps its ts as the case thread, durable before the delivery resolves', async () => {
    const t = await setup();
    expect(await t.deliverer.deliver([t.row({ to: 'case-card', caseId: t.caseId, op: 'post' })], t.signal)).toBe(1);
    expect(t.calls.map((c) => [c.method, c.request.channel, c.request.thread_ts])).toEqual([['chat.postMessage', support, undefined]]);
    expect((await t.read((tx) => tx.getCase(t.caseId)))?.thread.thread).toBe('1764669600.000001');
  });

  it('carries on a new card the text messages its client wrote before it was posted; later renderings keep them, the thread gets the rest', async () => {
    const t = await setup();
    const said = async (text: string) => {
      const event = await t.backend.uow.run((tx) =>
        tx.appendEvent({ caseId: t.caseId, at: t.clock.at, kind: 'client-message', authorKind: 'client', authorId: '7001', authorName: 'Olena', text, data: { content: { type: 'text', text } } }),
      );
      return t.row({ to: 'case-thread', caseId: t.caseId, post: { type: 'client-message', eventId: event.id, content: { type: 'text', text } } });
    };
    await said('Where is my refund?');
    const [second, third] = [await said('It was due on Monday.'), await said('Order 5531 & 5532.')];
    const photo = t.row({ to: 'case-thread', caseId: t.caseId, post: { type: 'client-message', eventId: 0, content: { type: 'photo', file: { fileId: 'f1', fileName: 'r.jpg', mimeType: 'image/jpeg' } } } });
    const card = t.row({ to: 'case-card', caseId: t.caseId, op: 'post' });
    // The card and the two texts behind it go in one post; the photo (no plain text) waits for its own.
    expect(await t.deliverer.deliver([card, second, third, photo], t.signal)).toBe(3);
    const posts = t.calls.filter((c) => c.method === 'chat.postMessage');
    expect(posts).toHaveLength(1);
    const blocks = JSON.stringify(posts[0]?.request.blocks);
    expect(blocks).toContain('It was due on Monday.');
    expect(blocks).toContain('Order 5531 &amp; 5532.');
    // Crash recovery finds every row the card carried by its metadata.
    expect((posts[0]?.request.metadata as { event_payload: { outbox_ids: string } }).event_payload.outbox_ids).toBe(`${card.id},${second.id},${third.id}`);
    const events = await t.read((tx) => tx.listEvents(t.caseId));
    expect(events.filter((e) => e.kind === 'card-carried').map((e) => e.data)).toEqual([{ eventIds: events.filter((e) => e.kind === 'client-message').slice(1).map((e) => e.id) }]);
    // An update of the card (the case assigned, say) still shows what it carried.
    await t.deliverer.deliver([t.row({ to: 'case-card', caseId: t.caseId, op: 'update' })], t.signal);
    const update = t.calls.find((c) => c.method === 'chat.update');
    expect(JSON.stringify(update?.request.blocks)).toContain('It was due on Monday.');
  });

  it('carries nothing when the card was posted before (a retry) or its first message goes on in the thread', async () => {
    const t = await setup();
    const long = 'x'.repeat(4000);
    const event = await t.backend.uow.run((tx) => tx.appendEvent({ caseId: t.caseId, at: t.clock.at, kind: 'client-message', authorKind: 'client', authorId: '7001', authorName: 'Olena', text: long, data: { content: { type: 'text', text: long } } }));
    const next = t.row({ to: 'case-thread', caseId: t.caseId, post: { type: 'client-message', eventId: event.id + 1, content: { type: 'text', text: 'and more' } } });
    expect(await t.deliverer.deliver([t.row({ to: 'case-card', caseId: t.caseId, op: 'post' }), next], t.signal)).toBe(1);
    expect(JSON.stringify(t.calls[0]?.request.blocks)).not.toContain('and more');
  });

  it('updates the card in place, reading the case as it is now', async () => {
    const t = await setup();
    await t.backend.uow.run((tx) => tx.updateCase(t.caseId, { thread: { platform: 'slack', conversation: support, thread: '1764669000.000100' }, assignee: 'U0AGENT1' }));
    expect(await t.deliverer.deliver([t.row({ to: 'case-card', caseId: t.caseId, op: 'update' }), t.row({ to: 'case-card', caseId: t.caseId, op: 'update' })], t.signal)).toBe(2);
    expect(t.calls.map((c) => [c.method, c.request.channel, c.request.ts])).toEqual([['chat.update', support, '1764669000.000100']]);
  });

  it('posts a card deleted in Slack again, moving the case to the new thread and recording it in one unit of work', async () => {
    const t = await setup();
    await t.backend.uow.run((tx) => tx.updateCase(t.caseId, { thread: { platform: 'slack', conversation: support, thread: '1764669000.000100' } }));
    t.fail.set('chat.update', gone);
    await t.deliverer.deliver([t.row({ to: 'case-card', caseId: t.caseId, op: 'update' })], t.signal);
    expect(t.calls.map((c) => c.method)).toEqual(['chat.update', 'conversations.history', 'chat.postMessage', 'chat.postMessage']);
    const { theCase, events } = await t.read(async (tx) => ({ theCase: await tx.getCase(t.caseId), events: await tx.listEvents(t.caseId) }));
    expect(theCase?.thread.thread).toBe('1764669600.000001');
    expect(events.filter((e) => e.kind === 'card-reposted').map((e) => e.data)).toEqual([{ previousTs: '1764669000.000100', ts: '1764669600.000001' }]);
    // The notice goes into the new thread.
    expect(t.calls[3]?.request.thread_ts).toBe('1764669600.000001');
  });

  it('posts a question to its department and keeps its ts, then the confirmation in the case thread and keeps that', async () => {
    const t = await setup();
    await t.backend.uow.run((tx) => tx.updateCase(t.caseId, { thread: { platform: 'slack', conversation: support, thread: '1764669000.000100' } }));
    const ask = await t.backend.uow.run((tx) =>
      tx.createAsk({ caseId: t.caseId, departmentId: 'accounting', question: 'Was the refund sent?', askedBy: 'U0AGENT1', askedByName: 'Anna', askedAt: t.clock.at, deadlineAt: t.clock.at + 3_600_000, post: { platform: 'slack', conversation: accountingChannel, thread: null } }),
    );
    await t.deliverer.deliver([t.row({ to: 'department', askId: ask.id, caseId: t.caseId, post: { type: 'question' } })], t.signal);
    await t.deliverer.deliver([t.row({ to: 'case-thread', caseId: t.caseId, post: { type: 'ask-created', askId: ask.id } })], t.signal);
    expect(t.calls.map((c) => [c.method, c.request.channel, c.request.thread_ts])).toEqual([
      ['chat.getPermalink', support, undefined],
      ['chat.postMessage', accountingChannel, undefined],
      ['chat.postMessage', support, '1764669000.000100'],
    ]);
    const stored = await t.read((tx) => tx.getAsk(ask.id));
    expect([stored?.post.thread, stored?.confirmation]).toEqual(['1764669600.000001', '1764669600.000002']);
    // Posted before: a retry of the question posts nothing.
    await t.deliverer.deliver([t.row({ to: 'department', askId: ask.id, caseId: t.caseId, post: { type: 'question' } })], t.signal);
    expect(t.calls).toHaveLength(3);
  });

  it("takes the case channel's turn before thread posts are read, and none for a case that does not exist", async () => {
    const t = await setup();
    const taken: string[] = [];
    const limiter = { take: async (key: string) => void taken.push(key), pause: () => undefined } as unknown as RateLimiter;
    const deliverer = new SlackDeliverer({ client: {} as webApi.WebClient, uow: t.backend.uow, departments, clock: t.clock, downloadClientFile: async () => Buffer.from(''), channelLimiter: limiter, timeZone: 'UTC', log: recordingLogger() });
    await deliverer.ready(t.row({ to: 'case-thread', caseId: t.caseId, post: { type: 'ask-created', askId: 1 } }), t.signal);
    await deliverer.ready(t.row({ to: 'case-thread', caseId: 999, post: { type: 'ask-created', askId: 1 } }), t.signal);
    expect(taken).toEqual([support]);
  });

  it("waits for an album's other parts without the drain's slot (its idle), and for nothing else", async () => {
    const t = await setup();
    const idled: string[] = [];
    const limiter = { take: async () => undefined, pause: () => undefined } as unknown as RateLimiter;
    const idle = async (wait: () => Promise<void>) => {
      idled.push('wait');
      await wait();
    };
    const deliverer = new SlackDeliverer({ client: {} as webApi.WebClient, uow: t.backend.uow, departments, clock: t.clock, downloadClientFile: async () => Buffer.from(''), channelLimiter: limiter, timeZone: 'UTC', log: recordingLogger(), idle });
    const part = { type: 'photo' as const, file: { fileId: 'F1', fileName: 'a.jpg' }, mediaGroupId: 'album-1' };
    // The first part came 1,490 ms ago: 10 ms are left of the album's gathering time.
    const album = { ...t.row({ to: 'case-thread', caseId: t.caseId, post: { type: 'client-message', eventId: 1, content: part } }), createdAt: t.clock.at - 1490 };
    await deliverer.ready(album, t.signal);
    expect(idled).toEqual(['wait']);
    await deliverer.ready(t.row({ to: 'case-thread', caseId: t.caseId, post: { type: 'client-message', eventId: 2, content: { type: 'text', text: 'hi' } } }), t.signal);
    expect(idled).toEqual(['wait']);
  });

  it('refuses for good a post about a case that does not exist', async () => {
    const t = await setup();
    await expect(t.deliverer.deliver([t.row({ to: 'case-card', caseId: 999, op: 'post' })], t.signal)).rejects.toThrow('case #999 does not exist');
    await expect(t.deliverer.deliver([t.row({ to: 'department', askId: 999, caseId: t.caseId, post: { type: 'question' } })], t.signal)).rejects.toThrow('question Q999 does not exist');
    expect(t.calls).toEqual([]);
  });
});
