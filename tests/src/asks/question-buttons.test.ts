import { describe, expect, it } from 'vitest';
import { createDomain } from '../../support/domain.js';

describe("a question's buttons (Need more time, Not ours) before their form opens", () => {
  it('opens the form for an open question and tells nobody anything', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    const mark = fx.sent.mark();
    expect(await fx.act(() => fx.asks.isOpenFor(fx.key(), ask.id, { user: 'U0VERA' }))).toBe(true);
    expect(fx.sent.since(mark).all()).toEqual([]);
    expect(await fx.asks.caseOf(ask.id)).toBe(c.id);
    expect(await fx.asks.caseOf(99)).toBeUndefined();
  });

  it('refuses a settled question: the presser is told privately, once per press', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong');
    const ask = await fx.ask(c.id, 'acc why?');
    await fx.departmentReplies(ask.id, 'because');
    const mark = fx.sent.mark();
    const press = fx.key();
    expect(await fx.act(() => fx.asks.isOpenFor(press, ask.id, { user: 'U0VERA', channel: 'C0ACCOUNTING', threadTs: '1.1' }))).toBe(false);
    expect(await fx.act(() => fx.asks.isOpenFor(press, ask.id, { user: 'U0VERA', channel: 'C0ACCOUNTING', threadTs: '1.1' }))).toBe(false);
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'staff-private', conversation: 'C0ACCOUNTING', user: 'U0VERA', thread: '1.1', notice: { type: 'question-not-open', askId: ask.id } }]);
  });
});
