import { describe, expect, it } from 'vitest';
import { createDomain, hour, minute, mondayMorning } from '../../support/domain.js';

describe('a department answers in the thread of its question', () => {
  it('posts the answer into the case thread, marks the question answered and removes its deadline jobs', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why was the client billed twice?');
    await fx.advance(10 * minute);
    const mark = fx.sent.mark();
    const result = await fx.departmentReplies(ask.id, 'a duplicate payment, refunded today', { user: 'U0BORIS', userName: 'Boris' });
    expect(result).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).thread(c.id).map((m) => m.post)).toEqual([
      { type: 'ask-answered', askId: ask.id, byName: 'Boris', text: 'a duplicate payment, refunded today', followUp: false, allSettled: true },
    ]);
    expect(await fx.askNow(ask.id)).toMatchObject({ status: 'answered', answeredAt: mondayMorning + 10 * minute, answeredBy: 'U0BORIS', answeredByName: 'Boris' });
    expect(fx.scheduler.kindsOf(ask.id)).toEqual([]);
    expect(fx.scheduler.removed).toEqual([`ask-${ask.id}-v${ask.version}-r0`, `ask-${ask.id}-v${ask.version}-r1`, `ask-${ask.id}-v${ask.version}-due`, `ask-${ask.id}-v${ask.version}-again`]);
    const answered = (await fx.store.listEvents(c.id)).filter((e) => e.kind === 'ask-answered');
    expect(answered).toMatchObject([{ authorKind: 'department', authorId: 'U0BORIS', authorName: 'Boris', text: 'a duplicate payment, refunded today', data: { askId: ask.id, department: 'Accounting' } }]);
    // The reply's own message is kept, to link to it.
    expect(answered[0]?.data?.ts).toEqual(expect.stringMatching(/^\d+\.\d+$/));
    // Its buttons go: the question's posts are redrawn, in the department channel and the case thread.
    expect(fx.sent.since(mark).all().filter((m) => m.to === 'question-post')).toEqual([
      { to: 'question-post', askId: ask.id, caseId: c.id, where: 'department' },
      { to: 'question-post', askId: ask.id, caseId: c.id, where: 'case-thread' },
    ]);
    // Nothing fires afterwards.
    await fx.advance(3 * hour);
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question']);
  });

  it('refuses a deadline job that still fires after the answer (its removal raced it)', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    await fx.departmentReplies(ask.id, 'because');
    await fx.advance(hour);
    for (const which of [{ kind: 'reminder', index: 0 }, { kind: 'due' }, { kind: 'again' }] as const) {
      const result = await fx.runJob({ type: 'ask', askId: ask.id, version: ask.version, which });
      expect(result.outcome).toBe('ignored');
    }
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question']);
    expect(fx.sent.threadPosts(c.id)).not.toContain('ask-overdue');
  });

  it('posts a later message in the same thread as a follow-up, without answering again', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    await fx.departmentReplies(ask.id, 'because', { user: 'U0BORIS', userName: 'Boris' });
    await fx.advance(minute);
    const mark = fx.sent.mark();
    await fx.departmentReplies(ask.id, 'and one more thing', { user: 'U0VERA', userName: 'Vera' });
    expect(fx.sent.since(mark).thread(c.id).map((m) => m.post)).toEqual([
      { type: 'ask-answered', askId: ask.id, byName: 'Vera', text: 'and one more thing', followUp: true, allSettled: false },
    ]);
    expect(await fx.askNow(ask.id)).toMatchObject({ status: 'answered', answeredBy: 'U0BORIS', answeredAt: mondayMorning });
    expect((await fx.historyKinds(c.id)).filter((k) => k === 'ask-answered' || k === 'department-message')).toEqual(['ask-answered', 'department-message']);
    expect(fx.scheduler.removed).toHaveLength(4);
  });

  it('says not all settled while another question waits for its answer', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const first = await fx.ask(c.id, 'acc why?');
    await fx.ask(c.id, 'legal may we?');
    await fx.departmentReplies(first.id, 'because');
    expect(fx.sent.thread(c.id).find((m) => m.post.type === 'ask-answered')?.post).toMatchObject({ allSettled: false });
  });

  it('ignores a message in a thread that is no question, and a duplicate delivery', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    const stray = await fx.asks.receiveDepartmentReply({ inboundKey: 'slack:Ev9', platform: 'slack', channel: 'C0ACCOUNTING', threadTs: '999.999', ts: '1000.1', user: 'U0BORIS', userName: 'Boris', text: 'hi' });
    expect(stray).toEqual({ outcome: 'ignored', reason: 'not an ask thread' });
    const reply = { inboundKey: 'slack:Ev10', platform: 'slack', channel: 'C0ACCOUNTING', threadTs: (await fx.askNow(ask.id)).post.thread as string, ts: '1000.2', user: 'U0BORIS', userName: 'Boris', text: 'because' };
    expect(await fx.asks.receiveDepartmentReply(reply)).toMatchObject({ outcome: 'done' });
    await fx.settle();
    expect(await fx.asks.receiveDepartmentReply(reply)).toEqual({ outcome: 'duplicate' });
    await fx.settle();
    expect(fx.sent.threadPosts(c.id).filter((t) => t === 'ask-answered')).toHaveLength(1);
  });
});
