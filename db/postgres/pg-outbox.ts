import { and, asc, count, eq, inArray, min, sql } from 'drizzle-orm';
import { streamOf, type Outgoing } from '../../src/outgoing.js';
import type { OutboxBacklog, OutboxLedger, PendingMessage } from '../../src/ports.js';
import { onFirstUse, type RepkaPg } from './pg-database.js';
import { outbox } from './schema.js';

/**
 * The outbox on PostgreSQL: written inside units of work, read by the delivery queue. Behaves as
 * SqliteOutbox, except that nothing here holds uncommitted rows back: a statement on PostgreSQL
 * sees only rows committed before it began, or written by its own transaction (manual, 13.2.1
 * "Read Committed Isolation Level"), and delivery reads outside any unit.
 */
export class PgOutbox implements OutboxLedger, OutboxBacklog {
  /** Queries run for every message, prepared under a name. */
  private readonly hot;

  constructor(private readonly db: RepkaPg) {
    this.hot = onFirstUse({
      enqueue: () =>
        db
          .insert(outbox)
          .values({ stream: sql.placeholder('stream'), payload: sql.placeholder('payload'), caseId: sql.placeholder('caseId'), createdAt: sql.placeholder('createdAt') })
          .returning({ id: outbox.id })
          .prepare('repka_outbox_enqueue'),
      pending: () =>
        db
          .select()
          .from(outbox)
          .where(and(sql`${outbox.status} = 'pending'`, eq(outbox.stream, sql.placeholder('stream'))))
          .orderBy(asc(outbox.id))
          .limit(sql.placeholder('limit'))
          .prepare('repka_outbox_pending'),
      markOneSent: () =>
        db
          .update(outbox)
          .set({ status: 'sent', sentAt: sql`${sql.placeholder('at')}`, lastError: null })
          .where(eq(outbox.id, sql.placeholder('id')))
          .prepare('repka_outbox_mark_one_sent'),
    });
  }

  async enqueue(message: Outgoing, at: number): Promise<number> {
    const caseId = 'caseId' in message && typeof message.caseId === 'number' ? message.caseId : null;
    const [row] = await this.hot.enqueue.execute({ stream: streamOf(message), payload: JSON.stringify(message), caseId, createdAt: at });
    return (row as { id: number }).id;
  }

  /** The oldest pending rows of `stream`, in id order (committed ones only, see the class). */
  async pending(stream: string, limit: number): Promise<PendingMessage[]> {
    const rows = await this.hot.pending.execute({ stream, limit });
    return rows.map((row) => ({
      id: row.id,
      stream: row.stream,
      message: JSON.parse(row.payload) as Outgoing,
      attempts: row.attempts,
      caseId: row.caseId,
      createdAt: row.createdAt,
    }));
  }

  /** Every stream with pending rows and its oldest pending id, by stream, for rebuilding the queue on start. */
  async pendingStreams(): Promise<{ stream: string; firstId: number }[]> {
    return this.db
      .select({ stream: outbox.stream, firstId: min(outbox.id).mapWith(Number) })
      .from(outbox)
      .where(eq(outbox.status, 'pending'))
      .groupBy(outbox.stream)
      .orderBy(asc(outbox.stream));
  }

  async markSent(ids: readonly number[], at: number): Promise<void> {
    if (ids.length === 0) return;
    if (ids.length === 1) return void (await this.hot.markOneSent.execute({ id: ids[0], at }));
    await this.db
      .update(outbox)
      .set({ status: 'sent', sentAt: at, lastError: null })
      .where(inArray(outbox.id, [...ids]));
  }

  async markFailed(ids: readonly number[], error: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .update(outbox)
      .set({ status: 'failed', lastError: error })
      .where(inArray(outbox.id, [...ids]));
  }

  async recordAttempt(ids: readonly number[], error: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, lastError: error })
      .where(inArray(outbox.id, [...ids]));
  }

  /** Pending rows and the creation time of the oldest (for metrics). */
  async backlog(): Promise<{ pending: number; oldestCreatedAt: number | null }> {
    const [row] = await this.db
      .select({ pending: count(), oldest: min(outbox.createdAt) })
      .from(outbox)
      .where(eq(outbox.status, 'pending'));
    return { pending: row?.pending ?? 0, oldestCreatedAt: row?.oldest ?? null };
  }
}
