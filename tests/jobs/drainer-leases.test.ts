/**
 * Two delivery instances on one outbox, sharing stream leases in Redis: the drainers as several
 * Repka processes run them (one storage, one Redis, one key prefix).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../db/sqlite/open-sqlite-storage.js';
import { RedisStreamLeases } from '../../jobs/redis-stream-leases.js';
import type { PendingMessage } from '../../src/delivery/deliverer.js';
import { StreamDrainer, type StreamLeases } from '../../src/delivery/stream-drainer.js';
import type { Outgoing } from '../../src/outgoing.js';
import { RecordingLogger } from '../support/domain.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
afterAll(() => redis.quit());
const closing: (() => void)[] = [];
afterEach(() => {
  for (const close of closing.splice(0)) close();
});

const note = (n: number): Outgoing => ({ to: 'client', chatId: 7, notice: { type: 'agent-reply', caseId: 1, text: `message ${n}`, agentName: 'Anna' } });
const textOf = (m: PendingMessage) => (m.message.to === 'client' && m.message.notice.type === 'agent-reply' ? m.message.notice.text : m.message.to);

function setup() {
  const backend = openSqliteStorage(join(mkdtempSync(join(tmpdir(), 'repka-leases-')), 'repka.sqlite'));
  closing.push(() => backend.database.close());
  const { uow } = backend;
  const prefix = `test-drain-${randomUUID()}`;
  const log = new RecordingLogger();
  /** Every delivery, by which instance, with the attempts the deliverer was shown. */
  const deliveries: { by: string; text: string; attempts: number }[] = [];
  const gates = new Map<string, () => Promise<void>>();
  const instance = (name: string, leases: StreamLeases = new RedisStreamLeases(redis, log, { prefix, ttlMs: 300 })) =>
    new StreamDrainer({
      uow,
      leases,
      deliverer: {
        async deliver(messages) {
          const head = messages[0] as PendingMessage;
          await gates.get(name)?.();
          deliveries.push({ by: name, text: textOf(head), attempts: head.attempts });
          return 1;
        },
      },
      trigger: { wake: () => undefined },
      clock: { now: () => Date.now() },
      log,
      onPermanentFailure: async () => undefined,
      backoffBaseMs: 5,
    });
  const enqueue = (...messages: Outgoing[]) => uow.run((tx) => tx.enqueue(messages, Date.now()));
  const pending = () => uow.read((tx) => tx.pending('chat-7', 100));
  return { uow, prefix, log, deliveries, gates, instance, enqueue, pending, signal: new AbortController().signal };
}

describe('drainers of several instances', () => {
  it('deliver a stream once and in order when both are woken for it at once', async () => {
    const t = setup();
    const [a, b] = [t.instance('a'), t.instance('b')];
    await t.enqueue(...Array.from({ length: 20 }, (_, i) => note(i + 1)));
    await Promise.all([a.drain('chat-7', t.signal), b.drain('chat-7', t.signal), a.drain('chat-7', t.signal), b.drain('chat-7', t.signal)]);
    expect(t.deliveries.map((d) => d.text)).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i + 1}`));
    expect(await t.pending()).toEqual([]);
  });

  it('leave nothing stranded: rows committed while another instance held the lease are delivered by the holder after it lets go', async () => {
    const t = setup();
    const b = t.instance('b');
    const real = new RedisStreamLeases(redis, t.log, { prefix: t.prefix, ttlMs: 300 });
    // Instance a, just as its drain ends: a new row commits, and b's job for it finds the lease still a's.
    let bGaveUp = false;
    const a = t.instance('a', {
      acquire: async (stream) => {
        const lease = await real.acquire(stream);
        if (lease === undefined) return undefined;
        return {
          ...lease,
          release: async () => {
            if (!bGaveUp) {
              await t.enqueue(note(2));
              await b.drain('chat-7', t.signal);
              bGaveUp = true;
            }
            return lease.release();
          },
        };
      },
    });
    await t.enqueue(note(1));
    await a.drain('chat-7', t.signal);
    expect(bGaveUp).toBe(true);
    expect(t.deliveries).toEqual([
      { by: 'a', text: 'message 1', attempts: 0 },
      { by: 'a', text: 'message 2', attempts: 0 },
    ]);
  });

  it('take over from an instance that died mid-drain once its lease expires, showing the deliverer the head may have landed', async () => {
    const t = setup();
    await t.enqueue(note(1), note(2));
    // The dead instance's keys, as kill -9 left them.
    await redis.set(`${t.prefix}:lease:chat-7`, 'dead', 'PX', 300);
    await redis.set(`${t.prefix}:lease-holder:chat-7`, 'dead');
    // The job that finds the dead lease waits it out (it is not renewed) rather than leaving the
    // stream to the sweep, whose job ids the dead process's stalled job may still hold.
    await t.instance('b').drain('chat-7', t.signal);
    expect(t.deliveries).toEqual([
      { by: 'b', text: 'message 1', attempts: 1 },
      { by: 'b', text: 'message 2', attempts: 0 },
    ]);
  });

  it('stop delivering when the lease is lost, and the instance that has it goes on from the first undelivered row', async () => {
    const t = setup();
    await t.enqueue(note(1), note(2), note(3));
    let stall: () => void = () => undefined;
    // a stalls on its second message; meanwhile its lease is taken from it (it expired unnoticed).
    let calls = 0;
    t.gates.set('a', () => (++calls === 2 ? new Promise<void>((resolve) => (stall = resolve)) : Promise.resolve()));
    const a = t.instance('a');
    const draining = a.drain('chat-7', t.signal);
    await expect.poll(() => calls).toBe(2);
    await redis.set(`${t.prefix}:lease:chat-7`, 'someone-else', 'PX', 200);
    await expect.poll(() => t.log.lines.some((l) => l.message.startsWith('stream lease lost'))).toBe(true);
    stall();
    await draining;
    // a delivered the call it was in the middle of, and nothing after it.
    expect(t.deliveries.map((d) => `${d.by}:${d.text}`)).toEqual(['a:message 1', 'a:message 2']);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await t.instance('b').drain('chat-7', t.signal);
    expect(t.deliveries.map((d) => `${d.by}:${d.text}`)).toEqual(['a:message 1', 'a:message 2', 'b:message 3']);
  });
});
