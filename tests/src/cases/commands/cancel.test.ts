import { describe, expect, it } from 'vitest';
import { createDomain, hour } from '../../../support/domain.js';
import { eve, expectRefusedToNonAgent, withAgents } from '../../../support/commands.js';

const boris = { user: 'U0BORIS', userName: 'Boris' };

describe('!cancel (the command; the use case is in tests/src/asks/cancel.test.ts)', () => {
  it('with SLACK_AGENTS set, is refused to anyone else: the question stays open and its deadline still fires', async () => {
    const { fx, c } = await withAgents();
    await fx.agentSays(c.id, '!ask acc why?', boris);
    const [ask] = await fx.store.listAsks(c.id);
    await expectRefusedToNonAgent(fx, c.id, '!cancel', '!cancel');
    expect(ask && (await fx.askNow(ask.id)).status).toBe('open');
    await fx.advance(hour);
    expect(fx.sent.departmentPosts(ask?.id)).toEqual(['question', 'reminder', 'reminder', 'overdue']);
  });

  it('with SLACK_AGENTS set, the "Cancel question" button is refused to anyone else', async () => {
    const { fx, c } = await withAgents();
    await fx.agentSays(c.id, '!ask acc why?', boris);
    const [ask] = await fx.store.listAsks(c.id);
    if (ask === undefined) throw new Error('no question');
    const mark = fx.sent.mark();
    const result = await fx.act(() => fx.cases.receiveCardCommand({ inboundKey: fx.key(), caseId: c.id, ts: 'action-1', ...eve, command: { name: 'cancel', args: '', askId: ask.id } }));
    expect(result).toEqual({ outcome: 'ignored', reason: 'not an agent' });
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'staff-private', conversation: c.thread.conversation, user: eve.user, thread: c.thread.thread, notice: { type: 'not-agent', command: '!cancel', via: 'button' } }]);
    expect((await fx.askNow(ask.id)).status).toBe('open');
  });

  it('without SLACK_AGENTS, a button is for support channel members only', async () => {
    const fx = createDomain({ members: ['U0ANNA'] });
    const c = await fx.clientSays('hello');
    const ask = await fx.ask(c.id, 'acc why?');
    const press = (user: string) => fx.act(() => fx.cases.receiveCardCommand({ inboundKey: fx.key(), caseId: c.id, ts: 'action-1', user, userName: user, command: { name: 'cancel', args: '', askId: ask.id } }));
    expect(await press('U0STRANGER')).toEqual({ outcome: 'ignored', reason: 'not an agent' });
    expect((await fx.askNow(ask.id)).status).toBe('open');
    expect(await press('U0ANNA')).toEqual({ outcome: 'done', caseId: c.id });
    expect((await fx.askNow(ask.id)).status).toBe('cancelled');
  });
});
