import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, is, Placeholder, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/sqlite/open-database.js';
import { clients } from '../../db/sqlite/schema.js';
import { StatementsByColumns, statementName } from '../../db/statements-by-columns.js';

describe('statements by columns', () => {
  const paths: string[] = [];
  afterEach(() => {
    for (const path of paths.splice(0)) rmSync(path, { force: true });
  });

  it('builds one statement per set of columns, leaves out undefined ones, and reuses it', () => {
    const built: string[][] = [];
    const statements = new StatementsByColumns((columns, named) => {
      built.push(Object.keys(columns));
      expect(Object.values(columns).every((p) => is(p, Placeholder))).toBe(true);
      return named;
    });
    expect(statements.for({ language: 'uk', firstName: 'Olha' }).statement).toBe('language,firstName');
    expect(statements.for({ language: 'en', firstName: 'Ivan', lastName: undefined }).statement).toBe('language,firstName');
    expect(statements.for({ lastName: null }).statement).toBe('lastName');
    expect(built).toEqual([['language', 'firstName'], ['lastName']]);
  });

  it('writes through the columns as drizzle writes values: a boolean column gets 1 or 0', async () => {
    const path = join(tmpdir(), `repka-statements-${process.pid}-${Date.now()}.sqlite`);
    paths.push(path, `${path}-wal`, `${path}-shm`);
    const { db, sqlite, close } = openDatabase(path);
    const inserted = db.insert(clients).values({ chatId: 1, userId: 1, firstName: 'Olha', language: 'uk', createdAt: 1 }).returning().get();
    const updates = new StatementsByColumns((columns) => db.update(clients).set(columns).where(eq(clients.id, sql.placeholder('whereId'))).returning().prepare());
    const { statement, values } = updates.for({ languageChosen: true, language: 'en' });
    const row = statement.get({ ...values, whereId: inserted.id });
    expect(row).toMatchObject({ id: inserted.id, languageChosen: true, language: 'en', firstName: 'Olha' });
    expect(sqlite.prepare('select language_chosen from clients').get()).toEqual({ language_chosen: 1 });
    close();
  });

  it('names a PostgreSQL statement by its columns alone: the same set, the same name, short enough for any set', () => {
    const many = Array.from({ length: 30 }, (_, i) => `column${i}`).join(',');
    expect(statementName('repka_update_case', 'assignee')).toBe(statementName('repka_update_case', 'assignee'));
    expect(statementName('repka_update_case', 'assignee')).not.toBe(statementName('repka_update_case', 'status,closedAt'));
    expect(statementName('repka_update_case', many).length).toBeLessThan(64);
  });
});
