import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { Storage, UnitOfWork } from '../../src/ports.js';
import { PgStorage } from './pg-storage.js';
import * as schema from './schema.js';

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
 * until it ends, so units on the same case, client or ask take turns (see PgCaseStore). A unit
 * PostgreSQL aborts for a serialization failure or a deadlock runs again from the start after a
 * short random pause (at most `maxAttempts` times in all); its work is re-runnable by contract.
 * `run` resolves after COMMIT has returned, that is once the commit is flushed to the WAL under the
 * default `synchronous_commit = on` (manual, 20.5.1 "Settings": synchronous_commit).
 *
 * Each pooled connection keeps one PgStorage for the units that run on it, built when the
 * connection first runs one: its queries are built (and prepared on the server) once per
 * connection, not once per unit, which cost more CPU than the unit's own statements. A PgStorage
 * holds nothing between calls but those queries, so reusing it carries nothing from one unit, or
 * an aborted attempt, into the next. The transaction is BEGIN, the work, COMMIT (ROLLBACK when the
 * work throws), as drizzle's `transaction` does; a connection whose ROLLBACK fails is closed, not
 * pooled, so no later unit runs inside what is left of the failed one.
 */
export class PgUnitOfWork implements UnitOfWork {
  private readonly storages = new WeakMap<pg.PoolClient, PgStorage>();

  constructor(
    private readonly pool: pg.Pool,
    /** Storage on the pool itself, for reads and single statements. */
    private readonly pooled: Storage,
  ) {}

  async run<T>(work: (tx: Storage) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(work);
      } catch (error) {
        if (attempt >= maxAttempts || !isRetryable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * maxRetryPauseMs * attempt));
      }
    }
  }

  private async once<T>(work: (tx: Storage) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    /** BEGIN, COMMIT or ROLLBACK: one that fails without an answer from the server leaves the connection unusable. */
    const control = async (statement: 'begin' | 'commit' | 'rollback') => {
      try {
        await client.query(statement);
      } catch (error) {
        if (statement === 'rollback' || !hasSqlState(error)) broken = error as Error;
        throw error;
      }
    };
    try {
      let storage = this.storages.get(client);
      if (storage === undefined) {
        storage = new PgStorage(drizzle({ client, schema }), true);
        this.storages.set(client, storage);
      }
      await control('begin');
      let result: T;
      try {
        result = await work(storage);
      } catch (error) {
        await control('rollback').catch(() => undefined);
        throw error;
      }
      await control('commit');
      return result;
    } finally {
      client.release(broken);
    }
  }

  /** Runs `work` on the pool: each of its statements sees what was committed when it starts. */
  read<T>(work: (tx: Storage) => Promise<T>): Promise<T> {
    return work(this.pooled);
  }

  /** One statement on the pool, outside any transaction: it commits by itself (autocommit). */
  runStatement<T>(work: (tx: Storage) => Promise<T>): Promise<T> {
    return work(this.pooled);
  }
}

/** True when the error carries a SQLSTATE: the server answered, so the connection still works. */
const hasSqlState = (error: unknown): boolean => {
  for (let e: unknown = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return true;
  }
  return false;
};
