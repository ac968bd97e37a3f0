import type { StorageBackend } from './storage-backend.js';
import { openSqliteStorage } from './sqlite/open-sqlite-storage.js';

export type { StorageBackend } from './storage-backend.js';

/**
 * The storage the configuration names: PostgreSQL at `databaseUrl` when it is set (several
 * instances may share it), else the SQLite file at `databasePath`. Either is migrated on open.
 */
export async function openStorage(config: { readonly databaseUrl?: string; readonly databasePath: string }): Promise<StorageBackend> {
  if (config.databaseUrl === undefined) return openSqliteStorage(config.databasePath);
  // Loaded only when asked for: an embedded install never loads the PostgreSQL driver.
  const { openPostgresStorage } = await import('./postgres/open-postgres-storage.js');
  return openPostgresStorage(config.databaseUrl);
}
