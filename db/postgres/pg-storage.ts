import type { Outgoing } from '../../src/outgoing.js';
import type { PendingMessage, Storage } from '../../src/ports.js';
import { PgCaseStore } from './pg-case-store.js';
import type { RepkaPg } from './pg-database.js';
import { PgOutbox } from './pg-outbox.js';

/** Everything a unit of work reads and writes, on the pool or in one transaction: the case store with the outbox. */
export class PgStorage extends PgCaseStore implements Storage {
  private readonly outbox: PgOutbox;

  constructor(db: RepkaPg) {
    super(db);
    this.outbox = new PgOutbox(db);
  }

  enqueue(message: Outgoing, at: number): Promise<number> {
    return this.outbox.enqueue(message, at);
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
