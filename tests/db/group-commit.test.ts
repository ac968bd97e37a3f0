import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../db/sqlite/open-database.js';
import { SqliteCaseStore } from '../../db/sqlite/sqlite-case-store.js';
import { SqliteOutbox } from '../../db/sqlite/sqlite-outbox.js';
import type { Outgoing } from '../../src/outgoing.js';

const note = (chatId: number, text: string): Outgoing => ({ to: 'client', chatId, notice: { type: 'agent-reply', caseId: 1, text, agentName: 'Anna' } });

const opened: OpenDatabase[] = [];
afterEach(() => {
  for (const database of opened.splice(0)) database.close();
});

/** Repka's connection plus a second one, as another process (or a crash survivor) would see the file. */
function setup() {
  const path = join(mkdtempSync(join(tmpdir(), 'repka-gc-')), 'repka.sqlite');
  const errors: Error[] = [];
  const database = openDatabase(path, (error) => errors.push(error));
  opened.push(database);
  const store = new SqliteCaseStore(database.db, database.commits);
  const outbox = new SqliteOutbox(database.db, database.commits);
  const other = new Database(path, { readonly: true });
  const durableRows = () => (other.prepare('select count(*) as n from outbox').get() as { n: number }).n;
  return { database, store, outbox, durableRows, errors };
}

describe('group commit', () => {
  it('makes the transactions of one turn durable together at its end, and runs their effects only then', async () => {
    const t = setup();
    const effects: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      t.store.transaction(() => t.outbox.enqueue(note(7, text), 1));
      t.store.afterCommit(() => effects.push(text));
    }
    // Visible to Repka at once, but not yet on disk for anyone else, and nothing has left the process.
    expect(t.outbox.streamOfRow(1)).toBe('tg-7');
    expect(t.durableRows()).toBe(0);
    expect(effects).toEqual([]);
    await t.store.committed();
    expect(t.durableRows()).toBe(3);
    expect(effects).toEqual(['one', 'two', 'three']);
  });

  it('undoes a unit that throws without touching the others of its turn', async () => {
    const t = setup();
    t.store.transaction(() => t.outbox.enqueue(note(7, 'kept'), 1));
    expect(() =>
      t.store.transaction(() => {
        t.outbox.enqueue(note(7, 'undone'), 1);
        throw new Error('storage rule broken');
      }),
    ).toThrow('storage rule broken');
    t.store.transaction(() => t.outbox.enqueue(note(7, 'also kept'), 1));
    await t.store.committed();
    expect(t.outbox.pending('tg-7', 10).map((row) => (row.message.to === 'client' && row.message.notice.type === 'agent-reply' ? row.message.notice.text : ''))).toEqual(['kept', 'also kept']);
    expect(t.durableRows()).toBe(2);
  });

  it('never hands rows of an uncommitted batch to delivery, so nothing is sent before its cause is durable', async () => {
    const t = setup();
    t.outbox.enqueue(note(7, 'from an earlier turn'), 1);
    t.store.transaction(() => t.outbox.enqueue(note(7, 'this turn'), 1));
    expect(t.outbox.pending('tg-7', 10)).toHaveLength(1);
    await t.store.committed();
    expect(t.outbox.pending('tg-7', 10)).toHaveLength(2);
  });

  it('when the commit fails: everyone waiting is told, effects are dropped, and the next turn starts clean', async () => {
    const t = setup();
    const effects: string[] = [];
    t.store.transaction(() => t.outbox.enqueue(note(7, 'lost'), 1));
    t.store.afterCommit(() => effects.push('lost'));
    const waiting = t.store.committed();
    // SQLite rolls a transaction back by itself on some errors (disk full, I/O error): as here.
    t.database.sqlite.prepare('ROLLBACK').run();
    await expect(waiting).rejects.toThrow(/not stored/);
    expect(effects).toEqual([]);
    expect(t.durableRows()).toBe(0);

    t.store.transaction(() => t.outbox.enqueue(note(7, 'next'), 1));
    t.store.afterCommit(() => effects.push('next'));
    await t.store.committed();
    expect(effects).toEqual(['next']);
    expect(t.durableRows()).toBe(1);
  });

  it('commits what is pending when the database closes', () => {
    const t = setup();
    t.store.transaction(() => t.outbox.enqueue(note(7, 'at shutdown'), 1));
    expect(t.durableRows()).toBe(0);
    opened.splice(opened.indexOf(t.database), 1);
    t.database.close();
    expect(t.durableRows()).toBe(1);
  });
});
