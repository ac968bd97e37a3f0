import type Database from 'better-sqlite3';

interface Batch {
  readonly effects: (() => void)[];
  readonly settled: ((ok: boolean) => void)[];
  readonly waiters: { resolve: () => void; reject: (error: Error) => void }[];
}

/**
 * Group commit. A busy Repka spent most of its SQLite time committing: every client message was
 * its own transaction, and every commit appends the pages it changed to the WAL. Here the
 * transactions of one event-loop turn share one SQLite transaction: the first opens it
 * (`BEGIN IMMEDIATE`), each runs inside its own savepoint (so one that throws is undone alone), and
 * one `COMMIT` at the end of the turn makes them all durable at once.
 *
 * Until then nothing may leave the process on their behalf: a {@link unit} hands back `durable`,
 * which settles with the batch's commit, and SqliteUnitOfWork resolves `run` only then (so a use
 * case wakes delivery, schedules jobs and acknowledges the platform after it). If the commit fails,
 * the whole batch is rolled back, every `durable` of it rejects (the platform retries), and effects
 * registered with {@link afterCommit} are dropped.
 */
export class GroupCommit {
  private batch: Batch | undefined;
  private readonly sql;
  /** True while an asynchronous unit is inside its savepoint: the commit waits for it to end. */
  private inUnit = false;
  /** The end-of-turn commit came while a unit was inside its savepoint. */
  private flushWanted = false;

  constructor(
    private readonly sqlite: Database.Database,
    /** Told when an after-commit effect throws (the others still run). */
    private readonly onEffectError: (error: Error) => void,
    /** Runs the commit at the end of the current turn. */
    private readonly schedule: (commit: () => void) => void = (commit) => void setImmediate(commit),
  ) {
    this.sql = {
      begin: sqlite.prepare('BEGIN IMMEDIATE'),
      commit: sqlite.prepare('COMMIT'),
      rollback: sqlite.prepare('ROLLBACK'),
      savepoint: sqlite.prepare('SAVEPOINT unit'),
      release: sqlite.prepare('RELEASE unit'),
      rollbackTo: sqlite.prepare('ROLLBACK TO unit'),
    };
  }

  /** True while writes are waiting for the end-of-turn commit. */
  get open(): boolean {
    return this.batch !== undefined;
  }

  /**
   * Runs `work` atomically inside the current batch (opening one if needed), in its own savepoint:
   * its writes are visible to this process at once and durable after the batch commits; one that
   * throws is undone alone.
   * Resolves once the work is done and its savepoint released, with the result and `durable`, which
   * settles when the batch commits (rejects if it fails). Callers take turns (one unit at a time:
   * SqliteUnitOfWork), and `work` awaits nothing but this connection, so a unit ends within the turn;
   * a commit due while one is inside its savepoint waits for it.
   */
  async unit<T>(work: () => Promise<T>): Promise<{ result: T; durable: Promise<void> }> {
    if (this.inUnit) throw new Error('units of a group commit take turns');
    this.begin();
    const durable = this.committed();
    this.inUnit = true;
    this.sql.savepoint.run();
    try {
      const result = await work();
      this.sql.release.run();
      return { result, durable };
    } catch (error) {
      // SQLite may have rolled the whole transaction back itself (e.g. disk full): then the
      // batch is lost, and the commit at the end of the turn says so to everyone waiting on it.
      if (this.sqlite.inTransaction) {
        this.sql.rollbackTo.run();
        this.sql.release.run();
      }
      durable.catch(() => undefined);
      throw error;
    } finally {
      this.inUnit = false;
      if (this.flushWanted) {
        this.flushWanted = false;
        this.flush();
      }
    }
  }

  /** Runs `effect` once everything written so far is committed; at once when nothing waits. */
  afterCommit(effect: () => void): void {
    if (this.batch === undefined) effect();
    else this.batch.effects.push(effect);
  }

  /** Calls `listener` when the current batch commits (true) or is rolled back (false); at once with true when none is open. */
  onSettled(listener: (ok: boolean) => void): void {
    if (this.batch === undefined) listener(true);
    else this.batch.settled.push(listener);
  }

  /** Resolves once everything written so far is committed; rejects if that commit failed. */
  committed(): Promise<void> {
    const batch = this.batch;
    if (batch === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }));
  }

  /** Commits the open batch now (before closing the database, or in tests). */
  flush(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    if (this.inUnit) {
      this.flushWanted = true;
      return;
    }
    this.batch = undefined;
    let failure: Error | undefined;
    if (!this.sqlite.inTransaction) failure = new Error('the transaction was rolled back by SQLite');
    else {
      try {
        this.sql.commit.run();
      } catch (error) {
        failure = error as Error;
        if (this.sqlite.inTransaction) this.sql.rollback.run();
      }
    }
    for (const listener of batch.settled) listener(failure === undefined);
    if (failure !== undefined) {
      for (const waiter of batch.waiters) waiter.reject(new Error(`not stored: ${failure.message}`));
      return;
    }
    for (const effect of batch.effects) {
      try {
        effect();
      } catch (error) {
        this.onEffectError(error as Error);
      }
    }
    for (const waiter of batch.waiters) waiter.resolve();
  }

  private begin(): void {
    if (this.batch !== undefined) {
      if (this.sqlite.inTransaction) return;
      // SQLite ended the batch's transaction on its own (an error rolled it back): fail that batch.
      this.flush();
    }
    this.sql.begin.run();
    this.batch = { effects: [], settled: [], waiters: [] };
    this.schedule(() => this.flush());
  }
}
