import type { Logger } from '../src/ports.js';
import type { StorageBackend } from './storage-backend.js';
import { openSqliteStorage } from './sqlite/open-sqlite-storage.js';

export type { StorageBackend } from './storage-backend.js';

/**
 * The storage the configuration names: PostgreSQL at `databaseUrl` when it is set (several
 * instances may share it), else the SQLite file at `databasePath`. Either is migrated on open.
 * `log` is told what fails outside any caller's call (an idle pooled connection, an effect run
 * after a commit); without it, stderr.
 */
export async function openStorage(config: { readonly databaseUrl?: string; readonly databasePath: string }, log?: Logger): Promise<StorageBackend> {
  if (config.databaseUrl === undefined) return openSqliteStorage(config.databasePath, log && ((error) => log.error('effect after a commit failed', { error })));
  // Loaded only when asked for: an embedded install never loads the PostgreSQL driver.
  const { openPostgresStorage } = await import('./postgres/open-postgres-storage.js');
  return openPostgresStorage(config.databaseUrl, log && { onIdleError: (error) => log.warn('idle PostgreSQL connection failed; the pool opens another', { error }) });
}
