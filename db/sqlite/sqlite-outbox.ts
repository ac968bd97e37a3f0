import { and, asc, count, eq, lt, min, sql } from 'drizzle-orm';
import { streamOf, type Outgoing } from '../../src/outgoing.js';
import { toPending } from '../rows.js';
import type { OutboxBacklog, OutboxLedger, PendingMessage } from '../../src/ports.js';
import { literalLimit, type RepkaDb } from './open-database.js';
import { outbox } from './schema.js';
import type { GroupCommit } from './group-commit.js';

/** Rows whose id is in the JSON array bound to `ids`. */
const inIds = sql`${outbox.id} in (select value from json_each(${sql.placeholder('ids')}))`;

/** The outbox on SQLite: written inside domain transactions, read by the delivery queue. */
export class SqliteOutbox implements OutboxLedger, OutboxBacklog {
  /** Queries run for every message, built once. */
  private readonly hot;
  /** The pending-rows query per batch size (the limit is part of the SQL text, see literalLimit). */
  private readonly pendingQueries = new Map<number, ReturnType<SqliteOutbox['pendingQuery']>>();
  /** The first row written in the batch not yet committed: rows from it on are not delivered yet. */
  private firstUncommitted: number | undefined;

  constructor(
    private readonly db: RepkaDb,
    private readonly commits: GroupCommit,
  ) {
    this.hot = {
      enqueue: db
        .insert(outbox)
        .values({ stream: sql.placeholder('stream'), payload: sql.placeholder('payload'), caseId: sql.placeholder('caseId'), createdAt: sql.placeholder('createdAt') })
        .returning({ id: outbox.id })
        .prepare(),
      markOneSent: db
        .update(outbox)
        .set({ status: 'sent', sentAt: sql`${sql.placeholder('at')}`, lastError: null })
        .where(eq(outbox.id, sql.placeholder('id')))
        .prepare(),
      // Several rows by one statement, whatever their number: `ids` is a JSON array of them.
      markSent: db
        .update(outbox)
        .set({ status: 'sent', sentAt: sql`${sql.placeholder('at')}`, lastError: null })
        .where(inIds)
        .prepare(),
      markFailed: db
        .update(outbox)
        .set({ status: 'failed', lastError: sql`${sql.placeholder('error')}` })
        .where(inIds)
        .prepare(),
      recordAttempt: db
        .update(outbox)
        .set({ attempts: sql`${outbox.attempts} + 1`, lastError: sql`${sql.placeholder('error')}` })
        .where(inIds)
        .prepare(),
    };
  }

  async enqueue(messages: readonly Outgoing[], at: number): Promise<number[]> {
    // One connection, units taking turns: ids follow commit order by construction.
    return messages.map((message) => this.enqueueOne(message, at));
  }

  private enqueueOne(message: Outgoing, at: number): number {
    const caseId = 'caseId' in message && typeof message.caseId === 'number' ? message.caseId : null;
    const { id } = this.hot.enqueue.get({ stream: streamOf(message), payload: JSON.stringify(message), caseId, createdAt: at }) as { id: number };
    if (this.commits.open && this.firstUncommitted === undefined) {
      this.firstUncommitted = id;
      this.commits.onSettled(() => (this.firstUncommitted = undefined));
    }
    return id;
  }

  private pendingQuery(limit: number) {
    return this.db
      .select()
      .from(outbox)
      .where(and(sql`${outbox.status} = 'pending'`, eq(outbox.stream, sql.placeholder('stream')), lt(outbox.id, sql.placeholder('before'))))
      .orderBy(asc(outbox.id))
      .limit(literalLimit(limit))
      .prepare();
  }

  /**
   * The oldest pending rows of `stream`, in order. Rows of a batch not yet committed are left out:
   * a message must not reach a platform before the event that caused it is durable.
   */
  async pending(stream: string, limit: number): Promise<PendingMessage[]> {
    let query = this.pendingQueries.get(limit);
    if (query === undefined) this.pendingQueries.set(limit, (query = this.pendingQuery(limit)));
    return query
      .all({ stream, before: this.firstUncommitted ?? Number.MAX_SAFE_INTEGER })
      .map(toPending);
  }

  /** Every stream with pending rows and its oldest pending id, for rebuilding the queue on start. */
  async pendingStreams(): Promise<{ stream: string; firstId: number }[]> {
    return this.db
      .select({ stream: outbox.stream, firstId: min(outbox.id).mapWith(Number) })
      .from(outbox)
      .where(eq(outbox.status, 'pending'))
      .groupBy(outbox.stream)
      .all();
  }

  async markSent(ids: readonly number[], at: number): Promise<void> {
    if (ids.length === 0) return;
    if (ids.length === 1) return void this.hot.markOneSent.run({ id: ids[0], at });
    this.hot.markSent.run({ ids: JSON.stringify(ids), at });
  }

  async markFailed(ids: readonly number[], error: string): Promise<void> {
    if (ids.length === 0) return;
    this.hot.markFailed.run({ ids: JSON.stringify(ids), error });
  }

  async recordAttempt(ids: readonly number[], error: string): Promise<void> {
    if (ids.length === 0) return;
    this.hot.recordAttempt.run({ ids: JSON.stringify(ids), error });
  }

  /** Pending rows and the creation time of the oldest (for metrics). */
  async backlog(): Promise<{ pending: number; oldestCreatedAt: number | null }> {
    const row = this.db
      .select({ pending: count(), oldest: min(outbox.createdAt) })
      .from(outbox)
      .where(eq(outbox.status, 'pending'))
      .get();
    return { pending: row?.pending ?? 0, oldestCreatedAt: row?.oldest ?? null };
  }
}
