import { describe, expect, it } from 'vitest';
import { anna, createDomain, hour, minute, mondayMorning } from '../../../support/domain.js';
import { expectRefusedToNonAgent, withAgents } from '../../../support/commands.js';

describe('!ask (the command; the question use case is in tests/src/asks)', () => {
  it('from the card form, creates the question as validated by the form', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const department = fx.asks.department('accounting');
    if (department === undefined) throw new Error('no accounting');
    const result = await fx.act(() => fx.cases.receiveCardCommand({ inboundKey: fx.key(), caseId: c.id, ts: 'view-1', ...anna, command: { name: 'ask', args: '', form: { department, durationMs: 20 * minute, question: 'why twice?' } } }));
    expect(result).toEqual({ outcome: 'done', caseId: c.id });
    expect(await fx.store.listAsks(c.id)).toMatchObject([{ departmentId: 'accounting', question: 'why twice?', deadlineAt: mondayMorning + 20 * minute, askedBy: anna.user }]);
    expect(fx.sent.departmentPosts()).toEqual(['question']);
  });

  it('from the card form, refuses a question on a closed case', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.agentSays(c.id, '!close');
    const department = fx.asks.department('legal');
    if (department === undefined) throw new Error('no legal');
    const mark = fx.sent.mark();
    const result = await fx.act(() => fx.cases.receiveCardCommand({ inboundKey: fx.key(), caseId: c.id, ts: 'view-1', ...anna, command: { name: 'ask', args: '', form: { department, question: 'may we?' } } }));
    expect(result).toEqual({ outcome: 'ignored', reason: 'case closed' });
    expect(fx.sent.since(mark).notices(anna.user)).toEqual([{ type: 'case-closed', command: '!ask' }]);
    expect(await fx.store.listAsks(c.id)).toEqual([]);
  });

  it('with SLACK_AGENTS set, is refused to anyone else: no question, no job, nothing to the department', async () => {
    const { fx, c } = await withAgents();
    await expectRefusedToNonAgent(fx, c.id, '!ask acc in 1h why twice?', '!ask');
    expect(fx.sent.departmentPosts()).toEqual([]);
    await fx.advance(2 * hour);
    expect(fx.sent.departmentPosts()).toEqual([]);
  });
});
