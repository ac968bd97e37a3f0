import { describe, expect, it } from 'vitest';
import { anna, createDomain, minute, mondayMorning } from '../../../support/domain.js';
import { expectRefusedToNonAgent, withAgents } from '../../../support/commands.js';

describe('!close', () => {
  it('closes the case with its summary, tells the client (then asks for a rating) and posts in the thread', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    await fx.advance(minute);
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!close refunded the double charge')).toEqual({ outcome: 'done', caseId: c.id });
    expect(await fx.caseNow(c.id)).toMatchObject({ status: 'closed', closedAt: mondayMorning + minute, closeSummary: 'refunded the double charge' });
    const sent = fx.sent.since(mark);
    expect(sent.client(1001)).toEqual([
      { to: 'client', chatId: 1001, caseId: c.id, notice: { type: 'case-closed', caseId: c.id }, afterDelivery: [{ to: 'client', chatId: 1001, caseId: c.id, notice: { type: 'rate-request', caseId: c.id } }] },
    ]);
    expect(sent.thread(c.id).map((m) => m.post)).toEqual([{ type: 'closed', by: anna.user, summary: 'refunded the double charge' }]);
    expect(sent.all().filter((m) => m.to === 'case-card')).toEqual([{ to: 'case-card', caseId: c.id, op: 'update' }]);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({ kind: 'closed', authorId: anna.user, text: 'refunded the double charge' });
  });

  it("clears the client's waiting mark", async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello?');
    expect((await fx.caseNow(c.id)).clientWaitingSince).toBe(mondayMorning);
    await fx.agentSays(c.id, '!close');
    expect(await fx.caseNow(c.id)).toMatchObject({ clientWaitingSince: null, closeSummary: null });
  });

  it('the client writing after the close opens a new case linked to it', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.agentSays(c.id, '!close');
    const next = await fx.clientSays('one more thing');
    expect(next.id).not.toBe(c.id);
    expect(next.previousCaseId).toBe(c.id);
  });

  it('refuses to close a closed case (already-closed), and changes nothing', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.agentSays(c.id, '!close first');
    await fx.advance(minute);
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!close second')).toEqual({ outcome: 'ignored', reason: 'already closed' });
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'staff-private', conversation: c.thread.conversation, user: anna.user, thread: c.thread.thread, notice: { type: 'already-closed', caseId: c.id } }]);
    expect(await fx.caseNow(c.id)).toMatchObject({ closedAt: mondayMorning, closeSummary: 'first' });
  });

  it('with SLACK_AGENTS set, is refused to anyone else: the case stays open, its questions too', async () => {
    const { fx, c } = await withAgents();
    await fx.agentSays(c.id, '!ask acc why?', { user: 'U0BORIS', userName: 'Boris' });
    await expectRefusedToNonAgent(fx, c.id, '!close', '!close');
    expect((await fx.caseNow(c.id)).status).toBe('open');
  });

  it('with SLACK_AGENTS set, the Close button is refused to anyone else the same way, without a note', async () => {
    const { fx, c } = await withAgents();
    const mark = fx.sent.mark();
    const events = (await fx.store.listEvents(c.id)).length;
    const result = await fx.act(() => fx.cases.receiveCardCommand({ inboundKey: fx.key(), caseId: c.id, ts: 'action-1', user: 'U0EVE', userName: 'Eve', command: { name: 'close', summary: '' } }));
    expect(result).toEqual({ outcome: 'ignored', reason: 'not an agent' });
    expect(fx.sent.since(mark).notices('U0EVE')).toEqual([{ type: 'not-agent', command: '!close', via: 'button' }]);
    expect(fx.sent.since(mark).to()).toEqual(['staff-private']);
    expect(await fx.store.listEvents(c.id)).toHaveLength(events);
    expect((await fx.caseNow(c.id)).status).toBe('open');
  });
});
