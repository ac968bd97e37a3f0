import type { StorageBackend } from '../storage-backend.js';
import { openDatabase } from './open-database.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { SqliteReportSource } from './sqlite-report-source.js';
import { SqliteSlackNameStore } from './sqlite-slack-name-store.js';
import { SqliteStorage } from './sqlite-storage.js';
import { SqliteUnitOfWork } from './sqlite-unit-of-work.js';

/**
 * The SQLite file at `path` (created and migrated when needed) as a storage backend.
 * `onEffectError`: told when an effect run after a commit throws; default stderr.
 */
export function openSqliteStorage(path: string, onEffectError?: (error: Error) => void): StorageBackend & { readonly database: ReturnType<typeof openDatabase> } {
  const database = openDatabase(path, onEffectError);
  const outbox = new SqliteOutbox(database.db, database.commits);
  const storage = new SqliteStorage(database.db, outbox);
  return {
    dialect: 'sqlite',
    database,
    uow: new SqliteUnitOfWork(storage, database.commits),
    storage,
    names: new SqliteSlackNameStore(database.db),
    reports: new SqliteReportSource(database.db),
    backlog: outbox,
    ping: async () => void database.sqlite.prepare('select 1').get(),
    close: async () => database.close(),
  };
}
