import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../db/sqlite/open-database.js';
import { SqliteCaseStore } from '../../../db/sqlite/sqlite-case-store.js';
import { SqliteOutbox } from '../../../db/sqlite/sqlite-outbox.js';
import { PermanentDeliveryError, RetryLaterError, type PendingMessage } from '../../../src/delivery/deliverer.js';
import { StreamDrainer } from '../../../src/delivery/stream-drainer.js';
import type { Outgoing } from '../../../src/outgoing.js';
import { createLogger } from '../../../src/logger.js';

const note = (chatId: number, n: number, extra: Partial<Extract<Outgoing, { to: 'client' }>> = {}): Outgoing => ({
  to: 'client',
  chatId,
  notice: { type: 'agent-reply', caseId: 1, text: `message ${n}`, agentName: 'Anna' },
  ...extra,
});

function setup(deliver: (m: PendingMessage) => Promise<void>, ready?: (head: PendingMessage) => Promise<void>) {
  const database = openDatabase(':memory:');
  const store = new SqliteCaseStore(database.db, database.commits);
  const outbox = new SqliteOutbox(database.db, database.commits);
  const delivered: string[] = [];
  const failed: { id: number; reason: string }[] = [];
  const woken: number[] = [];
  const batches: number[] = [];
  const drainer = new StreamDrainer({
    outbox,
    transaction: (work) => store.transaction(work),
    afterCommit: (effect) => store.afterCommit(effect),
    deliverer: {
      ...(ready === undefined ? {} : { ready }),
      async deliver(messages) {
        batches.push(messages.length);
        const head = messages[0] as PendingMessage;
        await deliver(head);
        delivered.push(head.message.to === 'client' && head.message.notice.type === 'agent-reply' ? head.message.notice.text : head.message.to);
        return 1;
      },
    },
    trigger: { wake: (ids) => woken.push(...ids) },
    clock: { now: () => Date.now() },
    log: createLogger({ level: 'error', write: () => undefined }),
    onPermanentFailure: (message, reason) => failed.push({ id: message.id, reason }),
    backoffBaseMs: 5,
    backoffMaxMs: 20,
  });
  return { store, outbox, drainer, delivered, failed, woken, batches, signal: new AbortController().signal };
}

describe('StreamDrainer', () => {
  it('delivers a stream in order and marks every message sent', async () => {
    const t = setup(async () => undefined);
    for (let n = 1; n <= 5; n++) t.outbox.enqueue(note(7, n), Date.now());
    await t.drainer.drain('tg-7', t.signal);
    expect(t.delivered).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
    expect(t.outbox.pending('tg-7', 10)).toHaveLength(0);
  });

  it("reads what to deliver only once the platform's turn has come, so messages written while waiting go together", async () => {
    let turn: () => void = () => undefined;
    let turns = 0;
    // The first turn comes when the test says; later ones at once.
    const t = setup(
      async () => undefined,
      () => (turns++ === 0 ? new Promise<void>((resolve) => (turn = resolve)) : Promise.resolve()),
    );
    t.outbox.enqueue(note(7, 1), Date.now());
    const draining = t.drainer.drain('tg-7', t.signal);
    await new Promise((resolve) => setTimeout(resolve, 10));
    for (let n = 2; n <= 4; n++) t.outbox.enqueue(note(7, n), Date.now());
    turn();
    await draining;
    expect(t.batches[0]).toBe(4);
    expect(t.delivered).toEqual(['message 1', 'message 2', 'message 3', 'message 4']);
    // Each head got its turn: what was written after a batch was read is seen by the next one.
    expect(turns).toBe(4);
  });

  it('retries transient failures until they succeed, keeping order', async () => {
    let failures = 3;
    const t = setup(async (m) => {
      if (m.message.to === 'client' && m.message.notice.type === 'agent-reply' && m.message.notice.text === 'message 2' && failures-- > 0) throw new Error('HTTP 500');
    });
    for (let n = 1; n <= 3; n++) t.outbox.enqueue(note(7, n), Date.now());
    await t.drainer.drain('tg-7', t.signal);
    expect(t.delivered).toEqual(['message 1', 'message 2', 'message 3']);
    expect(failures).toBe(-1);
  });

  it('waits exactly as long as a 429 asks before retrying', async () => {
    const calls: number[] = [];
    const t = setup(async () => {
      calls.push(Date.now());
      if (calls.length === 1) throw new RetryLaterError(300, 'rate limited');
    });
    t.outbox.enqueue(note(7, 1), Date.now());
    await t.drainer.drain('tg-7', t.signal);
    expect(calls).toHaveLength(2);
    expect((calls[1] as number) - (calls[0] as number)).toBeGreaterThanOrEqual(295);
  });

  it('gives up on permanent errors, reports them, and goes on with the stream', async () => {
    const t = setup(async (m) => {
      if (m.message.to === 'client' && m.message.notice.type === 'agent-reply' && m.message.notice.text === 'message 1') throw new PermanentDeliveryError('the client blocked the bot');
    });
    const first = t.outbox.enqueue(note(7, 1), Date.now());
    t.outbox.enqueue(note(7, 2), Date.now());
    await t.drainer.drain('tg-7', t.signal);
    expect(t.failed).toEqual([{ id: first, reason: 'the client blocked the bot' }]);
    expect(t.delivered).toEqual(['message 2']);
  });

  it('queues follow-ups only once the message was delivered, and wakes delivery for them once that is committed', async () => {
    const t = setup(async () => undefined);
    t.outbox.enqueue(note(7, 1, { afterDelivery: [{ to: 'slack-reaction', caseId: 1, reaction: { channel: 'C1', ts: '1.2', name: 'white_check_mark' } }] }), Date.now());
    await t.drainer.drain('tg-7', t.signal);
    expect(t.woken).toHaveLength(0);
    expect(t.outbox.pending('case-1', 10)).toHaveLength(0);
    await t.store.committed();
    expect(t.woken).toHaveLength(1);
    expect(t.outbox.pending('case-1', 10).map((m) => m.message.to)).toEqual(['slack-reaction']);
  });

  it('never delivers a message twice when drains of one stream overlap, and strands nothing', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const t = setup(async () => gate);
    t.outbox.enqueue(note(7, 1), Date.now());
    const first = t.drainer.drain('tg-7', t.signal);
    const second = t.drainer.drain('tg-7', t.signal);
    t.outbox.enqueue(note(7, 2), Date.now());
    const third = t.drainer.drain('tg-7', t.signal);
    release();
    await Promise.all([first, second, third]);
    expect(t.delivered).toEqual(['message 1', 'message 2']);
  });

  it('stops between calls when aborted, leaving the rest pending', async () => {
    const controller = new AbortController();
    const t = setup(async () => {
      controller.abort(new Error('shutting down'));
    });
    t.outbox.enqueue(note(7, 1), Date.now());
    t.outbox.enqueue(note(7, 2), Date.now());
    await expect(t.drainer.drain('tg-7', controller.signal)).rejects.toThrow('shutting down');
    expect(t.outbox.pending('tg-7', 10)).toHaveLength(1);
  });
});
