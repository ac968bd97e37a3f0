import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { openPostgresStorage } from './postgres/open-postgres-storage.js';
import * as schema from './postgres/schema.js';

/** One table as copied: the same figures read on both sides after the copy, before the commit. */
export interface CopiedTable {
  readonly table: string;
  /** Rows in the SQLite file (read in one snapshot). */
  readonly rows: number;
  /** Rows in PostgreSQL after the copy (equal to `rows`, or the copy was rolled back). */
  readonly copied: number;
  /** Highest id on both sides; null for a table keyed by text or without rows. */
  readonly maxId: number | null;
  /** The id PostgreSQL gives the next row of this table; null for a table keyed by text. */
  readonly nextId: number | null;
}

/** What {@link copySqliteToPostgres} did. */
export interface CopyReport {
  readonly tables: readonly CopiedTable[];
  /** Every row of every table. */
  readonly totalRows: number;
  /** Wall time of the whole copy, migrations and checks included, ms. */
  readonly durationMs: number;
}

/** Why a copy was refused or failed; nothing was written to PostgreSQL (the transaction rolled back). */
export type CopyFailure = 'no-sqlite-file' | 'not-repka' | 'postgres' | 'target-not-empty' | 'mismatch';

export class CopyError extends Error {
  constructor(
    readonly reason: CopyFailure,
    message: string,
  ) {
    super(message);
    this.name = 'CopyError';
  }
}

/**
 * The tables in an order that keeps foreign keys satisfied (clients before cases before their
 * events and asks). Taken from the PostgreSQL schema, so a column added there and not here, or
 * on one side only, stops the copy instead of being left behind.
 */
const tables: readonly PgTable[] = [schema.clients, schema.cases, schema.caseEvents, schema.asks, schema.processedInbound, schema.outbox, schema.slackUsers];

/** Rows per INSERT: one statement of column arrays (`unnest`), so a batch costs one round trip whatever its width. */
const batchSize = 1000;

interface TablePlan {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly sqlType: string; readonly boolean: boolean }[];
  /** The primary key column; an integer identity for every table but processed_inbound and slack_users. */
  readonly key: string;
  readonly identity: boolean;
}

const plans: readonly TablePlan[] = tables.map((table) => {
  const config = getTableConfig(table);
  const columns = config.columns.map((c) => ({ name: c.name, sqlType: c.getSQLType(), boolean: c.columnType === 'PgBoolean' }));
  const key = config.columns.find((c) => c.primary);
  if (key === undefined) throw new Error(`${config.name} has no primary key column`);
  return { name: config.name, columns, key: key.name, identity: key.getSQLType() === 'integer' };
});

/** The names of Repka's tables, in copy order. */
export const repkaTables: readonly string[] = plans.map((p) => p.name);

/** A table added to the PostgreSQL schema must be added to `tables` too, or it would not be copied. */
function checkEveryTableKnown(): void {
  const unknown = (Object.values(schema) as unknown[])
    .flatMap((value) => (is(value, PgTable) ? [getTableConfig(value).name] : []))
    .filter((name) => !repkaTables.includes(name));
  if (unknown.length > 0) throw new Error(`db/copy-to-postgres.ts does not copy table ${unknown.join(', ')} yet`);
}

/** `url` with its password, if any, replaced by `***` (postgres://user:***@host/db). */
export function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL at all: show nothing of what might be a secret after the user name.
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

/** A pg error's text: node-postgres' connection failures can be an AggregateError with no message (one per address tried). */
function describe(error: unknown, url: string): string {
  const e = error as Error & { code?: string; errors?: Error[] };
  let text = e.message;
  if (!text && Array.isArray(e.errors)) text = [...new Set(e.errors.map((inner) => inner.message))].join('; ');
  if (!text) text = e.code ?? String(error);
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // not a URL: nothing to hide
  }
  return password === '' ? text : text.split(password).join('***');
}

/** Inserts placeholders never go near SQLite's or PostgreSQL's limits: a batch is one array per column. */
function insertStatement(plan: TablePlan): string {
  const names = plan.columns.map((c) => `"${c.name}"`).join(', ');
  const arrays = plan.columns.map((c, i) => `$${i + 1}::${c.sqlType}[]`).join(', ');
  return `insert into "${plan.name}" (${names}) select * from unnest(${arrays})`;
}

/**
 * Copies the Repka SQLite file at `sqlitePath` into the PostgreSQL database at `postgresUrl`:
 * opens the file read-only (refusing one without Repka's tables or with other columns than
 * PostgreSQL's schema), migrates PostgreSQL with {@link openPostgresStorage}, refuses unless every
 * Repka table there is empty, and copies every table, ids kept, in one PostgreSQL transaction
 * holding an exclusive lock on the tables. SQLite is read in one snapshot, so a Repka still writing
 * to the file does not tear the copy, but whatever it writes after the snapshot is not copied:
 * stop Repka first. Each identity sequence is then set past the highest id the file ever gave
 * (SQLite's AUTOINCREMENT counter, which remembers deleted rows too). Before the commit the row
 * count and highest id of each table are read back on PostgreSQL and compared with SQLite's; a
 * difference rolls everything back. Rejects with a {@link CopyError}, PostgreSQL left unchanged.
 */
export async function copySqliteToPostgres(sqlitePath: string, postgresUrl: string, log: (line: string) => void = () => undefined): Promise<CopyReport> {
  const started = performance.now();
  checkEveryTableKnown();
  if (!existsSync(sqlitePath) || !statSync(sqlitePath).isFile()) throw new CopyError('no-sqlite-file', `No SQLite file at ${sqlitePath}.`);
  const sqlite = openRepkaFile(sqlitePath);
  try {
    try {
      const storage = await openPostgresStorage(postgresUrl, { poolSize: 1, onIdleError: () => undefined });
      await storage.close();
    } catch (error) {
      throw new CopyError('postgres', `PostgreSQL at ${maskPassword(postgresUrl)}: ${describe(error, postgresUrl)}`);
    }
    log(`PostgreSQL at ${maskPassword(postgresUrl)} is migrated`);
    const client = new pg.Client({ connectionString: postgresUrl });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      throw new CopyError('postgres', `PostgreSQL at ${maskPassword(postgresUrl)}: ${describe(error, postgresUrl)}`);
    }
    try {
      // One read snapshot of the file for the counts and every row.
      sqlite.exec('begin');
      try {
        const copied = await copyInTransaction(sqlite, client, postgresUrl, log);
        const totalRows = copied.reduce((sum, t) => sum + t.rows, 0);
        return { tables: copied, totalRows, durationMs: Math.round(performance.now() - started) };
      } finally {
        sqlite.exec('rollback');
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    sqlite.close();
  }
}

/** The file, read-only, once it is known to hold Repka's tables with PostgreSQL's columns. */
function openRepkaFile(path: string): Database.Database {
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new CopyError('no-sqlite-file', `Cannot open ${path}: ${(error as Error).message}.`);
  }
  try {
    const found = new Set((sqlite.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[]));
    const missing = repkaTables.filter((t) => !found.has(t));
    if (missing.length === repkaTables.length) throw new CopyError('not-repka', `${path} is not a Repka database (none of its tables: ${repkaTables.join(', ')}).`);
    if (missing.length > 0) throw new CopyError('not-repka', `${path} is not a complete Repka database: no table ${missing.join(', ')} (start this Repka version on it once to migrate it, then copy again).`);
    // A table only SQLite has (a newer Repka's file) would be left behind.
    const extra = [...found].filter((t) => !repkaTables.includes(t) && !t.startsWith('sqlite_') && t !== '__drizzle_migrations');
    if (extra.length > 0) throw new CopyError('not-repka', `${path} has tables PostgreSQL's schema does not (${extra.join(', ')}): this Repka version cannot copy them.`);
    for (const plan of plans) {
      const columns = new Set(sqlite.prepare(`select name from pragma_table_info('${plan.name}')`).pluck().all() as string[]);
      const expected = plan.columns.map((c) => c.name);
      const absent = expected.filter((c) => !columns.has(c));
      const extra = [...columns].filter((c) => !expected.includes(c));
      if (absent.length > 0) throw new CopyError('not-repka', `${path}: table ${plan.name} has no column ${absent.join(', ')} (an older Repka's file: start this version on it once to migrate it, then copy again).`);
      if (extra.length > 0) throw new CopyError('not-repka', `${path}: table ${plan.name} has columns PostgreSQL's schema does not (${extra.join(', ')}): this Repka version cannot copy them.`);
    }
    return sqlite;
  } catch (error) {
    sqlite.close();
    if (error instanceof CopyError) throw error;
    // "file is not a database", and the like.
    throw new CopyError('not-repka', `${path} is not a Repka database: ${(error as Error).message}.`);
  }
}

async function copyInTransaction(sqlite: Database.Database, client: pg.Client, url: string, log: (line: string) => void): Promise<CopiedTable[]> {
  const query = async <R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> => {
    try {
      return (await client.query<R>(text, values)).rows;
    } catch (error) {
      throw new CopyError('postgres', `PostgreSQL: ${describe(error, url)}`);
    }
  };
  await query('begin');
  let committed = false;
  try {
    // Nothing else writes these tables until the commit (a Repka already started on PostgreSQL waits, or
    // gives up after the timeout, and so does the copy when one holds them).
    await query("set local lock_timeout = '10s'");
    await query(`lock table ${plans.map((p) => `"${p.name}"`).join(', ')} in access exclusive mode`);
    const nonEmpty: string[] = [];
    for (const plan of plans) {
      const [row] = await query<{ n: number }>(`select count(*)::int as n from "${plan.name}"`);
      if (row !== undefined && row.n > 0) nonEmpty.push(`${plan.name} has ${row.n} row${row.n === 1 ? '' : 's'}`);
    }
    if (nonEmpty.length > 0) throw new CopyError('target-not-empty', `PostgreSQL is not empty: ${nonEmpty.join(', ')}; copy only into a new database.`);
    const autoincrement = new Map<string, number>(
      (sqlite.prepare('select name, seq from sqlite_sequence').all() as { name: string; seq: number }[]).map((r) => [r.name, r.seq]),
    );
    const copied: CopiedTable[] = [];
    for (const plan of plans) {
      const rows = await copyTable(sqlite, plan, query);
      const source = sourceFigures(sqlite, plan);
      if (rows !== source.rows) throw new CopyError('mismatch', `${plan.name}: ${source.rows} rows in SQLite, ${rows} copied.`);
      let nextId: number | null = null;
      if (plan.identity) {
        const past = Math.max(source.maxId ?? 0, autoincrement.get(plan.name) ?? 0);
        // setval(n, true): the next id is n + 1; setval(1, false): the next id is 1.
        const [row] = await query<{ next: number }>(`select setval(pg_get_serial_sequence($1, $2), $3, $4)::int + $5::int as next`, [plan.name, plan.key, Math.max(past, 1), past > 0, past > 0 ? 1 : 0]);
        nextId = row?.next ?? null;
      }
      const target = await query<{ n: number; max: number | null }>(`select count(*)::int as n, ${plan.identity ? `max("${plan.key}")` : 'null::int'} as max from "${plan.name}"`);
      const figures = target[0] ?? { n: -1, max: null };
      if (figures.n !== source.rows || (figures.max ?? null) !== source.maxId) {
        throw new CopyError('mismatch', `${plan.name}: SQLite has ${source.rows} rows up to id ${source.maxId ?? '-'}, PostgreSQL ${figures.n} up to ${figures.max ?? '-'}; nothing was kept.`);
      }
      copied.push({ table: plan.name, rows: source.rows, copied: figures.n, maxId: source.maxId, nextId });
      log(`${plan.name}: ${figures.n} rows copied`);
    }
    await query('commit');
    committed = true;
    return copied;
  } finally {
    if (!committed) await client.query('rollback').catch(() => undefined);
  }
}

function sourceFigures(sqlite: Database.Database, plan: TablePlan): { rows: number; maxId: number | null } {
  const row = sqlite.prepare(`select count(*) as n, ${plan.identity ? `max("${plan.key}")` : 'null'} as max from "${plan.name}"`).get() as { n: number; max: number | null };
  return { rows: row.n, maxId: row.max };
}

/** Copies one table in key order, `batchSize` rows per statement; resolves with the rows written. */
async function copyTable(sqlite: Database.Database, plan: TablePlan, query: (text: string, values?: unknown[]) => Promise<unknown[]>): Promise<number> {
  const names = plan.columns.map((c) => `"${c.name}"`).join(', ');
  const keyAt = plan.columns.findIndex((c) => c.name === plan.key);
  const first = sqlite.prepare(`select ${names} from "${plan.name}" order by "${plan.key}" limit ${batchSize}`).raw();
  const next = sqlite.prepare(`select ${names} from "${plan.name}" where "${plan.key}" > ? order by "${plan.key}" limit ${batchSize}`).raw();
  const insert = insertStatement(plan);
  let written = 0;
  let batch = first.all() as unknown[][];
  while (batch.length > 0) {
    const columns = plan.columns.map((c, i) => batch.map((row) => (c.boolean && row[i] !== null ? row[i] !== 0 : row[i])));
    await query(insert, columns);
    written += batch.length;
    if (batch.length < batchSize) break;
    batch = next.all(batch[batch.length - 1]?.[keyAt]) as unknown[][];
  }
  return written;
}
