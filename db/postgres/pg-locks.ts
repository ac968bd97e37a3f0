import { sql } from 'drizzle-orm';
import type { RepkaPg } from './pg-database.js';

/**
 * First keys of the two-int advisory locks units take; the second key is a hash of what is locked.
 * The migration lock (open-postgres-storage.ts) is a one-bigint key: "a lock can be identified by
 * a single 64-bit key value or two 32-bit key values (note that these two key spaces do not
 * overlap)" (manual, 9.27.10 "Advisory Lock Functions"), so none of these can be taken for it.
 */
export const lockSpaces = {
  /** One outbox stream: `hashtext(stream)`. ASCII "obox". */
  outboxStream: 0x6f626f78,
  /** The metric entries of the history (one lock for all of them, second key 0). ASCII "metr". */
  metricEvents: 0x6d657472,
} as const;

/**
 * A scalar subquery that takes the transaction-level advisory lock of every stream in the text
 * array parameter `$n` (its streams sorted and without repeats: see {@link lockOrder}) and yields
 * how many it took: two units that both write streams A and B take A first, so they wait for each
 * other instead of crossing (the rows of `unnest` come out in array order, manual 9.19 "Array
 * Functions"). (Two streams whose `hashtext` collides share a lock; units may then cross after
 * all, which PostgreSQL detects as a deadlock and PgUnitOfWork runs again.) Each lock is held until
 * the transaction ends ("Once acquired at the transaction level, the lock is held until the
 * transaction ends", manual 9.27.10), and a committing transaction is marked ended for every
 * snapshot before its locks are released (CommitTransaction in src/backend/access/transam/xact.c:
 * ProcArrayEndTransaction, then the lock release), so whoever gets a lock next, and every
 * statement that starts after that, sees all the rows written under it.
 */
export const lockStreamsText = (n: number): string => `(select count(pg_advisory_xact_lock(${lockSpaces.outboxStream}, hashtext(s))) from unnest($${n}::text[]) as s)`;

/** The streams to lock, in the order they are taken: sorted, each once. */
export const lockOrder = (streams: Iterable<string>): string[] => [...new Set(streams)].sort();

/** Takes the transaction-level lock of the metric entries (see PgCaseStore.appendEvent). */
export async function lockMetricEvents(db: RepkaPg): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${lockSpaces.metricEvents}::int4, 0)`);
}
