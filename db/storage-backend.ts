import type { MetricsSource, OutboxBacklog, NameStore, Storage, UnitOfWork } from '../src/ports.js';
import type { HomeSource } from '../src/reports/home.js';
import type { ReportSource } from '../src/reports/stats.js';

/** One storage, whichever database holds it: what the composition root wires the rest on. */
export interface StorageBackend {
  /** 'sqlite' or 'postgres', for logs and the operator. */
  readonly dialect: 'sqlite' | 'postgres';
  readonly uow: UnitOfWork;
  /**
   * Storage for calls that stand alone outside a unit of work (maintenance, the CLI): each call is
   * its own transaction.
   */
  readonly storage: Storage;
  readonly names: NameStore;
  readonly reports: ReportSource & HomeSource & MetricsSource;
  readonly backlog: OutboxBacklog;
  /** Resolves when the database answers a trivial query (for /healthz). */
  ping(): Promise<void>;
  /** Commits what is pending, then closes the database. */
  close(): Promise<void>;
}
