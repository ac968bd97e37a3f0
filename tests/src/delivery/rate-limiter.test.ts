import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter, turnPriority } from '../../../src/delivery/rate-limiter.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Starts `take`s and records the order in which they got their turn. */
function race(limiter: RateLimiter, requests: readonly { name: string; key?: string; priority?: number; signal?: AbortSignal }[]) {
  const order: string[] = [];
  const done = requests.map((r) =>
    limiter.take(r.key ?? 'C1', r.signal, r.priority).then(
      () => order.push(r.name),
      () => order.push(`${r.name}:aborted`),
    ),
  );
  return { order, done: Promise.all(done) };
}

describe('RateLimiter', () => {
  it('lets a burst through at once, then one turn per 1/perSecond', async () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 2 }, Date.now);
    const { order } = race(limiter, ['a', 'b', 'c', 'd'].map((name) => ({ name })));
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(999);
    expect(order).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(1);
    expect(order).toEqual(['a', 'b', 'c']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('learns from a 429: the key is paced a tenth slower after it, and regains its pace turn by turn', async () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, Date.now);
    /** Ms from now until a take of C1 resolves. */
    const nextTurnIn = async () => {
      const asked = Date.now();
      let at = 0;
      void limiter.take('C1').then(() => (at = Date.now()));
      while (at === 0) await vi.advanceTimersByTimeAsync(1);
      return at - asked;
    };
    await limiter.take('C1');
    expect(await nextTurnIn()).toBe(1000);
    // Slack answered 429 with Retry-After: 1.
    limiter.pause('C1', 1000);
    expect(await nextTurnIn()).toBeGreaterThanOrEqual(1000);
    // Paced at 0.9 (then 0.92, …) of one a second: turns about 1.1 s apart, no longer 1 s.
    const slowed = await nextTurnIn();
    expect(slowed).toBeGreaterThan(1050);
    for (let turn = 0; turn < 5; turn++) await nextTurnIn();
    // Five turns later, the pace is back at one a second: the key is no longer slowed.
    expect(await nextTurnIn()).toBe(1000);
    // Another key never slowed.
    await expect(limiter.take('C2')).resolves.toBeUndefined();
  });

  it('serves waiters in the order they asked, so streams sharing a channel go round', async () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, Date.now);
    await limiter.take('C1');
    const { order, done } = race(limiter, ['s1', 's2', 's3', 's4'].map((name) => ({ name })));
    await vi.advanceTimersByTimeAsync(4000);
    await done;
    expect(order).toEqual(['s1', 's2', 's3', 's4']);
  });

  it("puts a new case's first card before bulk posts already waiting", async () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, Date.now);
    await limiter.take('C1');
    const { order, done } = race(limiter, [{ name: 'bulk1' }, { name: 'bulk2' }, { name: 'card', priority: turnPriority.firstCard }, { name: 'bulk3' }]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(order).toEqual(['card']);
    await vi.advanceTimersByTimeAsync(3000);
    await done;
    expect(order).toEqual(['card', 'bulk1', 'bulk2', 'bulk3']);
  });

  it('keeps keys apart', async () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, Date.now);
    const { order } = race(limiter, [{ name: 'a1' }, { name: 'a2' }, { name: 'b1', key: 'C2' }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['a1', 'b1']);
  });

  it('an aborted waiter leaves the queue and takes no turn', async () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, Date.now);
    await limiter.take('C1');
    const abort = new AbortController();
    const { order, done } = race(limiter, [{ name: 'gone', signal: abort.signal }, { name: 'next' }]);
    abort.abort(new Error('shutting down'));
    await vi.advanceTimersByTimeAsync(1000);
    await done;
    expect(order).toEqual(['gone:aborted', 'next']);
  });

  it('after pause (a 429), no turn is given before the time Slack asked for', async () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, Date.now);
    await limiter.take('C1');
    const { order } = race(limiter, [{ name: 'a' }]);
    limiter.pause('C1', 5000);
    await vi.advanceTimersByTimeAsync(5999);
    expect(order).toEqual([]);
    // Then a turn at the pace the 429 slowed the channel to (0.9 a second: 1,112 ms, rounded up).
    await vi.advanceTimersByTimeAsync(112);
    expect(order).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(order).toEqual(['a']);
  });

  it('with no limit (Infinity) every request goes at once', async () => {
    const limiter = new RateLimiter({ perSecond: Number.POSITIVE_INFINITY, burst: 1 }, Date.now);
    const { order } = race(limiter, ['a', 'b', 'c'].map((name) => ({ name })));
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('keeps no bucket per key for good: 10,000 chats seen once each hold at most about two seconds of them', async () => {
    // Telegram's pace is kept per chat: a key for every client Repka ever wrote to.
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, Date.now);
    for (let chat = 0; chat < 10_000; chat++) {
      await limiter.take(`chat-${chat}`);
      await vi.advanceTimersByTimeAsync(1);
    }
    // A chat's bucket is full again a second after its turn; about 1,000 are not at any moment.
    expect(limiter.keysHeld).toBeLessThanOrEqual(2048);
    expect(limiter.keysHeld).toBeGreaterThanOrEqual(1000);
  });

  it('a key dropped when full paces as before, and a key slowed by a 429 or waiting keeps its state', async () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, Date.now);
    await limiter.take('slowed');
    limiter.pause('slowed', 1000);
    await limiter.take('busy');
    const { order, done } = race(limiter, [{ name: 'waiting', key: 'busy' }]);
    // Enough other chats to sweep, past the time every bucket is full again.
    await vi.advanceTimersByTimeAsync(500);
    for (let chat = 0; chat < 3000; chat++) await limiter.take(`chat-${chat}`);
    expect(order).toEqual([]);
    // A chat that just took its turn keeps its bucket: its next turn is a second away.
    let recent = 0;
    void limiter.take('chat-2999').then(() => (recent = Date.now()));
    await vi.advanceTimersByTimeAsync(999);
    expect(recent).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(recent).toBeGreaterThan(0);
    await done;
    expect(order).toEqual(['waiting']);
    // chat-0 was full and may be gone: its next turn comes at once, the one after a second later.
    await vi.advanceTimersByTimeAsync(5000);
    for (let chat = 0; chat < 3000; chat++) await limiter.take(`other-${chat}`);
    const turns: number[] = [];
    const started = Date.now();
    void limiter.take('chat-0').then(() => turns.push(Date.now() - started));
    void limiter.take('chat-0').then(() => turns.push(Date.now() - started));
    await vi.advanceTimersByTimeAsync(1000);
    expect(turns).toEqual([0, 1000]);
    // The 429 still slows its key: paced at 0.9 of one a second, two turns take more than a second.
    const slowed: number[] = [];
    void limiter.take('slowed').then(() => slowed.push(Date.now() - started));
    void limiter.take('slowed').then(() => slowed.push(Date.now() - started));
    await vi.advanceTimersByTimeAsync(1200);
    expect(slowed).toHaveLength(2);
    expect((slowed[1] as number) - (slowed[0] as number)).toBeGreaterThan(1050);
  });
});
