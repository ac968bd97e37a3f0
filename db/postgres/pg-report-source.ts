import { and, asc, count, eq, gt, gte, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { clientName } from '../../src/client-name.js';
import type { AskStatus, MetricEvent, MetricsSource } from '../../src/ports.js';
import type { HomeAsk, HomeCase, HomeSource } from '../../src/reports/home.js';
import type { Period } from '../../src/reports/period.js';
import type { ReportSource, StatsAsk, StatsCase, StatsRating, StatsSnapshot } from '../../src/reports/stats.js';
import { metricEventKinds } from '../metric-event-kinds.js';
import type { RepkaPg } from './pg-database.js';
import { asks, caseEvents, cases, clients } from './schema.js';

/** A case's thread as the App Home reads it: its ThreadRef, selected as one nested object. */
const caseThread = { platform: cases.staffPlatform, conversation: cases.conversation, thread: cases.thread };

/**
 * The last author of an event kind on the outer query's case (closed by) or the first (first reply
 * by). The outer column is written out qualified: drizzle leaves columns of a one-table select
 * unqualified, which inside the subquery would mean the event's own id.
 */
const authorOf = (kind: string, order: 'asc' | 'desc') =>
  sql<string | null>`(select e.author_id from case_events e where e.case_id = "cases"."id" and e.kind = ${kind} order by e.id ${sql.raw(order)} limit 1)`;

/** A top-level key of the event's JSON `data` as text (SQLite's json_extract on a string value). */
const dataText = (key: string) => sql`(${caseEvents.data}::jsonb ->> ${sql.raw(`'${key}'`)})`;

/**
 * The ask the event's `data.askId` names, as an integer, or null when it is not one. The text is
 * checked before the cast, which would fail the whole query on anything but digits; an int8 is
 * compared with `asks.id` (int4) through the primary key's index.
 */
const askIdOfEvent = sql`case when ${dataText('askId')} ~ '^[0-9]{1,18}$' then ${dataText('askId')}::int8 end`;

/** Read-only queries for `/repka stats`, the App Home and `/metrics`, answering as SqliteReportSource. */
export class PgReportSource implements ReportSource, HomeSource, MetricsSource {
  constructor(private readonly db: RepkaPg) {}

  async statsSnapshot(period: Period): Promise<StatsSnapshot> {
    const { from, to } = period;
    const caseRows: StatsCase[] = await this.db
      .select({
        id: cases.id,
        openedAt: cases.openedAt,
        closedAt: cases.closedAt,
        assignee: cases.assignee,
        firstReplyAt: cases.firstReplyAt,
        closedBy: authorOf('closed', 'desc'),
        firstReplyBy: authorOf('agent-reply', 'asc'),
      })
      .from(cases)
      .where(and(lt(cases.openedAt, to), or(isNull(cases.closedAt), gte(cases.closedAt, from))))
      .orderBy(asc(cases.id));
    const askRows: StatsAsk[] = (
      await this.db
        .select({
          id: asks.id,
          caseId: asks.caseId,
          departmentId: asks.departmentId,
          askedBy: asks.askedBy,
          askedAt: asks.askedAt,
          deadlineAt: asks.deadlineAt,
          answeredAt: asks.answeredAt,
          status: asks.status,
          overdueAt: asks.overdueAt,
        })
        .from(asks)
        .where(or(and(gte(asks.askedAt, from), lt(asks.askedAt, to)), eq(asks.status, 'open')))
        .orderBy(asc(asks.id))
    ).map((row) => ({ ...row, status: row.status as AskStatus }));
    const ratings: StatsRating[] = (
      await this.db
        .select({ caseId: caseEvents.caseId, at: caseEvents.at, data: caseEvents.data })
        .from(caseEvents)
        .where(and(eq(caseEvents.kind, 'rated'), gte(caseEvents.at, from), lt(caseEvents.at, to)))
        .orderBy(asc(caseEvents.id))
    ).flatMap((row) => {
      const score = row.data === null ? undefined : (JSON.parse(row.data) as { score?: unknown }).score;
      return typeof score === 'number' ? [{ caseId: row.caseId, at: row.at, score }] : [];
    });
    const clientMessageTimes = (
      await this.db
        .select({ at: caseEvents.at })
        .from(caseEvents)
        .where(and(eq(caseEvents.kind, 'client-message'), gte(caseEvents.at, from), lt(caseEvents.at, to)))
        .orderBy(asc(caseEvents.id))
    ).map((row) => row.at);
    return { cases: caseRows, asks: askRows, ratings, clientMessageTimes };
  }

  async openCasesAssignedTo(user: string): Promise<HomeCase[]> {
    const rows = await this.db
      .select({
        id: cases.id,
        openedAt: cases.openedAt,
        clientWaitingSince: cases.clientWaitingSince,
        assignee: cases.assignee,
        thread: caseThread,
        firstName: clients.firstName,
        lastName: clients.lastName,
        username: clients.username,
      })
      .from(cases)
      .innerJoin(clients, eq(clients.id, cases.clientId))
      .where(and(eq(cases.status, 'open'), eq(cases.assignee, user)))
      .orderBy(asc(cases.id));
    return rows.map(({ firstName, lastName, username, ...row }) => ({ ...row, clientName: clientName({ firstName, lastName, username }) }));
  }

  async overdueAsks(now: number): Promise<HomeAsk[]> {
    return this.db
      .select({
        id: asks.id,
        caseId: asks.caseId,
        departmentId: asks.departmentId,
        question: asks.question,
        askedBy: asks.askedBy,
        deadlineAt: asks.deadlineAt,
        caseThread,
      })
      .from(asks)
      .innerJoin(cases, eq(cases.id, asks.caseId))
      .where(and(eq(asks.status, 'open'), lte(asks.deadlineAt, now)))
      .orderBy(asc(asks.deadlineAt), asc(asks.id));
  }

  /**
   * Up to `limit` history entries of the `metricEventKinds` with an id above `afterId`, in id
   * order. Ids here come from a sequence when a row is inserted, not when it commits (manual, 9.17
   * "Sequence Manipulation Functions"): were a unit that inserted id 10 to commit after one that
   * inserted id 11, a read in between would return 11, and a reader going on from 11 would never
   * count 10. Units therefore append these entries under one advisory lock held to commit
   * (PgCaseStore.appendEvent): their ids follow commit order, and the query below, which sees what
   * was committed when it starts, returns a prefix that no later commit can extend below its
   * last id, so each entry is counted once, as on SQLite.
   *
   * Trade-off: units that append a metric entry (case opened or closed, ask opened, answered or
   * overdue) take turns from that append to their commit, and such units that then wait for each
   * other's rows deadlock and run again. Alternatives weighed: a settle time (only entries with
   * `at` a few seconds old) costs nothing in the writers but is only as right as its bet that no
   * unit stays open longer, and `at` is the unit's instant, not its insert's; a bound on
   * `pg_snapshot_xmin(pg_current_snapshot())` over an xid8 column is exact only if the reader's
   * position is that xid rather than the id (a unit with a lower xid can insert a higher id), which
   * would change MetricsSource's signature.
   */
  async eventsAfter(afterId: number, limit: number): Promise<MetricEvent[]> {
    return this.db
      .select({
        id: caseEvents.id,
        kind: caseEvents.kind,
        at: caseEvents.at,
        departmentId: sql<string | null>`${dataText('departmentId')}`,
        askedAt: sql<number | null>`(select a.asked_at from asks a where a.id = ${askIdOfEvent})`.mapWith((value: string | number | null) => (value === null ? null : Number(value))),
      })
      .from(caseEvents)
      .where(and(gt(caseEvents.id, afterId), inArray(caseEvents.kind, [...metricEventKinds])))
      .orderBy(asc(caseEvents.id))
      .limit(limit);
  }

  /** Cases open now. */
  async openCases(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(cases).where(eq(cases.status, 'open'));
    return row?.n ?? 0;
  }

  /** Open questions per department, by department id: all, and those past their deadline at `now`. */
  async openAsksByDepartment(now: number): Promise<{ departmentId: string; open: number; overdue: number }[]> {
    return this.db
      .select({
        departmentId: asks.departmentId,
        open: count(),
        overdue: sql<number>`count(*) filter (where ${asks.deadlineAt} <= ${now})`.mapWith(Number),
      })
      .from(asks)
      .where(eq(asks.status, 'open'))
      .groupBy(asks.departmentId)
      .orderBy(asc(asks.departmentId));
  }
}
