import { describe, expect, it } from 'vitest';
import { anna, createDomain, hour, minute, mondayMorning, type Domain } from '../../support/domain.js';

/**
 * A question whose department is no longer in the departments file (removed or renamed while the
 * question was open, then Repka restarted): it is still answered, extended, declined, cancelled
 * and settled by a close, its deadline fires (24/7, no reminders, no second escalation), and it
 * is named by its department id.
 */
async function questionToGoneDepartment(): Promise<{ fx: Domain; caseId: number; askId: number }> {
  const fx = createDomain();
  const c = await fx.clientSays('my invoice is wrong');
  const ask = await fx.uow.run((tx) =>
    tx.createAsk({ caseId: c.id, departmentId: 'marketing', question: 'who sent the promo?', askedBy: anna.user, askedByName: anna.userName, askedAt: mondayMorning, deadlineAt: mondayMorning + hour, post: { platform: 'slack', conversation: 'C0MARKETING', thread: null } }),
  );
  await fx.uow.run((tx) => tx.updateAsk(ask.id, { post: { platform: 'slack', conversation: 'C0MARKETING', thread: '1700000000.900000' } }));
  await fx.settle();
  return { fx, caseId: c.id, askId: ask.id };
}

describe('a question to a department no longer configured', () => {
  it('is rebuilt with its deadline only, which fires once', async () => {
    const { fx, caseId, askId } = await questionToGoneDepartment();
    await fx.restart();
    expect(fx.scheduler.asks.map((s) => s.schedule)).toEqual([{ askId, version: (await fx.askNow(askId)).version, reminders: [], dueAt: mondayMorning + hour, againAt: undefined }]);
    await fx.advance(2 * hour);
    expect(fx.sent.departmentPosts(askId)).toEqual(['overdue']);
    expect((await fx.store.listEvents(caseId)).find((e) => e.kind === 'ask-overdue')?.data).toMatchObject({ askId, departmentId: 'marketing', department: 'marketing' });
  });

  it('is answered, and its jobs removed', async () => {
    const { fx, caseId, askId } = await questionToGoneDepartment();
    expect(await fx.departmentReplies(askId, 'we did')).toEqual({ outcome: 'done', caseId });
    expect((await fx.askNow(askId)).status).toBe('answered');
    expect(fx.scheduler.removed).toEqual([`ask-${askId}-v${(await fx.askNow(askId)).version}-due`, `ask-${askId}-v${(await fx.askNow(askId)).version}-again`]);
    expect((await fx.store.listEvents(caseId)).find((e) => e.kind === 'ask-answered')?.data).toMatchObject({ department: 'marketing' });
  });

  it('is extended 24/7', async () => {
    const { fx, askId } = await questionToGoneDepartment();
    await fx.advance(10 * minute);
    await fx.act(() => fx.asks.extend(fx.key(), askId, 2 * hour, 'later', { user: 'U0VERA', userName: 'Vera' }));
    expect((await fx.askNow(askId)).deadlineAt).toBe(mondayMorning + 10 * minute + 2 * hour);
    expect(fx.scheduler.asks.at(-1)?.schedule.reminders).toEqual([]);
  });

  it('is declined, cancelled by name in the list, and settled by a close', async () => {
    const first = await questionToGoneDepartment();
    await first.fx.act(() => first.fx.asks.decline(first.fx.key(), first.askId, 'not ours', { user: 'U0VERA', userName: 'Vera' }));
    expect((await first.fx.askNow(first.askId)).status).toBe('declined');

    const { fx, caseId, askId } = await questionToGoneDepartment();
    const other = await fx.ask(caseId, 'acc why?');
    const mark = fx.sent.mark();
    await fx.agentSays(caseId, '!cancel');
    expect(fx.sent.since(mark).notices(anna.user)).toEqual([{ type: 'which-question', open: [{ askId, department: 'marketing' }, { askId: other.id, department: 'Accounting' }] }]);
    await fx.agentSays(caseId, `!cancel ${askId}`);
    expect((await fx.askNow(askId)).status).toBe('cancelled');

    const closing = await questionToGoneDepartment();
    await closing.fx.agentSays(closing.caseId, '!close');
    expect(await closing.fx.askNow(closing.askId)).toMatchObject({ status: 'cancelled', closedReason: 'case closed' });
  });
});
