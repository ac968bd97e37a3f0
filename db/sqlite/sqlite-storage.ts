import type { Outgoing } from '../../src/outgoing.js';
import type { PendingMessage, Storage } from '../../src/ports.js';
import type { RepkaDb } from './open-database.js';
import { SqliteCaseStore } from './sqlite-case-store.js';
import type { SqliteOutbox } from './sqlite-outbox.js';

/** Everything a unit of work reads and writes, on one SQLite connection: the case store with the outbox. */
export class SqliteStorage extends SqliteCaseStore implements Storage {
  constructor(
    db: RepkaDb,
    private readonly outbox: SqliteOutbox,
  ) {
    super(db);
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
