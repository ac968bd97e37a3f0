import { describe, expect, it } from 'vitest';
import { anna, clientProfile, createDomain, minute, mondayMorning, type Domain } from '../../support/domain.js';
import type { ClientCommand } from '../../../src/cases/case-service.js';

const command = (fx: Domain, name: ClientCommand, chatId = 1001) => fx.act(() => fx.cases.receiveClientCommand(fx.key(), clientProfile(chatId), name));

describe('a client writes to the bot', () => {
  it('a first message opens a case: its card is posted with the text, the client is told the number', async () => {
    const fx = createDomain();
    const mark = fx.sent.mark();
    const result = await fx.act(() => fx.cases.receiveClientMessage('tg:1', clientProfile(), { type: 'text', text: 'hello' }));
    expect(result).toEqual({ outcome: 'done', caseId: 1, opened: true });
    const sent = fx.sent.since(mark);
    expect(sent.all().filter((m) => m.to === 'case-card')).toEqual([{ to: 'case-card', caseId: 1, op: 'post' }]);
    expect(sent.thread()).toEqual([]);
    expect(sent.client(1001).map((m) => m.notice)).toEqual([{ type: 'case-opened', caseId: 1, empty: false }]);
    expect(await fx.caseNow(1)).toMatchObject({ status: 'open', clientWaitingSince: mondayMorning, openedAt: mondayMorning, previousCaseId: null, thread: { platform: 'slack', conversation: 'C0SUPPORT' } });
    expect((await fx.store.listEvents(1)).map((e) => [e.kind, e.authorKind, e.authorName, e.text])).toEqual([
      ['case-opened', 'client', 'Olga', null],
      ['client-message', 'client', 'Olga', 'hello'],
    ]);
  });

  it('a photo as the first message goes into the thread after the card', async () => {
    const fx = createDomain();
    const content = { type: 'photo', file: { fileId: 'F1', fileName: 'receipt.jpg' }, caption: 'my receipt' } as const;
    await fx.act(() => fx.cases.receiveClientMessage('tg:1', clientProfile(), content));
    expect(fx.sent.to().slice(0, 2)).toEqual(['case-card', 'case-thread']);
    expect(fx.sent.thread(1).map((m) => m.post)).toMatchObject([{ type: 'client-message', content }]);
  });

  it('later messages go into the thread; the card shows the client waiting again after a reply', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.advance(minute);
    const mark = fx.sent.mark();
    await fx.clientSays('anyone?');
    expect(fx.sent.since(mark).all()).toMatchObject([{ to: 'case-thread', caseId: c.id, post: { type: 'client-message', content: { type: 'text', text: 'anyone?' } } }]);
    expect((await fx.caseNow(c.id)).clientWaitingSince).toBe(mondayMorning);
    await fx.agentSays(c.id, '!reply here');
    const again = fx.sent.mark();
    await fx.clientSays('thanks');
    expect((await fx.caseNow(c.id)).clientWaitingSince).toBe(mondayMorning + minute);
    expect(fx.sent.since(again).to()).toEqual(['case-card', 'case-thread']);
    // Already answered once: no new client-wait alert is scheduled.
    expect(fx.scheduler.waits).toHaveLength(1);
  });

  it('the same update twice has one effect', async () => {
    const fx = createDomain();
    await fx.act(() => fx.cases.receiveClientMessage('tg:7', clientProfile(), { type: 'text', text: 'hello' }));
    expect(await fx.act(() => fx.cases.receiveClientMessage('tg:7', clientProfile(), { type: 'text', text: 'hello' }))).toEqual({ outcome: 'duplicate' });
    expect((await fx.store.listEvents(1)).filter((e) => e.kind === 'client-message')).toHaveLength(1);
  });

  it('after a close the next message opens a new case linked to the previous one, whose thread is told', async () => {
    const fx = createDomain();
    const first = await fx.clientSays('hello');
    await fx.agentSays(first.id, '!close');
    const mark = fx.sent.mark();
    const second = await fx.clientSays('again');
    expect(second).toMatchObject({ previousCaseId: first.id });
    expect(fx.sent.since(mark).thread(first.id).map((m) => m.post)).toEqual([{ type: 'client-new-case', newCaseId: second.id }]);
    expect((await fx.store.listEvents(first.id)).at(-1)).toMatchObject({ kind: 'linked', data: { otherCaseId: second.id, followUp: true } });
    expect((await fx.store.listEvents(second.id))[0]).toMatchObject({ kind: 'case-opened', data: { previousCaseId: first.id, byCommand: false } });
  });

  it('a message in a group is answered once, politely, and nothing is stored', async () => {
    const fx = createDomain();
    expect(await fx.act(() => fx.cases.receiveNonPrivateMessage('tg:g1', -100))).toEqual({ outcome: 'done' });
    expect(fx.sent.all()).toEqual([{ to: 'client', chatId: -100, notice: { type: 'private-only' } }]);
    expect(await fx.store.findClientByChat(-100)).toBeUndefined();
  });
});

describe("a client's commands", () => {
  it('/start greets with the open cases; /help; /language', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const mark = fx.sent.mark();
    // Each answered: the outcome the logs show is "done", with no case named (none was acted on).
    expect(await command(fx, 'start')).toEqual({ outcome: 'done' });
    expect(await command(fx, 'help')).toEqual({ outcome: 'done' });
    expect(await command(fx, 'language')).toEqual({ outcome: 'done' });
    expect(await command(fx, 'status')).toEqual({ outcome: 'done' });
    expect(fx.sent.since(mark).client(1001).map((m) => m.notice.type)).toEqual(['greeting', 'help', 'choose-language', 'status']);
    expect(fx.sent.since(mark).client(1001).slice(0, 3).map((m) => m.notice)).toEqual([{ type: 'greeting', openCaseIds: [c.id] }, { type: 'help' }, { type: 'choose-language' }]);
  });

  it('/status shows each open case as waiting for us or for the client', async () => {
    const fx = createDomain();
    const waiting = await fx.clientSays('hello');
    await command(fx, 'new');
    const answered = (await fx.store.listOpenCases(1)).find((c) => c.id !== waiting.id);
    if (answered === undefined) throw new Error('no second case');
    await fx.act(() => fx.uow.run(async (tx) => tx.updateCase(answered.id, { thread: { ...answered.thread, thread: '1.5' } })));
    await fx.agentSays(answered.id, '!reply done');
    const mark = fx.sent.mark();
    await command(fx, 'status');
    const [status] = fx.sent.since(mark).client(1001);
    expect(status?.notice).toEqual({
      type: 'status',
      cases: expect.arrayContaining([
        { id: waiting.id, status: 'waiting-for-us', openedAt: mondayMorning },
        { id: answered.id, status: 'waiting-for-you', openedAt: mondayMorning },
      ]),
    });
  });

  it('/status: a client who wrote again after a reply, and an empty case nobody answered, wait for us', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.agentSays(c.id, '!reply hi');
    await fx.clientSays('one more thing');
    await command(fx, 'new');
    const mark = fx.sent.mark();
    await command(fx, 'status');
    const [status] = fx.sent.since(mark).client(1001);
    expect(status?.notice.type === 'status' && status.notice.cases.map((x) => x.status)).toEqual(['waiting-for-us', 'waiting-for-us']);
  });

  it('/new opens an empty case up to the limit, then lists the open ones', async () => {
    const fx = createDomain({ maxOpenCasesPerClient: 2 });
    await fx.clientSays('hello');
    const mark = fx.sent.mark();
    expect(await command(fx, 'new')).toEqual({ outcome: 'done', caseId: 2, opened: true });
    const sent = fx.sent.since(mark);
    expect(sent.all().filter((m) => 'caseId' in m && m.caseId === 2)).toEqual([
      { to: 'case-card', caseId: 2, op: 'post' },
      { to: 'client', chatId: 1001, caseId: 2, notice: { type: 'case-opened', caseId: 2, empty: true } },
    ]);
    // The case still open is linked to it, and its thread says so.
    expect(sent.thread(1).map((m) => m.post)).toEqual([{ type: 'client-new-case', newCaseId: 2 }]);
    expect((await fx.store.listEvents(2))[0]).toMatchObject({ kind: 'case-opened', data: { previousCaseId: 1, byCommand: true } });
    const full = fx.sent.mark();
    expect(await command(fx, 'new')).toEqual({ outcome: 'ignored', reason: 'open-case limit (2) reached' });
    const [refusal] = fx.sent.since(full).client(1001);
    expect(refusal?.notice).toMatchObject({ type: 'too-many-open-cases', limit: 2 });
    expect(refusal?.notice.type === 'too-many-open-cases' && refusal.notice.cases.map((c) => c.id).sort()).toEqual([1, 2]);
    expect(await fx.store.listOpenCases(1)).toHaveLength(2);
  });

  it('the limit is 3 by default', async () => {
    const fx = createDomain();
    for (let n = 0; n < 3; n++) expect(await command(fx, 'new')).toMatchObject({ outcome: 'done', opened: true });
    expect(await command(fx, 'new')).toMatchObject({ outcome: 'ignored' });
  });

  it("sets the client's language", async () => {
    const fx = createDomain();
    await fx.act(() => fx.cases.setClientLanguage('tg:l1', clientProfile(), 'uk'));
    expect((await fx.store.findClientByChat(1001))?.language).toBe('uk');
    expect(fx.sent.all()).toEqual([{ to: 'client', chatId: 1001, notice: { type: 'language-set' } }]);
  });
});

describe('a message that can never be delivered', () => {
  it('is recorded in the history and told in the case thread', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const mark = fx.sent.mark();
    await fx.act(() => fx.cases.recordDeliveryFailure({ to: 'client', chatId: 1001, caseId: c.id, notice: { type: 'agent-reply', caseId: c.id, text: 'hi', agentName: 'Anna' } }, 'bot was blocked'));
    expect(fx.sent.since(mark).thread(c.id).map((m) => m.post)).toEqual([{ type: 'delivery-failed', what: 'the reply to the client', reason: 'bot was blocked' }]);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({ kind: 'delivery-failed', authorKind: 'system', text: 'bot was blocked', data: { what: 'the reply to the client', to: 'client' } });
  });

  it('names what failed', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const fail = (message: Parameters<Domain['cases']['recordDeliveryFailure']>[0]) => fx.act(() => fx.cases.recordDeliveryFailure(message, 'x'));
    await fail({ to: 'client', chatId: 1001, caseId: c.id, notice: { type: 'case-closed', caseId: c.id } });
    await fail({ to: 'case-card', caseId: c.id, op: 'post' });
    await fail({ to: 'department', caseId: c.id, askId: 4, post: { type: 'reminder', index: 0 } });
    await fail({ to: 'case-thread', caseId: c.id, post: { type: 'history' } });
    expect(fx.sent.thread(c.id).map((m) => (m.post.type === 'delivery-failed' ? m.post.what : ''))).toEqual([
      'the "case-closed" message to the client',
      'the case card',
      'the reminder post about Q4 in the department channel',
      'a history post in the case thread',
    ]);
  });

  it('is not told in the thread when the telling failed itself, nor for reactions and private answers', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const mark = fx.sent.mark();
    await fx.act(() => fx.cases.recordDeliveryFailure({ to: 'case-thread', caseId: c.id, post: { type: 'delivery-failed', what: 'a', reason: 'b' } }, 'x'));
    await fx.act(() => fx.cases.recordDeliveryFailure({ to: 'staff-delivered-mark', caseId: c.id, conversation: 'C0SUPPORT', message: '1.1' }, 'x'));
    expect(fx.sent.since(mark).all()).toEqual([]);
    expect((await fx.store.listEvents(c.id)).filter((e) => e.kind === 'delivery-failed').map((e) => e.data?.what)).toEqual(['a delivery-failed post in the case thread', 'a delivered mark']);
  });

  it('outside a case is only logged', async () => {
    const fx = createDomain();
    await fx.cases.recordDeliveryFailure({ to: 'staff-private', conversation: 'C0SUPPORT', user: anna.user, notice: { type: 'help' } }, 'channel_not_found');
    expect(fx.log.lines).toEqual([{ level: 'warn', message: 'undeliverable message outside a case', fields: { to: 'staff-private', reason: 'channel_not_found' } }]);
    expect(fx.sent.all()).toEqual([]);
  });
});

describe('card buttons and forms', () => {
  it('a form opens for an agent; for anyone else the refusal is told in the case thread', async () => {
    const fx = createDomain({ agents: ['U0ANNA'] });
    const c = await fx.clientSays('hello');
    expect(await fx.act(() => fx.cases.mayOpenForm({ inboundKey: fx.key(), caseId: c.id, user: anna.user, command: 'reply' }))).toBe(true);
    expect(await fx.act(() => fx.cases.mayOpenForm({ inboundKey: fx.key(), caseId: c.id, user: 'U0EVE', command: 'help' }))).toBe(true);
    const mark = fx.sent.mark();
    expect(await fx.act(() => fx.cases.mayOpenForm({ inboundKey: fx.key(), caseId: c.id, user: 'U0EVE', command: 'ask' }))).toBe(false);
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'staff-private', conversation: c.thread.conversation, user: 'U0EVE', thread: c.thread.thread, notice: { type: 'not-agent', command: '!ask', via: 'button' } }]);
  });

  it('a button for a case that does not exist, or whose card was never posted, is ignored', async () => {
    const fx = createDomain();
    expect(await fx.cases.receiveCardCommand({ inboundKey: fx.key(), caseId: 9, ts: 'a', ...anna, command: { name: 'close', summary: '' } })).toEqual({ outcome: 'ignored', reason: 'no such case card' });
    await fx.cases.receiveClientCommand(fx.key(), clientProfile(), 'new');
    await fx.settle();
    expect(await fx.cases.receiveCardCommand({ inboundKey: fx.key(), caseId: 1, ts: 'a', ...anna, command: { name: 'close', summary: '' } })).toEqual({ outcome: 'ignored', reason: 'no such case card' });
    expect(await fx.cases.caseView(9)).toBeUndefined();
    expect(await fx.cases.caseView(1)).toMatchObject({ theCase: { id: 1 }, client: { chatId: 1001 } });
  });
});
