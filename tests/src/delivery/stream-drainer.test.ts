import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStorage } from '../../../db/sqlite/open-sqlite-storage.js';
import { PermanentDeliveryError, RetryLaterError, type PendingMessage } from '../../../src/delivery/deliverer.js';
import { StreamDrainer, type StreamLeases } from '../../../src/delivery/stream-drainer.js';
import { DrainSlots } from '../../../src/delivery/drain-slots.js';
import type { Outgoing } from '../../../src/outgoing.js';
import type { WokenRow } from '../../../src/ports.js';
import { createLogger } from '../../../bots/logger.js';

const note = (chatId: number, n: number, extra: Partial<Extract<Outgoing, { to: 'client' }>> = {}): Outgoing => ({
  to: 'client',
  chatId,
  notice: { type: 'agent-reply', caseId: 1, text: `message ${n}`, agentName: 'Anna' },
  ...extra,
});

const closing: (() => void)[] = [];
afterEach(() => {
  for (const close of closing.splice(0)) close();
});

function setup(deliver: (m: PendingMessage) => Promise<void>, ready?: (head: PendingMessage) => Promise<void>, count: (head: PendingMessage) => number = () => 1, leases?: StreamLeases, afterRead?: (n: number) => Promise<void>, slots?: DrainSlots) {
  const path = join(mkdtempSync(join(tmpdir(), 'repka-drainer-')), 'repka.sqlite');
  const backend = openSqliteStorage(path);
  const { uow } = backend;
  // A second connection sees only what is durable (committed), as another process would.
  const other = new Database(path, { readonly: true });
  closing.push(() => {
    other.close();
    backend.database.close();
  });
  const durableRows = (stream: string) => (other.prepare('select count(*) as n from outbox where stream = ?').get(stream) as { n: number }).n;
  /** Queues a message as a use case would: in a unit of work, resolving once it is durable. */
  const enqueue = (message: Outgoing) => uow.run((tx) => tx.enqueue([message], Date.now())).then(([id]) => id as number);
  const pending = (stream: string) => uow.read((tx) => tx.pending(stream, 10));
  const delivered: string[] = [];
  const failed: { id: number; reason: string }[] = [];
  const woken: WokenRow[] = [];
  /** For each row woken: how many rows of its stream were durable at that moment. */
  const durableAtWake: number[] = [];
  const batches: number[] = [];
  /** The drainer's reads of the outbox (each a round trip to the database). */
  const reads = { count: 0 };
  const drainer = new StreamDrainer({
    uow: {
      run: (work) => uow.run(work),
      runStatement: (work) => uow.runStatement(work),
      read: async (work) => {
        const n = ++reads.count;
        const result = await uow.read(work);
        // What happens between the read and the drainer's next step (a unit committing, a wake).
        await afterRead?.(n);
        return result;
      },
    },
    ...(leases === undefined ? {} : { leases }),
    deliverer: {
      ...(ready === undefined ? {} : { ready }),
      async deliver(messages) {
        batches.push(messages.length);
        const head = messages[0] as PendingMessage;
        await deliver(head);
        delivered.push(head.message.to === 'client' && head.message.notice.type === 'agent-reply' ? head.message.notice.text : head.message.to);
        return count(head);
      },
    },
    trigger: {
      wake: (rows) => {
        woken.push(...rows);
        for (const row of rows) durableAtWake.push(durableRows(row.stream));
      },
    },
    clock: { now: () => Date.now() },
    log: createLogger({ level: 'error', write: () => undefined }),
    onPermanentFailure: async (message, reason) => void failed.push({ id: message.id, reason }),
    backoffBaseMs: 5,
    backoffMaxMs: 20,
    ...(slots === undefined ? {} : { slots }),
  });
  return { uow, enqueue, pending, durableRows, drainer, delivered, failed, woken, durableAtWake, batches, reads, signal: new AbortController().signal };
}

/** Leases that are always granted and never lost; `release` says whether to look at the stream again. */
function leasesReleasing(release: () => Promise<boolean>, shared = true): StreamLeases {
  return { shared, acquire: async () => ({ lost: new AbortController().signal, takenOver: false, release }) };
}

describe('StreamDrainer', () => {
  it('delivers a stream in order and marks every message sent', async () => {
    const t = setup(async () => undefined);
    for (let n = 1; n <= 5; n++) await t.enqueue(note(7, n));
    await t.drainer.drain('chat-7', t.signal);
    expect(t.delivered).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
    expect(await t.pending('chat-7')).toHaveLength(0);
  });

  it("reads what to deliver only once the platform's turn has come, so messages written while waiting go together", async () => {
    let turn: () => void = () => undefined;
    let waiting: () => void = () => undefined;
    const waitingForTurn = new Promise<void>((resolve) => (waiting = resolve));
    let turns = 0;
    // The first turn comes when the test says; later ones at once.
    const t = setup(
      async () => undefined,
      () =>
        turns++ === 0
          ? new Promise<void>((resolve) => {
              turn = resolve;
              waiting();
            })
          : Promise.resolve(),
    );
    await t.enqueue(note(7, 1));
    const draining = t.drainer.drain('chat-7', t.signal);
    // The head was read and the drain waits for the platform: write more meanwhile, each woken
    // as the delivery trigger wakes it (its drain call finds the stream draining and marks it dirty).
    await waitingForTurn;
    for (let n = 2; n <= 4; n++) {
      await t.enqueue(note(7, n));
      await t.drainer.drain('chat-7', t.signal);
    }
    turn();
    await draining;
    expect(t.batches[0]).toBe(4);
    expect(t.delivered).toEqual(['message 1', 'message 2', 'message 3', 'message 4']);
    // Each head got its turn: what was written after a batch was read is seen by the next one.
    expect(turns).toBe(4);
  });

  it('reads a stream once for a message when nothing else comes, with or without a turn to wait for', async () => {
    const plain = setup(async () => undefined);
    await plain.enqueue(note(7, 1));
    await plain.drainer.drain('chat-7', plain.signal);
    expect(plain.delivered).toEqual(['message 1']);
    expect(plain.reads.count).toBe(1);
    const paced = setup(async () => undefined, async () => undefined);
    await paced.enqueue(note(7, 1));
    await paced.drainer.drain('chat-7', paced.signal);
    expect(paced.delivered).toEqual(['message 1']);
    expect(paced.reads.count).toBe(1);
  });

  it('reads again after a full batch, and after a long turn when other instances share the stream', async () => {
    const full = setup(async () => undefined);
    for (let n = 1; n <= 25; n++) await full.enqueue(note(7, n));
    await full.drainer.drain('chat-7', full.signal);
    expect(full.delivered).toHaveLength(25);
    expect(await full.pending('chat-7')).toEqual([]);
    // Rows another instance commits while this one waits for the platform mark no drain here.
    let enqueue: (message: Outgoing) => Promise<number> = async () => 0;
    const shared: StreamLeases = { shared: true, acquire: async () => ({ lost: new AbortController().signal, takenOver: false, release: async () => false }) };
    const t = setup(
      async () => undefined,
      async (head) => {
        if (head.attempts === 0 && t.delivered.length === 0) {
          await enqueue(note(7, 2));
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
      },
      undefined,
      shared,
    );
    enqueue = t.enqueue;
    await t.enqueue(note(7, 1));
    await t.drainer.drain('chat-7', t.signal);
    // The head's batch was read again after the turn: it carries the other instance's row too.
    expect(t.batches[0]).toBe(2);
    expect(t.delivered).toEqual(['message 1', 'message 2']);
    expect(await t.pending('chat-7')).toEqual([]);
  });

  it('looks at the stream again when its lease says another drainer asked for it meanwhile, and not otherwise', async () => {
    let asked = false;
    let enqueue: (message: Outgoing) => Promise<number> = async () => 0;
    const leases = leasesReleasing(async () => {
      if (asked) return false;
      // Another instance committed a row, found the lease held and left the row to this holder.
      asked = true;
      await enqueue(note(7, 2));
      return true;
    });
    const t = setup(async () => undefined, undefined, undefined, leases);
    enqueue = t.enqueue;
    await t.enqueue(note(7, 1));
    await t.drainer.drain('chat-7', t.signal);
    expect(t.delivered).toEqual(['message 1', 'message 2']);
    // The first batch, the look after the asked-for release, the second batch.
    expect(t.reads.count).toBe(3);
  });

  it('looks at the stream again when this process woke it while the drain was letting its lease go', async () => {
    let once = true;
    const leases = leasesReleasing(async () => {
      if (once) {
        once = false;
        // A unit commits a row for the stream now; its wake finds the drain still running and nudges it.
        await t.enqueue(note(7, 2));
        await t.drainer.drain('chat-7', t.signal);
      }
      return false;
    }, false);
    // The lease's release runs only once the drain is under way: `t` is set by then.
    const t = setup(async () => undefined, undefined, undefined, leases);
    await t.enqueue(note(7, 1));
    await t.drainer.drain('chat-7', t.signal);
    expect(t.delivered).toEqual(['message 1', 'message 2']);
  });

  it('delivers a row woken while it looked at the stream after releasing its lease (the look found nothing)', async () => {
    let asked = true;
    // Another instance asked for the stream once, and left nothing: the look after the release finds it empty.
    const leases = leasesReleasing(async () => {
      const again = asked;
      asked = false;
      return again;
    });
    const t = setup(async () => undefined, undefined, undefined, leases, async (n) => {
      // The second read is that look: a unit commits a row just after it, and its wake nudges the drain.
      if (n !== 2) return;
      await t.enqueue(note(7, 2));
      expect(t.drainer.nudge('chat-7')).toBe(true);
    });
    await t.enqueue(note(7, 1));
    await t.drainer.drain('chat-7', t.signal);
    expect(t.delivered).toEqual(['message 1', 'message 2']);
  });

  it('with drain slots, works on at most that many streams at once and delivers every one in order', async () => {
    let working = 0;
    let most = 0;
    const slots = new DrainSlots(2);
    const t = setup(
      async () => {
        working += 1;
        most = Math.max(most, working);
        await new Promise((resolve) => setTimeout(resolve, 5));
        working -= 1;
      },
      undefined,
      undefined,
      undefined,
      undefined,
      slots,
    );
    for (let n = 1; n <= 3; n++) for (let chat = 1; chat <= 6; chat++) await t.enqueue(note(chat, n));
    await Promise.all([1, 2, 3, 4, 5, 6].map((chat) => t.drainer.drain(`chat-${chat}`, t.signal)));
    expect(most).toBe(2);
    expect(t.delivered).toHaveLength(18);
    for (let chat = 1; chat <= 6; chat++) expect(await t.pending(`chat-${chat}`)).toHaveLength(0);
    expect(slots.working).toBe(0);
  });

  it('a drain waiting to retry gives its slot to another stream, and takes one again to go on', async () => {
    const slots = new DrainSlots(1);
    let calls = 0;
    const t = setup(
      async (m) => {
        calls += 1;
        if (m.message.to === 'client' && m.message.chatId === 1 && calls === 1) throw new RetryLaterError(100, 'rate limited');
      },
      undefined,
      undefined,
      undefined,
      undefined,
      slots,
    );
    await t.enqueue(note(1, 1));
    await t.enqueue(note(2, 2));
    const first = t.drainer.drain('chat-1', t.signal);
    const second = t.drainer.drain('chat-2', t.signal);
    await Promise.all([first, second]);
    // chat-2 went out while chat-1 waited its 100 ms, not after it.
    expect(t.delivered).toEqual(['message 2', 'message 1']);
    expect(slots.working).toBe(0);
  });

  it('retries transient failures until they succeed, keeping order', async () => {
    let failures = 3;
    const t = setup(async (m) => {
      if (m.message.to === 'client' && m.message.notice.type === 'agent-reply' && m.message.notice.text === 'message 2' && failures-- > 0) throw new Error('HTTP 500');
    });
    for (let n = 1; n <= 3; n++) await t.enqueue(note(7, n));
    await t.drainer.drain('chat-7', t.signal);
    expect(t.delivered).toEqual(['message 1', 'message 2', 'message 3']);
    expect(failures).toBe(-1);
  });

  it('waits exactly as long as a 429 asks before retrying', async () => {
    const calls: number[] = [];
    const t = setup(async () => {
      calls.push(Date.now());
      if (calls.length === 1) throw new RetryLaterError(300, 'rate limited');
    });
    await t.enqueue(note(7, 1));
    await t.drainer.drain('chat-7', t.signal);
    expect(calls).toHaveLength(2);
    expect((calls[1] as number) - (calls[0] as number)).toBeGreaterThanOrEqual(295);
  });

  it('gives up on permanent errors, reports them, and goes on with the stream', async () => {
    const t = setup(async (m) => {
      if (m.message.to === 'client' && m.message.notice.type === 'agent-reply' && m.message.notice.text === 'message 1') throw new PermanentDeliveryError('the client blocked the bot');
    });
    const first = await t.enqueue(note(7, 1));
    await t.enqueue(note(7, 2));
    await t.drainer.drain('chat-7', t.signal);
    expect(t.failed).toEqual([{ id: first, reason: 'the client blocked the bot' }]);
    expect(t.delivered).toEqual(['message 2']);
  });

  it('queues follow-ups only once the message was delivered, and wakes delivery for them once that is committed', async () => {
    const followUpsSeenByDeliverer: number[] = [];
    const t = setup(async () => void followUpsSeenByDeliverer.push((await t.pending('case-1')).length));
    await t.enqueue(note(7, 1, { afterDelivery: [{ to: 'staff-delivered-mark', caseId: 1, conversation: 'C1', message: '1.2' }] }));
    expect(await t.pending('case-1')).toHaveLength(0);
    await t.drainer.drain('chat-7', t.signal);
    // Nothing was queued while the message was being delivered.
    expect(followUpsSeenByDeliverer).toEqual([0]);
    const queued = await t.pending('case-1');
    expect(queued.map((m) => m.message.to)).toEqual(['staff-delivered-mark']);
    // Delivery was woken once for the follow-up, and only when its row was already durable.
    expect(t.woken).toEqual([{ id: queued[0]?.id, stream: 'case-1' }]);
    expect(t.durableAtWake).toEqual([1]);
  });

  it('never delivers a message twice when drains of one stream overlap, and strands nothing', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const t = setup(async () => gate);
    await t.enqueue(note(7, 1));
    const first = t.drainer.drain('chat-7', t.signal);
    const second = t.drainer.drain('chat-7', t.signal);
    await t.enqueue(note(7, 2));
    const third = t.drainer.drain('chat-7', t.signal);
    release();
    await Promise.all([first, second, third]);
    expect(t.delivered).toEqual(['message 1', 'message 2']);
  });

  it('keeps a message it cannot account for pending and retries it, neither failing it nor spinning on it', async () => {
    // A deliverer that answers no count, as one of an older version does for a destination it does
    // not know (during an upgrade, an old instance may drain a stream holding a newer message).
    const answers: (number | undefined)[] = [undefined, undefined, 1, 1];
    const t = setup(async () => undefined, undefined, () => answers.shift() as number);
    await t.enqueue(note(7, 1));
    await t.enqueue(note(7, 2));
    await t.drainer.drain('chat-7', t.signal);
    expect(t.batches).toEqual([2, 2, 2, 1]);
    expect(t.failed).toEqual([]);
    expect(await t.pending('chat-7')).toHaveLength(0);
  });

  it('stops between calls when aborted, leaving the rest pending', async () => {
    const controller = new AbortController();
    const t = setup(async () => {
      controller.abort(new Error('shutting down'));
    });
    await t.enqueue(note(7, 1));
    await t.enqueue(note(7, 2));
    await expect(t.drainer.drain('chat-7', controller.signal)).rejects.toThrow('shutting down');
    expect(await t.pending('chat-7')).toHaveLength(1);
  });

  it('at shutdown, drains waiting for a slot or sleeping before a retry stop, the working one finishes its call, and every slot is given back', async () => {
    const slots = new DrainSlots(1);
    const controller = new AbortController();
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const called: number[] = [];
    const t = setup(
      async (m) => {
        const chat = m.message.to === 'client' ? m.message.chatId : 0;
        called.push(chat);
        if (chat === 1) throw new RetryLaterError(10_000, 'rate limited');
        if (chat === 2) await gate;
      },
      undefined,
      undefined,
      undefined,
      undefined,
      slots,
    );
    for (const chat of [1, 2, 3]) await t.enqueue(note(chat, chat));
    const sleeping = t.drainer.drain('chat-1', controller.signal);
    await vi.waitFor(() => expect(called).toEqual([1]));
    const working = t.drainer.drain('chat-2', controller.signal);
    await vi.waitFor(() => expect(called).toEqual([1, 2]));
    const queued = t.drainer.drain('chat-3', controller.signal);
    await vi.waitFor(() => expect(slots.waiting).toBe(1));
    controller.abort(new Error('shutting down'));
    open();
    const outcomes = await Promise.allSettled([sleeping, working, queued]);
    // The working drain finishes its call and, its stream empty, ends; the others stop.
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'resolved'))).toEqual(['shutting down', 'resolved', 'shutting down']);
    expect(slots.working).toBe(0);
    // The drain queued for a slot delivered nothing: its row stays pending for the next start.
    expect(called).toEqual([1, 2]);
    expect(await t.pending('chat-3')).toHaveLength(1);
  });

  it("leaves no listener per drain on the long-lived shutdown and lease signals, and either still stops a drain", async () => {
    const lost = new AbortController();
    const leases: StreamLeases = { acquire: async () => ({ lost: lost.signal, takenOver: false, release: async () => false }) };
    let waitFor429 = false;
    const t = setup(
      async () => {
        if (waitFor429) throw new RetryLaterError(10_000, 'rate limited');
      },
      undefined,
      undefined,
      leases,
    );
    const shutdown = new AbortController();
    for (let chat = 1; chat <= 200; chat++) {
      await t.enqueue(note(chat, chat));
      await t.drainer.drain(`chat-${chat}`, shutdown.signal);
    }
    expect(t.delivered).toHaveLength(200);
    // One listener on the shutdown signal for all of them, none left on the lease's.
    expect(getEventListeners(shutdown.signal, 'abort').length).toBeLessThanOrEqual(1);
    expect(getEventListeners(lost.signal, 'abort')).toHaveLength(0);
    // A drain sleeping before a retry stops when the process shuts down, and another when its lease is lost.
    waitFor429 = true;
    await t.enqueue(note(300, 1));
    const sleeping = t.drainer.drain('chat-300', shutdown.signal);
    await vi.waitFor(() => expect(getEventListeners(lost.signal, 'abort')).toHaveLength(1));
    shutdown.abort(new Error('shutting down'));
    await expect(sleeping).rejects.toThrow('shutting down');
    const other = new AbortController();
    await t.enqueue(note(301, 1));
    const losing = t.drainer.drain('chat-301', other.signal);
    await vi.waitFor(() => expect(getEventListeners(lost.signal, 'abort')).toHaveLength(1));
    lost.abort(new Error('lease lost'));
    // A lost lease ends the drain quietly; the row stays for the new holder.
    await expect(losing).resolves.toBeUndefined();
    expect(await t.pending('chat-301')).toHaveLength(1);
  });
});
