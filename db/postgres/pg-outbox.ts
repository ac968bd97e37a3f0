import { and, asc, count, eq, min, sql } from 'drizzle-orm';
import { streamOf, type Outgoing } from '../../src/outgoing.js';
import { toPending } from '../rows.js';
import type { OutboxBacklog, OutboxLedger, PendingMessage } from '../../src/ports.js';
import { onFirstUse, type RepkaPg } from './pg-database.js';
import { lockOrder, lockStreamsText } from './pg-locks.js';
import { outbox } from './schema.js';

/** PgOutbox.enqueue's statement: $1 streams, $2 payloads, $3 case ids (one each per message), $4 the time, $5 how many, $6 the streams to lock. */
const enqueueText = `
  insert into outbox (id, stream, payload, case_id, created_at)
  select allocated.id, m.stream, m.payload, m.case_id, $4::int8
  from unnest($1::text[], $2::text[], $3::int4[]) with ordinality as m(stream, payload, case_id, n)
  join (
    select id, row_number() over (order by id) as n
    from (
      select nextval(pg_get_serial_sequence('outbox', 'id')) as id
      from generate_series(1, $5::int4)
      where ${lockStreamsText(6)} >= 0
    ) drawn
  ) allocated using (n)
  returning id`;

/**
 * The outbox on PostgreSQL: written inside units of work, read by the delivery queue. Behaves as
 * SqliteOutbox, except that nothing here holds uncommitted rows back: a statement on PostgreSQL
 * sees only rows committed before it began, or written by its own transaction (manual, 13.2.1
 * "Read Committed Isolation Level"), and delivery reads outside any unit. What SQLite has by
 * construction, a stream's ids in commit order, `enqueue` gets from a lock per stream.
 */
export class PgOutbox implements OutboxLedger, OutboxBacklog {
  /** Queries run for every delivery, prepared under a name. */
  private readonly hot;

  constructor(private readonly db: RepkaPg) {
    this.hot = onFirstUse({
      pending: () =>
        db
          .select()
          .from(outbox)
          .where(and(sql`${outbox.status} = 'pending'`, eq(outbox.stream, sql.placeholder('stream'))))
          .orderBy(asc(outbox.id))
          .limit(sql.placeholder('limit'))
          .prepare('repka_outbox_pending'),
      markSent: () =>
        db
          .update(outbox)
          .set({ status: 'sent', sentAt: sql`${sql.placeholder('at')}`, lastError: null })
          .where(sql`${outbox.id} = any(${sql.placeholder('ids')}::int4[])`)
          .prepare('repka_outbox_mark_sent'),
      markFailed: () =>
        db
          .update(outbox)
          .set({ status: 'failed', lastError: sql`${sql.placeholder('error')}` })
          .where(sql`${outbox.id} = any(${sql.placeholder('ids')}::int4[])`)
          .prepare('repka_outbox_mark_failed'),
      recordAttempt: () =>
        db
          .update(outbox)
          .set({ attempts: sql`${outbox.attempts} + 1`, lastError: sql`${sql.placeholder('error')}` })
          .where(sql`${outbox.id} = any(${sql.placeholder('ids')}::int4[])`)
          .prepare('repka_outbox_record_attempt'),
    });
  }

  /**
   * Stores a unit's messages and returns their ids, in message order. First it takes the lock of
   * every stream the messages go to (see {@link lockStreamsText}), held until the unit commits: a
   * second unit writing one of those streams waits there, so it allocates its ids only once this
   * one has committed (or rolled back). Within a stream, ids thus follow commit order, and
   * delivery, which reads a stream's committed pending rows in id order, never sees a later id
   * while an earlier one may still commit. That relies on the sequence handing out values in
   * call order across sessions, as `outbox_id_seq` does with CACHE 1 (manual, CREATE SEQUENCE:
   * with a cache above one, sessions get ranges and values are no longer ordered by call time).
   *
   * Then one INSERT writes every row. PostgreSQL does not promise that a multi-row INSERT assigns
   * sequence values or returns its RETURNING rows in the order of its input (the INSERT page says
   * only that RETURNING is "computed over the row(s) inserted", and the developers declined to
   * promise an order, pgsql-hackers "[PATCH] Enforce that INSERT...RETURNING preserves the order
   * of multi rows", 2012), so neither is relied on: the statement draws `n` values from the
   * sequence, numbers them by `row_number() over (order by id)` (manual, 9.22 "Window Functions"),
   * and gives the k-th smallest to the k-th message, numbered by `unnest … WITH ORDINALITY`
   * (manual, 7.2.1.4 "Table Functions": the ordinality column numbers the function's rows from 1;
   * 9.19 "Array Functions": unnest reads the elements out in order). The returned ids, sorted,
   * are therefore the ids of the messages in order.
   */
  async enqueue(messages: readonly Outgoing[], at: number): Promise<number[]> {
    if (messages.length === 0) return [];
    const streams = messages.map(streamOf);
    const payloads = messages.map((message) => JSON.stringify(message));
    const caseIds = messages.map((message) => ('caseId' in message && typeof message.caseId === 'number' ? message.caseId : null));
    // One statement, one round trip: the locks are taken by an uncorrelated subquery in the WHERE
    // clause of the scan that draws the ids. PostgreSQL 15 plans it as an InitPlan feeding a
    // One-Time Filter on the Result node whose output is nextval (EXPLAIN VERBOSE of this
    // statement), and ExecResult (src/backend/executor/nodeResult.c) checks that filter before it
    // fetches or projects any row: every lock is held before the first id is drawn, as with the
    // separate lock statements this replaces. The contract test "gives a unit writing a stream its
    // ids after another still writing it commits" fails without the locks. Prepared under a name
    // (drizzle prepares only its query builders'): parsed and planned once per connection, where
    // it was the costliest statement of a client message for the server, parsed every time.
    const { rows } = await this.db.$client.query<{ id: number }>({
      name: 'repka_outbox_enqueue',
      text: enqueueText,
      values: [streams, payloads, caseIds, at, messages.length, lockOrder(streams)],
    });
    return rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  }

  /** The oldest pending rows of `stream`, in id order (committed ones only, see the class). */
  async pending(stream: string, limit: number): Promise<PendingMessage[]> {
    const rows = await this.hot.pending.execute({ stream, limit });
    return rows.map(toPending);
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
    await this.hot.markSent.execute({ ids, at });
  }

  async markFailed(ids: readonly number[], error: string): Promise<void> {
    if (ids.length === 0) return;
    await this.hot.markFailed.execute({ ids, error });
  }

  async recordAttempt(ids: readonly number[], error: string): Promise<void> {
    if (ids.length === 0) return;
    await this.hot.recordAttempt.execute({ ids, error });
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
