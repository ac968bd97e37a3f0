import { describe, expect, it } from 'vitest';
import { streamOf, type Outgoing, type ThreadPost } from '../../../src/outgoing.js';
import { createDomain, hour, minute, type Domain } from '../../support/domain.js';

const boris = { user: 'U0BORIS', userName: 'Boris' };

/** The thread posts about questions that say "every question is settled", in order. */
const settledSaid = (fx: Domain, caseId: number) =>
  fx.sent
    .thread(caseId)
    .map((m) => m.post)
    .filter((p): p is Extract<ThreadPost, { allSettled: boolean }> => 'allSettled' in p && p.allSettled === true)
    .map((p) => `${p.type} Q${p.askId}`);

const questionPosts = (messages: readonly Outgoing[]) =>
  messages.filter((m): m is Extract<Outgoing, { to: 'question-post' }> => m.to === 'question-post').map((m) => `Q${m.askId} ${m.where}`);

describe('"every question is settled"', () => {
  it('is never said by an overdue notice, and said once when the overdue question is then answered', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('refund?');
    const q = await fx.ask(c.id, 'acc in 30m was it refunded?');
    await fx.advance(31 * minute);
    expect(fx.sent.threadPosts(c.id)).toContain('ask-overdue');
    expect(fx.sent.thread(c.id).find((m) => m.post.type === 'ask-overdue')?.post).toEqual({ type: 'ask-overdue', askId: q.id });
    expect(settledSaid(fx, c.id)).toEqual([]);

    await fx.departmentReplies(q.id, 'yes, yesterday');
    await fx.departmentReplies(q.id, 'PS: it takes 3 days');
    expect(settledSaid(fx, c.id)).toEqual([`ask-answered Q${q.id}`]);
  });

  it('is said once, by whatever settles the last open question (an overdue one counts as open)', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('two things');
    const first = await fx.ask(c.id, 'acc in 30m first?');
    const second = await fx.ask(c.id, 'law in 1h second?');
    await fx.advance(31 * minute); // the first is overdue, still open
    await fx.departmentReplies(second.id, 'answer to the second');
    expect(settledSaid(fx, c.id)).toEqual([]);
    await fx.act(() => fx.asks.decline(fx.key(), first.id, 'not ours', { ...boris, channel: 'C0ACCOUNTING' }));
    expect(settledSaid(fx, c.id)).toEqual([`ask-declined Q${first.id}`]);

    // A new question opens the case again; cancelling it is the next "all settled".
    const third = await fx.ask(c.id, 'acc third?');
    await fx.agentSays(c.id, `!cancel ${third.id}`);
    expect(settledSaid(fx, c.id)).toEqual([`ask-declined Q${first.id}`, `ask-cancelled Q${third.id}`]);
  });

  it('is not said while another question is still open', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('two things');
    const first = await fx.ask(c.id, 'acc first?');
    await fx.ask(c.id, 'law second?');
    await fx.agentSays(c.id, `!cancel ${first.id}`);
    expect(fx.sent.thread(c.id).find((m) => m.post.type === 'ask-cancelled')?.post).toMatchObject({ allSettled: false });
    expect(settledSaid(fx, c.id)).toEqual([]);
  });
});

describe("a settled question's posts with buttons", () => {
  it('are updated when it is answered, declined, cancelled or settled by !close (or given more time), not by reminders or overdue notices', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('four things');
    const answered = await fx.ask(c.id, 'acc answered?');
    const declined = await fx.ask(c.id, 'law declined?');
    const cancelled = await fx.ask(c.id, 'acc cancelled?');
    const closed = await fx.ask(c.id, 'law closed?');
    expect(questionPosts(fx.sent.all())).toEqual([]);

    let mark = fx.sent.mark();
    await fx.advance(2 * hour); // reminders and overdue notices do not settle anything
    expect(questionPosts(fx.sent.all(mark))).toEqual([]);
    // A new reply-by time shows in both posts (their buttons stay: the question is open).
    await fx.act(() => fx.asks.extend(fx.key(), answered.id, hour, 'need logs', { ...boris, channel: 'C0ACCOUNTING' }));
    expect(questionPosts(fx.sent.all(mark))).toEqual([`Q${answered.id} department`, `Q${answered.id} case-thread`]);
    mark = fx.sent.mark();

    await fx.departmentReplies(answered.id, 'done');
    await fx.departmentReplies(answered.id, 'a follow-up');
    await fx.act(() => fx.asks.decline(fx.key(), declined.id, 'sales set prices', { ...boris, channel: 'C0LEGAL' }));
    await fx.agentSays(c.id, `!cancel ${cancelled.id}`);
    await fx.agentSays(c.id, '!close');
    expect(questionPosts(fx.sent.all(mark))).toEqual(
      [answered, declined, cancelled, closed].flatMap((q) => [`Q${q.id} department`, `Q${q.id} case-thread`]),
    );

    // Each update has a stream of its own, as card updates do: waiting for Slack's chat.update budget,
    // it never holds up the question's or the case's next posts (it waits for its post to exist instead).
    const updates = fx.sent.all(mark).filter((m) => m.to === 'question-post' && m.askId === answered.id);
    expect(updates.map(streamOf)).toEqual([`question-${answered.id}-department`, `question-${answered.id}-case-thread`]);
    expect(streamOf(fx.sent.department(answered.id)[0] as Outgoing)).toBe(`ask-${answered.id}`);
  });
});

describe('a button or form of a question no longer open', () => {
  it('answers the presser privately where they pressed, and changes nothing', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('refund?');
    const q = await fx.ask(c.id, 'acc refunded?');
    const where = { channel: 'C0ACCOUNTING', threadTs: '1700000000.000900' };
    expect(await fx.asks.isOpenFor(fx.key(), q.id, { user: boris.user, ...where })).toBe(true);
    expect(fx.sent.ephemeral()).toEqual([]);

    await fx.departmentReplies(q.id, 'yes');
    const before = await fx.askNow(q.id);
    const mark = fx.sent.mark();
    const refused = { to: 'staff-private', conversation: 'C0ACCOUNTING', user: boris.user, thread: where.threadTs, notice: { type: 'question-not-open', askId: q.id } };

    expect(await fx.act(() => fx.asks.isOpenFor('press-1', q.id, { user: boris.user, ...where }))).toBe(false);
    expect(await fx.act(() => fx.asks.isOpenFor('press-1', q.id, { user: boris.user, ...where }))).toBe(false); // Slack's retry
    expect(await fx.act(() => fx.asks.extend(fx.key(), q.id, hour, 'late form', { ...boris, ...where }))).toEqual({ outcome: 'ignored', reason: 'ask not open' });
    expect(await fx.act(() => fx.asks.decline(fx.key(), q.id, 'late form', { ...boris, ...where }))).toEqual({ outcome: 'ignored', reason: 'ask not open' });
    expect(fx.sent.all(mark)).toEqual([refused, refused, refused]);
    expect(await fx.askNow(q.id)).toEqual(before);
  });

  it("is answered in the question's channel when the form did not say where it was opened", async () => {
    const fx = createDomain();
    const c = await fx.clientSays('refund?');
    const q = await fx.ask(c.id, 'law refunded?');
    await fx.agentSays(c.id, `!cancel ${q.id}`);
    const mark = fx.sent.mark();
    await fx.act(() => fx.asks.extend(fx.key(), q.id, hour, 'old form', boris));
    expect(fx.sent.all(mark)).toEqual([{ to: 'staff-private', conversation: 'C0LEGAL', user: boris.user, notice: { type: 'question-not-open', askId: q.id } }]);
  });
});
