import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { DrainSlots } from '../../../src/delivery/drain-slots.js';
import { RateLimiter } from '../../../src/delivery/rate-limiter.js';

/** Starts acquiring a slot; `got` says whether it has one yet. */
function acquiring(slots: DrainSlots, signal?: AbortSignal) {
  const state = { got: false };
  const done = slots.acquire(signal).then(() => void (state.got = true));
  return { state, done };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('DrainSlots', () => {
  it('grants up to max slots, then hands each given back to the longest waiter', async () => {
    const slots = new DrainSlots(2);
    await slots.acquire();
    await slots.acquire();
    const b = acquiring(slots);
    const c = acquiring(slots);
    await tick();
    expect([b.state.got, c.state.got, slots.waiting]).toEqual([false, false, 2]);
    slots.release();
    await b.done;
    await tick();
    expect([b.state.got, c.state.got]).toEqual([true, false]);
    expect(slots.working).toBe(2);
  });

  it('grants a waiter whose signal aborts, so a stopping drain can finish and give it back', async () => {
    const slots = new DrainSlots(1);
    await slots.acquire();
    const stop = new AbortController();
    const b = acquiring(slots, stop.signal);
    stop.abort(new Error('shutting down'));
    await b.done;
    expect(slots.working).toBe(2);
    slots.release();
    slots.release();
    expect(slots.working).toBe(0);
    expect(() => slots.release()).toThrow(/never taken/);
  });

  it("a paced wait for a turn gives the slot up; a turn that is there keeps it", async () => {
    const slots = new DrainSlots(1);
    const pacer = slots.paced(new RateLimiter({ perSecond: 20, burst: 1 }));
    await slots.acquire();
    const other = acquiring(slots);
    // The first turn of C1 is there: taken with the slot kept, the other drain still waits.
    await pacer.take('C1');
    await tick();
    expect(other.state.got).toBe(false);
    // The next is 50 ms away: the other drain works meanwhile.
    let turned = false;
    const next = pacer.take('C1').then(() => void (turned = true));
    await other.done;
    expect(turned).toBe(false);
    slots.release();
    await next;
    expect(turned).toBe(true);
    expect(slots.working).toBe(1);
  });

  it('a pacer that cannot say whether a turn is there gives the slot up for each take, and gets it back before drains not started', async () => {
    const slots = new DrainSlots(1);
    let turn: () => void = () => undefined;
    const pacer = slots.paced({ take: () => new Promise<void>((resolve) => (turn = resolve)), pause: () => undefined });
    await slots.acquire();
    const early = acquiring(slots);
    const taking = pacer.take('C1');
    // The early drain works while this one waits for its turn.
    await early.done;
    turn();
    const late = acquiring(slots);
    await tick();
    // The turn has come: this drain is back in line before the one that has not started.
    slots.release();
    await taking;
    await tick();
    expect(late.state.got).toBe(false);
    expect(slots.working).toBe(1);
  });

  it('listens once to a signal however many drains wait with it, and grants them all when it aborts', async () => {
    const slots = new DrainSlots(1);
    await slots.acquire();
    const stop = new AbortController();
    const waiting = Array.from({ length: 1000 }, () => acquiring(slots, stop.signal));
    // Adding and removing a listener walks the signal's listeners: one each for 1,000 was quadratic.
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    const other = acquiring(slots);
    stop.abort(new Error('shutting down'));
    await Promise.all(waiting.map((w) => w.done));
    await tick();
    // A waiter with no signal (or another) keeps waiting for a slot given back.
    expect(other.state.got).toBe(false);
    expect(slots.working).toBe(1001);
  });
});
