import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';
import { GroupCommit } from './group-commit.js';

export type RepkaDb = BetterSQLite3Database<typeof schema>;

export interface OpenDatabase {
  readonly db: RepkaDb;
  readonly sqlite: Database.Database;
  /** Transactions of one event-loop turn commit together (see group-commit.ts). */
  readonly commits: GroupCommit;
  /** Commits what is pending, then closes the file. */
  close(): void;
}

const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens (creating the parent folder and file when missing) the SQLite database at `path` in WAL
 * mode and applies pending migrations. WAL with `synchronous = NORMAL` keeps every committed
 * transaction through a process crash (kill -9); only an OS crash may lose the last commits.
 */
export function openDatabase(path: string, onEffectError: (error: Error) => void = (error) => console.error(error)): OpenDatabase {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  cacheStatements(sqlite);
  const commits = new GroupCommit(sqlite, onEffectError);
  return {
    db,
    sqlite,
    commits,
    close: () => {
      commits.flush();
      sqlite.close();
    },
  };
}

/**
 * A LIMIT written into the SQL text instead of bound: SQLite runs `limit 20` several times faster
 * than `limit ?` (the pending-outbox query: 6 µs against 29 µs). Only for constants.
 */
export function literalLimit(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a limit: ${n}`);
  // drizzle writes an SQL chunk given as the limit into the query as it is.
  return sql.raw(String(n)) as unknown as number;
}

/** Most distinct statements kept prepared; Repka's queries are a few dozen shapes. */
const statementCacheSize = 1000;

/**
 * drizzle prepares every query anew; compiling SQL was a third of the CPU time of a busy Repka.
 * Statements are reused by their SQL text instead (values are bound, so the text of one query
 * shape never changes). drizzle switches a statement to raw mode when it maps rows itself, so a
 * reused statement is handed back in the default mode, as a fresh one would be.
 */
export function cacheStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached !== undefined) return cached.reader ? cached.raw(false) : cached;
    const statement = prepare(source);
    if (cache.size < statementCacheSize) cache.set(source, statement);
    return statement;
  }) as typeof sqlite.prepare;
}
