import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../db/sqlite/group-commit.js';
import { openSqliteStorage } from '../../db/sqlite/open-sqlite-storage.js';
import { SqliteOutbox } from '../../db/sqlite/sqlite-outbox.js';
import { SqliteStorage } from '../../db/sqlite/sqlite-storage.js';
import { SqliteUnitOfWork } from '../../db/sqlite/sqlite-unit-of-work.js';
import type { Outgoing } from '../../src/outgoing.js';
import type { Storage, UnitOfWork } from '../../src/ports.js';

const note = (chatId: number, text: string): Outgoing => ({ to: 'client', chatId, notice: { type: 'agent-reply', caseId: 1, text, agentName: 'Anna' } });
const textOf = (payload: string): string => {
  const message = JSON.parse(payload) as Outgoing;
  return message.to === 'client' && message.notice.type === 'agent-reply' ? message.notice.text : message.to;
};

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const close of cleanup.splice(0)) close();
});

/** The end of the current event-loop turn (what a group commit waits for in production). */
const turnEnds = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether a promise has settled yet, and how. */
function track(promise: Promise<unknown>): { settled: boolean; ok: boolean | undefined } {
  const state: { settled: boolean; ok: boolean | undefined } = { settled: false, ok: undefined };
  promise.then(
    () => Object.assign(state, { settled: true, ok: true }),
    () => Object.assign(state, { settled: true, ok: false }),
  );
  return state;
}

/** A gate a unit's work can wait at, and a signal that it got there. */
function gate() {
  let open: () => void = () => undefined;
  let arrived: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  return {
    /** Inside the work: says it arrived, then waits until opened. */
    wait: async () => {
      arrived();
      await opened;
    },
    reached,
    open,
  };
}

/**
 * Repka's SQLite backend on a file, plus a second connection that sees only what is durable (as
 * another process, or a crash survivor, would). `manual`: commits come due only when the test
 * calls `commitDue()` (GroupCommit's end-of-turn schedule is injected); otherwise at the end of the
 * turn, as in production.
 */
function setup(options: { manual?: boolean } = {}) {
  const path = join(mkdtempSync(join(tmpdir(), 'repka-gc-')), 'repka.sqlite');
  const errors: Error[] = [];
  const backend = openSqliteStorage(path);
  const { database } = backend;
  const due: (() => void)[] = [];
  let commits = database.commits;
  let storage: Storage = backend.storage;
  let uow: UnitOfWork = backend.uow;
  if (options.manual === true) {
    commits = new GroupCommit(database.sqlite, (error) => errors.push(error), (commit) => void due.push(commit));
    storage = new SqliteStorage(database.db, new SqliteOutbox(database.db, commits));
    uow = new SqliteUnitOfWork(storage, commits);
  }
  const other = new Database(path, { readonly: true });
  const close = () => {
    if (other.open) other.close();
    if (database.sqlite.open) {
      commits.flush();
      database.close();
    }
  };
  cleanup.push(close);
  const durableRows = () => (other.prepare('select count(*) as n from outbox').get() as { n: number }).n;
  const durableTexts = () => (other.prepare('select payload from outbox order by id').all() as { payload: string }[]).map((r) => textOf(r.payload));
  /** What Repka's own connection sees, committed or not. */
  const visibleTexts = () => (database.sqlite.prepare('select payload from outbox order by id').all() as { payload: string }[]).map((r) => textOf(r.payload));
  /** Runs the commits that came due (manual mode). */
  const commitDue = () => {
    for (const commit of due.splice(0)) commit();
  };
  /** A unit that queues one message for chat 7 and returns its outbox id. */
  const write = (text: string) => uow.run(async (tx) => (await tx.enqueue([note(7, text)], 1))[0] as number);
  return { database, commits, storage, uow, due, commitDue, durableRows, durableTexts, visibleTexts, write, errors, close };
}

describe('group commit', () => {
  it('makes the units of one turn durable together at its end, and runs their effects only then', async () => {
    const t = setup();
    const effects: string[] = [];
    const runs = ['one', 'two', 'three'].map((text) =>
      t.uow.run(async (tx) => {
        const [id] = await tx.enqueue([note(7, text)], 1);
        t.commits.afterCommit(() => effects.push(text));
        return id;
      }),
    );
    // Once the units are done (a read takes its turn after them), still within the turn: their
    // writes are visible to Repka at once, but not yet on disk for anyone else, and nothing has
    // left the process.
    await t.uow.read(async () => undefined);
    expect(t.visibleTexts()).toEqual(['one', 'two', 'three']);
    expect(t.durableRows()).toBe(0);
    expect(effects).toEqual([]);
    expect(await Promise.all(runs)).toEqual([1, 2, 3]);
    expect(t.durableRows()).toBe(3);
    expect(effects).toEqual(['one', 'two', 'three']);
  });

  it('undoes a unit that throws without touching the others of its turn', async () => {
    const t = setup();
    const kept = t.write('kept');
    const undone = t.uow.run(async (tx) => {
      await tx.enqueue([note(7, 'undone')], 1);
      throw new Error('storage rule broken');
    });
    const alsoKept = t.write('also kept');
    await expect(undone).rejects.toThrow('storage rule broken');
    await Promise.all([kept, alsoKept]);
    expect((await t.uow.read((tx) => tx.pending('chat-7', 10))).map((row) => (row.message.to === 'client' && row.message.notice.type === 'agent-reply' ? row.message.notice.text : ''))).toEqual(['kept', 'also kept']);
    expect(t.durableTexts()).toEqual(['kept', 'also kept']);
  });

  it('never hands rows of an uncommitted batch to delivery, so nothing is sent before its cause is durable', async () => {
    const t = setup({ manual: true });
    await t.storage.enqueue([note(7, 'from an earlier turn')], 1);
    const running = t.write('this turn');
    await t.uow.read(async () => undefined);
    expect(t.visibleTexts()).toEqual(['from an earlier turn', 'this turn']);
    expect(await t.uow.read((tx) => tx.pending('chat-7', 10))).toHaveLength(1);
    t.commitDue();
    await running;
    expect(await t.uow.read((tx) => tx.pending('chat-7', 10))).toHaveLength(2);
  });

  it('when the commit fails: everyone waiting is told, effects are dropped, and the next turn starts clean', async () => {
    const t = setup({ manual: true });
    const effects: string[] = [];
    const lost = t.uow.run(async (tx) => {
      await tx.enqueue([note(7, 'lost')], 1);
      t.commits.afterCommit(() => effects.push('lost'));
    });
    await t.uow.read(async () => undefined);
    const waiting = t.commits.committed();
    // SQLite rolls a transaction back by itself on some errors (disk full, I/O error): as here.
    t.database.sqlite.prepare('ROLLBACK').run();
    t.commitDue();
    const told = await Promise.allSettled([waiting, lost]);
    expect(told.map((o) => (o.status === 'rejected' ? String(o.reason) : o.status))).toEqual([expect.stringMatching(/not stored/), expect.stringMatching(/not stored/)]);
    expect(effects).toEqual([]);
    expect(t.durableRows()).toBe(0);

    const next = t.uow.run(async (tx) => {
      await tx.enqueue([note(7, 'next')], 1);
      t.commits.afterCommit(() => effects.push('next'));
    });
    await t.uow.read(async () => undefined);
    t.commitDue();
    await next;
    expect(effects).toEqual(['next']);
    expect(t.durableTexts()).toEqual(['next']);
  });

  it('commits what is pending when the database closes', async () => {
    const t = setup();
    const running = t.write('at shutdown');
    await t.uow.read(async () => undefined);
    expect(t.durableRows()).toBe(0);
    t.database.close();
    expect(t.durableRows()).toBe(1);
    await expect(running).resolves.toBe(1);
  });
});

describe('GroupCommit.unit', () => {
  it("ends a unit before its batch commits: the result at once, `durable` settling with the batch's commit", async () => {
    const t = setup({ manual: true });
    const unit = await t.commits.unit(async () => t.storage.enqueue([note(7, 'one')], 1));
    expect(unit.result).toEqual([1]);
    const durable = track(unit.durable);
    await turnEnds();
    expect(durable.settled).toBe(false);
    expect(t.durableRows()).toBe(0);
    t.commitDue();
    await unit.durable;
    expect(t.durableRows()).toBe(1);
  });

  it('refuses a unit while another is inside its savepoint, touching nothing of it', async () => {
    const t = setup({ manual: true });
    const inside = gate();
    const first = t.commits.unit(async () => {
      await t.storage.enqueue([note(7, 'first')], 1);
      await inside.wait();
      return t.storage.enqueue([note(7, 'first, later')], 1);
    });
    await inside.reached;
    await expect(t.commits.unit(async () => t.storage.enqueue([note(7, 'interleaved')], 1))).rejects.toThrow('units of a group commit take turns');
    inside.open();
    const { durable } = await first;
    t.commitDue();
    await durable;
    expect(t.durableTexts()).toEqual(['first', 'first, later']);
  });
});

describe('SqliteUnitOfWork', () => {
  it('lets the units of one turn share one commit', async () => {
    const t = setup({ manual: true });
    const runs = ['one', 'two', 'three'].map((text) => t.write(text));
    const states = runs.map(track);
    await turnEnds();
    // All three ran, in one batch with one commit due, and none is durable yet.
    expect(t.visibleTexts()).toEqual(['one', 'two', 'three']);
    expect(t.due).toHaveLength(1);
    expect(t.durableRows()).toBe(0);
    expect(states.map((s) => s.settled)).toEqual([false, false, false]);
    t.commitDue();
    expect(await Promise.all(runs)).toEqual([1, 2, 3]);
    expect(t.durableRows()).toBe(3);
  });

  it('in production, the units started in one turn resolve together, each once all of them are durable', async () => {
    const t = setup();
    const durableWhenResolved: number[] = [];
    await Promise.all(['one', 'two', 'three'].map((text) => t.write(text).then(() => void durableWhenResolved.push(t.durableRows()))));
    expect(durableWhenResolved).toEqual([3, 3, 3]);
  });

  it('resolves `run` only after the commit, with what the work returned', async () => {
    const t = setup({ manual: true });
    let durableWhenResolved: number | undefined;
    const running = t.uow.run(async (tx) => ({ id: (await tx.enqueue([note(7, 'one')], 1))[0] })).then((result) => {
      durableWhenResolved = t.durableRows();
      return result;
    });
    const state = track(running);
    await turnEnds();
    expect(t.visibleTexts()).toEqual(['one']);
    expect(state.settled).toBe(false);
    t.commitDue();
    expect(await running).toEqual({ id: 1 });
    expect(durableWhenResolved).toBe(1);
  });

  it('undoes a unit that throws alone, rejecting its run at once, while the others of the batch commit', async () => {
    const t = setup({ manual: true });
    const first = t.write('kept');
    const failing = t.uow.run(async (tx) => {
      await tx.enqueue([note(7, 'undone')], 1);
      await tx.enqueue([note(7, 'undone too')], 1);
      throw new Error('storage rule broken');
    });
    const last = t.write('also kept');
    // The failing run is told without waiting for the commit: nothing of it will be kept.
    await expect(failing).rejects.toThrow('storage rule broken');
    await turnEnds();
    expect(t.visibleTexts()).toEqual(['kept', 'also kept']);
    expect(t.due).toHaveLength(1);
    t.commitDue();
    await Promise.all([first, last]);
    expect(t.durableTexts()).toEqual(['kept', 'also kept']);
    expect(t.errors).toEqual([]);
  });

  it('rejects every run of a batch whose commit fails, and keeps none of it', async () => {
    const t = setup({ manual: true });
    const runs = ['one', 'two', 'three'].map((text) => t.write(text));
    await turnEnds();
    expect(t.due).toHaveLength(1);
    // SQLite rolls a transaction back by itself on some errors (disk full, I/O error): as here.
    t.database.sqlite.prepare('ROLLBACK').run();
    t.commitDue();
    const outcomes = await Promise.allSettled(runs);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const o of outcomes) expect(o.status === 'rejected' ? String(o.reason) : '').toMatch(/not stored/);
    expect(t.durableRows()).toBe(0);
    expect(t.visibleTexts()).toEqual([]);
    // The next unit starts a batch of its own and commits.
    const next = t.write('next');
    await turnEnds();
    t.commitDue();
    await next;
    expect(t.durableTexts()).toEqual(['next']);
  });

  it('makes a commit that comes due while a unit is inside its savepoint wait for it, then commits its writes with it', async () => {
    const t = setup({ manual: true });
    const inside = gate();
    const running = t.uow.run(async (tx) => {
      await tx.enqueue([note(7, 'before the commit came due')], 1);
      await inside.wait();
      await tx.enqueue([note(7, 'after')], 1);
      return 'done';
    });
    const state = track(running);
    await inside.reached;
    // The end of the turn comes while the unit is inside its savepoint: nothing is committed yet.
    t.commitDue();
    await turnEnds();
    expect(t.durableRows()).toBe(0);
    expect(state.settled).toBe(false);
    inside.open();
    // The commit runs once the unit is done, without another coming due.
    expect(await running).toBe('done');
    expect(t.due).toEqual([]);
    expect(t.durableTexts()).toEqual(['before the commit came due', 'after']);
    expect(t.errors).toEqual([]);
  });

  it('in production, a unit whose work awaits a setImmediate holds the end-of-turn commit back until it is done', async () => {
    const t = setup();
    const durableInside: number[] = [];
    const result = await t.uow.run(async (tx) => {
      await tx.enqueue([note(7, 'one')], 1);
      // The commit scheduled when this unit opened the batch comes due here.
      await turnEnds();
      durableInside.push(t.durableRows());
      await tx.enqueue([note(7, 'two')], 1);
      return 'done';
    });
    expect(result).toBe('done');
    expect(durableInside).toEqual([0]);
    expect(t.durableTexts()).toEqual(['one', 'two']);
    // The batch is closed: the next unit opens a new one and commits too.
    await t.write('three');
    expect(t.durableTexts()).toEqual(['one', 'two', 'three']);
  });

  it('lets units take turns: the next starts only once the one before is done', async () => {
    const t = setup({ manual: true });
    const inside = gate();
    const order: string[] = [];
    const first = t.uow.run(async (tx) => {
      order.push('first starts');
      await tx.enqueue([note(7, 'first')], 1);
      await inside.wait();
      order.push('first ends');
    });
    const second = t.uow.run(async (tx) => {
      order.push('second starts');
      await tx.enqueue([note(7, 'second')], 1);
    });
    await inside.reached;
    await turnEnds();
    expect(order).toEqual(['first starts']);
    inside.open();
    await turnEnds();
    t.commitDue();
    await Promise.all([first, second]);
    expect(order).toEqual(['first starts', 'first ends', 'second starts']);
    expect(t.durableTexts()).toEqual(['first', 'second']);
  });

  it('lets reads take turns with units, both ways', async () => {
    const t = setup({ manual: true });
    const order: string[] = [];
    // A read queued behind a unit inside its savepoint waits for the unit, and sees all of it.
    const unitInside = gate();
    const unit = t.uow.run(async (tx) => {
      order.push('unit starts');
      await tx.enqueue([note(7, 'one')], 1);
      await unitInside.wait();
      await tx.enqueue([note(7, 'two')], 1);
      order.push('unit ends');
    });
    const read = t.uow.read(async () => {
      order.push('read');
      return t.visibleTexts();
    });
    await unitInside.reached;
    await turnEnds();
    expect(order).toEqual(['unit starts']);
    unitInside.open();
    expect(await read).toEqual(['one', 'two']);
    expect(order).toEqual(['unit starts', 'unit ends', 'read']);
    t.commitDue();
    await unit;

    // A unit queued behind a read in progress waits for the read: it opens no batch meanwhile.
    const readInside = gate();
    const slowRead = t.uow.read(async (tx) => {
      order.push('slow read starts');
      await readInside.wait();
      const pending = await tx.pending('chat-7', 10);
      order.push('slow read ends');
      return pending.length;
    });
    const after = t.uow.run(async (tx) => {
      order.push('unit after the read');
      await tx.enqueue([note(7, 'three')], 1);
    });
    await readInside.reached;
    await turnEnds();
    expect(t.commits.open).toBe(false);
    expect(t.due).toEqual([]);
    readInside.open();
    expect(await slowRead).toBe(2);
    await turnEnds();
    t.commitDue();
    await after;
    expect(order.slice(3)).toEqual(['slow read starts', 'slow read ends', 'unit after the read']);
    expect(t.durableTexts()).toEqual(['one', 'two', 'three']);
  });
});
