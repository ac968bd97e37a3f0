import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * A test's direct access to Repka's database, the same on SQLite and PostgreSQL: SQL written with
 * `?` placeholders (numbered `$1…` for PostgreSQL), rows with the same column names and JS types on
 * both (PostgreSQL's int8 and numeric read as numbers, its booleans as SQLite's 1/0).
 */
export interface TestDb {
  all<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T | undefined>;
  run(sql: string, ...params: unknown[]): Promise<void>;
  /** The names of the tables the app writes (not the migrations' own), by name. */
  tables(): Promise<string[]>;
  /** Closes the connections; a later call opens them again. */
  close(): Promise<void>;
}

/** Where the database is: PostgreSQL at `databaseUrl` when set, else the SQLite file at `databasePath`. */
export function openTestDb(where: { readonly databaseUrl?: string; readonly databasePath: string }): TestDb {
  return where.databaseUrl === undefined ? sqliteTestDb(where.databasePath) : postgresTestDb(where.databaseUrl);
}

/** Reads through a read-only connection, writes through a writable one, each opened on first use. */
function sqliteTestDb(path: string): TestDb {
  let reader: Database.Database | undefined;
  let writer: Database.Database | undefined;
  const read = () => (reader ??= new Database(path, { readonly: true, fileMustExist: true }));
  const write = () => {
    if (writer === undefined) {
      writer = new Database(path, { fileMustExist: true });
      // Generous: on a loaded machine Repka's own write may hold the file for seconds.
      writer.pragma('busy_timeout = 30000');
    }
    return writer;
  };
  return {
    all: async <T>(sql: string, ...params: unknown[]) => read().prepare(sql).all(...params) as T[],
    get: async <T>(sql: string, ...params: unknown[]) => read().prepare(sql).get(...params) as T | undefined,
    run: async (sql: string, ...params: unknown[]) => {
      write().prepare(sql).run(...params);
    },
    tables: async () =>
      (read().prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name").all() as { name: string }[]).map((t) => t.name),
    close: async () => {
      reader?.close();
      writer?.close();
      reader = undefined;
      writer = undefined;
    },
  };
}

/** int8 (count(*), bigint columns) and numeric (sum of bigint) as numbers, booleans as 1/0: as SQLite gives them. */
const asNumber = (value: string) => Number(value);
const asSqliteBoolean = (value: string) => (value === 't' || value === 'true' ? 1 : 0);
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (format === undefined || format === 'text') {
      if (oid === 20 || oid === 1700) return asNumber;
      if (oid === 16) return asSqliteBoolean;
    }
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

function postgresTestDb(url: string): TestDb {
  let pool: pg.Pool | undefined;
  const open = () => {
    if (pool === undefined) {
      pool = new pg.Pool({ connectionString: url, max: 2, types });
      // An idle connection cut when the database is dropped is not the test's failure.
      pool.on('error', () => undefined);
    }
    return pool;
  };
  const query = async (sql: string, params: unknown[]) => (await open().query(numbered(sql), params)).rows;
  return {
    all: async <T>(sql: string, ...params: unknown[]) => (await query(sql, params)) as T[],
    get: async <T>(sql: string, ...params: unknown[]) => (await query(sql, params))[0] as T | undefined,
    run: async (sql: string, ...params: unknown[]) => {
      await query(sql, params);
    },
    tables: async () =>
      ((await query("select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like '\\_\\_drizzle%' order by table_name", [])) as { name: string }[]).map((t) => t.name),
    close: async () => {
      const closing = pool;
      pool = undefined;
      await closing?.end();
    },
  };
}

/** `?` placeholders as `$1`, `$2`…, leaving quoted strings and identifiers alone. */
export function numbered(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}
