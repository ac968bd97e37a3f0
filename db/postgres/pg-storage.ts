import type { Outgoing } from '../../src/outgoing.js';
import type { PendingMessage, Storage } from '../../src/ports.js';
import { PgCaseStore } from './pg-case-store.js';
import type { RepkaPg } from './pg-database.js';
import { PgOutbox } from './pg-outbox.js';

/**
 * Everything a unit of work reads and writes, on the pool or in one transaction: the case store
 * with the outbox. One lives for one transaction (PgUnitOfWork makes a new one for every attempt),
 * and it keeps nothing of its own between calls but prepared statements.
 */
export class PgStorage extends PgCaseStore implements Storage {
  private readonly outbox: PgOutbox;

  /** `inUnit`: `db` is a unit's transaction, whose reads lock what they return (see PgCaseStore). */
  constructor(db: RepkaPg, inUnit = false) {
    super(db, inUnit);
    this.outbox = new PgOutbox(db);
  }

  enqueue(messages: readonly Outgoing[], at: number): Promise<number[]> {
    return this.outbox.enqueue(messages, at);
  }

  pending(stream: string, limit: number): Promise<PendingMessage[]> {
    return this.outbox.pending(stream, limit);
  }

  markSent(ids: readonly number[], at: number): Promise<void> {
    return this.outbox.markSent(ids, at);
  }

  markFailed(ids: readonly number[], error: string): Promise<void> {
    return this.outbox.markFailed(ids, error);
  }

  recordAttempt(ids: readonly number[], error: string): Promise<void> {
    return this.outbox.recordAttempt(ids, error);
  }

  pendingStreams(): Promise<{ stream: string; firstId: number }[]> {
    return this.outbox.pendingStreams();
  }
}
