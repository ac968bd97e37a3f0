import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { StorageBackend } from '../storage-backend.js';
import { PgOutbox } from './pg-outbox.js';
import { PgReportSource } from './pg-report-source.js';
import { PgSlackNameStore } from './pg-slack-name-store.js';
import { PgStorage } from './pg-storage.js';
import { PgUnitOfWork } from './pg-unit-of-work.js';
import * as schema from './schema.js';
import { NulSafeClient } from './nul-safe-client.js';

const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** The advisory lock key replicas migrate under ("repka" in ASCII); any constant no other application uses. */
const migrationLock = 0x7265706b61;

/** Options of {@link openPostgresStorage}. */
export interface PostgresStorageOptions {
  /** Most connections the pool opens; default 10 (node-postgres' default). */
  readonly poolSize?: number;
  /**
   * Told when an idle pooled connection fails (the server restarted, a network cut); the pool
   * drops it and opens another when needed. Default: console.error. Without a listener
   * node-postgres would throw the error out of the process.
   */
  readonly onIdleError?: (error: Error) => void;
}

/**
 * The PostgreSQL database at `url` (postgres://user:password@host:port/database) as a storage
 * backend, with its migrations applied. Replicas starting together migrate one at a time under
 * an advisory lock; the ones after the first find nothing left to do. Rejects when the database
 * cannot be reached or a migration fails (the pool is closed then).
 */
export async function openPostgresStorage(url: string, options: PostgresStorageOptions = {}): Promise<StorageBackend> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, Client: NulSafeClient });
  pool.on('error', options.onIdleError ?? ((error) => console.error(error)));
  try {
    await migrateLocked(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const db = drizzle({ client: pool, schema });
  const storage = new PgStorage(db);
  return {
    dialect: 'postgres',
    uow: new PgUnitOfWork(pool, storage),
    storage,
    names: new PgSlackNameStore(db),
    reports: new PgReportSource(db),
    backlog: new PgOutbox(db),
    ping: async () => void (await pool.query('select 1')),
    // pool.end() waits for checked-out clients to come back, so units in flight finish first.
    close: () => pool.end(),
  };
}

/**
 * Applies pending migrations on one client holding a session-level advisory lock, which waits
 * until no other session holds it (manual, 9.27.10 "Advisory Lock Functions"). drizzle's migrator
 * creates its schema and table with IF NOT EXISTS, which two sessions at once can still both try
 * and one fail on a unique index; under the lock the second sees the migrations the first applied.
 */
async function migrateLocked(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('select pg_advisory_lock($1)', [migrationLock]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [migrationLock]);
    }
  } catch (error) {
    // A client whose unlock may not have run is closed rather than pooled: ending the session releases its locks.
    broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}
