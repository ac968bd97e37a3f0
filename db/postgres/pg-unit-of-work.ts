import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Storage, UnitOfWork } from '../../src/ports.js';
import { PgStorage } from './pg-storage.js';
import type * as schema from './schema.js';

/** How many times a unit runs at most when PostgreSQL aborts it for a conflict with another. */
const maxAttempts = 5;

/**
 * The longest pause before a unit runs again, ms, times the attempt. Random: the units of a
 * deadlock that start again at once can take the same locks in the same crossing order again.
 */
const maxRetryPauseMs = 20;

/**
 * SQLSTATEs after which running the whole transaction again may succeed: serialization_failure
 * and deadlock_detected (manual, appendix A "PostgreSQL Error Codes"; "Serialization Failure
 * Handling" says to retry the complete transaction).
 */
const retryable = new Set(['40001', '40P01']);

const isRetryable = (error: unknown): boolean => {
  // drizzle wraps the driver's error in a DrizzleQueryError whose `cause` is pg's DatabaseError.
  for (let e: unknown = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && retryable.has(code)) return true;
  }
  return false;
};

/**
 * Units of work on a PostgreSQL pool: each its own transaction on a client of the pool, in Read
 * Committed, running concurrently with the others; the rows a unit reads to decide on are locked
 * until it ends, so units on the same case, client or ask take turns (see PgCaseStore). A unit PostgreSQL aborts for a serialization
 * failure or a deadlock runs again from the start after a short random pause (at most
 * `maxAttempts` times in all); its work is re-runnable by contract. `run` resolves after COMMIT has
 * returned, that is once the commit is flushed to the WAL under the default
 * `synchronous_commit = on` (manual, 20.5.1 "Settings": synchronous_commit).
 */
export class PgUnitOfWork implements UnitOfWork {
  constructor(
    private readonly db: NodePgDatabase<typeof schema>,
    /** Storage on the pool itself, for reads. */
    private readonly pooled: Storage,
  ) {}

  async run<T>(work: (tx: Storage) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        // A fresh storage for every attempt: nothing read under an aborted one is carried over.
        return await this.db.transaction((tx) => work(new PgStorage(tx, true)));
      } catch (error) {
        if (attempt >= maxAttempts || !isRetryable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * maxRetryPauseMs * attempt));
      }
    }
  }

  /** Runs `work` on the pool: each of its statements sees what was committed when it starts. */
  read<T>(work: (tx: Storage) => Promise<T>): Promise<T> {
    return work(this.pooled);
  }
}
