import { describe, expect, it } from 'vitest';
import { createDomain, hour } from '../../support/domain.js';

const vera = { user: 'U0VERA', userName: 'Vera' };

describe('a department declines a question ("Not ours")', () => {
  it('marks it declined with the reason, tells the case thread, and removes its jobs', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    const mark = fx.sent.mark();
    const result = await fx.act(() => fx.asks.decline(fx.key(), ask.id, 'ask legal', vera));
    expect(result).toEqual({ outcome: 'done', caseId: c.id });
    expect(await fx.askNow(ask.id)).toMatchObject({ status: 'declined', closedReason: 'ask legal' });
    expect(fx.sent.since(mark).thread(c.id).map((m) => m.post)).toEqual([{ type: 'ask-declined', askId: ask.id, byName: 'Vera', reason: 'ask legal', allSettled: true }]);
    expect((await fx.store.listEvents(c.id)).filter((e) => e.kind === 'ask-declined')).toMatchObject([{ authorKind: 'department', authorId: 'U0VERA', text: 'ask legal', data: { askId: ask.id } }]);
    expect(fx.scheduler.kindsOf(ask.id)).toEqual([]);
    expect(fx.scheduler.removed).toHaveLength(4);
    await fx.advance(2 * hour);
    expect(fx.sent.departmentPosts(ask.id)).toEqual(['question']);
  });

  it('refuses a job that still fires after the decline', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    await fx.act(() => fx.asks.decline(fx.key(), ask.id, 'not ours', vera));
    fx.jump(hour);
    expect(await fx.runJob({ type: 'ask', askId: ask.id, version: ask.version, which: { kind: 'due' } })).toEqual({ outcome: 'ignored', reason: 'overdue already fired' });
    expect(fx.sent.threadPosts(c.id)).not.toContain('ask-overdue');
  });

  it('is refused once settled: a second decline changes nothing', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    await fx.act(() => fx.asks.decline(fx.key(), ask.id, 'not ours', vera));
    const mark = fx.sent.mark();
    expect(await fx.act(() => fx.asks.decline(fx.key(), ask.id, 'really not', vera))).toEqual({ outcome: 'ignored', reason: 'ask not open' });
    const sent = fx.sent.since(mark);
    expect(sent.to()).toEqual(['staff-private']);
    expect(sent.notices('U0VERA')).toEqual([{ type: 'question-not-open', askId: ask.id }]);
    expect((await fx.askNow(ask.id)).closedReason).toBe('not ours');
  });

  it('is refused for a question that does not exist, answering where the button was pressed', async () => {
    const fx = createDomain();
    const result = await fx.act(() => fx.asks.decline(fx.key(), 99, 'not ours', { ...vera, channel: 'C0ACCOUNTING', threadTs: '1.1' }));
    expect(result).toEqual({ outcome: 'ignored', reason: 'ask not open' });
    expect(fx.sent.all()).toEqual([{ to: 'staff-private', conversation: 'C0ACCOUNTING', user: 'U0VERA', thread: '1.1', notice: { type: 'question-not-open', askId: 99 } }]);
  });

  it('says not all settled while another question is open', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    await fx.ask(c.id, 'legal may we?');
    await fx.act(() => fx.asks.decline(fx.key(), ask.id, 'not ours', vera));
    expect(fx.sent.thread(c.id).find((m) => m.post.type === 'ask-declined')?.post).toMatchObject({ allSettled: false });
  });
});
