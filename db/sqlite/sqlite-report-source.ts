import { and, asc, eq, gt, gte, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { clientName } from '../../src/client-name.js';
import type { AskStatus, MetricEvent, MetricsSource } from '../../src/ports.js';
import type { HomeAsk, HomeCase, HomeSource } from '../../src/reports/home.js';
import type { Period } from '../../src/reports/period.js';
import type { ReportSource, StatsAsk, StatsCase, StatsRating, StatsSnapshot } from '../../src/reports/stats.js';
import { metricEventKinds } from '../metric-event-kinds.js';
import type { RepkaDb } from './open-database.js';
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

/** Read-only queries for `/repka stats`, the App Home and `/metrics`. better-sqlite3 answers at once; the promises are settled when returned. */
export class SqliteReportSource implements ReportSource, HomeSource, MetricsSource {
  constructor(private readonly db: RepkaDb) {}

  async statsSnapshot(period: Period): Promise<StatsSnapshot> {
    const { from, to } = period;
    const caseRows: StatsCase[] = this.db
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
      .all();
    const askRows: StatsAsk[] = this.db
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
      .all()
      .map((row) => ({ ...row, status: row.status as AskStatus }));
    const ratings: StatsRating[] = this.db
      .select({ caseId: caseEvents.caseId, at: caseEvents.at, data: caseEvents.data })
      .from(caseEvents)
      .where(and(eq(caseEvents.kind, 'rated'), gte(caseEvents.at, from), lt(caseEvents.at, to)))
      .all()
      .flatMap((row) => {
        const score = row.data === null ? undefined : (JSON.parse(row.data) as { score?: unknown }).score;
        return typeof score === 'number' ? [{ caseId: row.caseId, at: row.at, score }] : [];
      });
    const clientMessageTimes = this.db
      .select({ at: caseEvents.at })
      .from(caseEvents)
      .where(and(eq(caseEvents.kind, 'client-message'), gte(caseEvents.at, from), lt(caseEvents.at, to)))
      .all()
      .map((row) => row.at);
    return { cases: caseRows, asks: askRows, ratings, clientMessageTimes };
  }

  async openCasesAssignedTo(user: string): Promise<HomeCase[]> {
    return this.db
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
      .orderBy(asc(cases.id))
      .all()
      .map(({ firstName, lastName, username, ...row }) => ({ ...row, clientName: clientName({ firstName, lastName, username }) }));
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
      .orderBy(asc(asks.deadlineAt), asc(asks.id))
      .all();
  }

  /**
   * Up to `limit` history entries of the `metricEventKinds` with an id above `afterId`, in id
   * order. Ids only grow and every write commits in one transaction, so a reader that remembers
   * the last id it saw counts each entry once.
   */
  async eventsAfter(afterId: number, limit: number): Promise<MetricEvent[]> {
    return this.db
      .select({
        id: caseEvents.id,
        kind: caseEvents.kind,
        at: caseEvents.at,
        departmentId: sql<string | null>`json_extract(${caseEvents.data}, '$.departmentId')`,
        askedAt: sql<number | null>`(select a.asked_at from asks a where a.id = json_extract(${caseEvents.data}, '$.askId'))`,
      })
      .from(caseEvents)
      .where(and(gt(caseEvents.id, afterId), inArray(caseEvents.kind, [...metricEventKinds])))
      .orderBy(asc(caseEvents.id))
      .limit(limit)
      .all();
  }

  /** Cases open now. */
  async openCases(): Promise<number> {
    return this.db.select({ n: sql<number>`count(*)` }).from(cases).where(eq(cases.status, 'open')).get()?.n ?? 0;
  }

  /** Open questions per department: all, and those past their deadline at `now`. */
  async openAsksByDepartment(now: number): Promise<{ departmentId: string; open: number; overdue: number }[]> {
    return this.db
      .select({
        departmentId: asks.departmentId,
        open: sql<number>`count(*)`,
        overdue: sql<number>`coalesce(sum(case when ${asks.deadlineAt} <= ${now} then 1 else 0 end), 0)`,
      })
      .from(asks)
      .where(eq(asks.status, 'open'))
      .groupBy(asks.departmentId)
      .all();
  }
}
