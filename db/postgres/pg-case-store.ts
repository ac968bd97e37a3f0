import { and, asc, desc, eq, isNotNull, isNull, lt, lte, sql } from 'drizzle-orm';
import type { Ask, AskStore, Case, CaseEvent, CaseEventKind, CaseStore, Client, ClientProfile, Language, NewAsk, NewCaseEvent, ThreadRef } from '../../src/ports.js';
import { askColumns, caseColumns, clientNames, clientPatch, toAsk, toCase, toClient, toEvent } from '../rows.js';
import { metricEventKinds } from '../metric-event-kinds.js';
import { onFirstUse, type RepkaPg } from './pg-database.js';
import { lockMetricEvents } from './pg-locks.js';
import { placeholders, StatementsByColumns, statementName, valueOf } from '../statements-by-columns.js';
import { asks, caseEvents, cases, clients, processedInbound } from './schema.js';

type ClientRow = typeof clients.$inferSelect;
type CaseRow = typeof cases.$inferSelect;
type EventRow = typeof caseEvents.$inferSelect;
type AskRow = typeof asks.$inferSelect;

/**
 * CaseStore and AskStore on PostgreSQL through drizzle, on the pool or inside one transaction.
 * Behaves as SqliteCaseStore. Units run concurrently here (on SQLite they take turns), so:
 *
 * - Claims are single conditional statements: in Read Committed an UPDATE that finds its row
 *   locked waits for the other transaction, then re-checks its WHERE clause on the row as that one
 *   left it (PostgreSQL manual, 13.2.1 "Read Committed Isolation Level"), so of concurrent claims
 *   exactly one changes the row.
 * - Inside a unit (`locking`), the reads a unit decides on (a client, a case, an ask, a client's
 *   open cases, a case's asks) lock the rows they return until the unit ends, so two units on the
 *   same row take turns as on SQLite: the second one's read waits for the first to commit, then
 *   returns the row as the first left it (13.2.1 again: a locking SELECT that waited re-checks its
 *   WHERE clause on the newest version of the row). The lock is FOR NO KEY UPDATE, the one an
 *   UPDATE of non-key columns takes (manual, 13.3.2 "Row-Level Locks"): it conflicts with
 *   itself and with UPDATE, but not with the FOR KEY SHARE a foreign key check takes, so adding an
 *   event, ask or case under a locked case or client does not wait for its holder. Reads through
 *   `UnitOfWork.read` (on the pool) lock nothing. Units that lock the same rows in crossing orders
 *   deadlock; PostgreSQL aborts one and PgUnitOfWork runs it again from the start.
 * - Appending a history entry that moves a metric is ordered by commit: see {@link appendEvent}.
 */
export class PgCaseStore implements CaseStore, AskStore {
  /** The queries run for every client message, prepared under a name. */
  private readonly hot: ReturnType<typeof hotQueries>;
  /** Writes whose columns vary: a statement per set of columns (see StatementsByColumns). */
  private readonly inserts;
  private readonly updates;

  constructor(
    private readonly db: RepkaPg,
    /** True when `db` is a unit's transaction: reads lock what they return (see the class). */
    private readonly locking = false,
  ) {
    this.hot = hotQueries(db);
    const whereId = sql.placeholder('whereId');
    this.inserts = {
      theCase: new StatementsByColumns((columns, named) => db.insert(cases).values(columns as never).returning().prepare(statementName('repka_insert_case', named))),
      ask: new StatementsByColumns((columns, named) => db.insert(asks).values(columns as never).returning().prepare(statementName('repka_insert_ask', named))),
    };
    this.updates = {
      client: new StatementsByColumns((columns, named) => db.update(clients).set(columns).where(eq(clients.id, whereId)).returning().prepare(statementName('repka_update_client', named))),
      theCase: new StatementsByColumns((columns, named) => db.update(cases).set(columns).where(eq(cases.id, whereId)).returning().prepare(statementName('repka_update_case', named))),
      ask: new StatementsByColumns((columns, named) => db.update(asks).set(columns).where(eq(asks.id, whereId)).returning().prepare(statementName('repka_update_ask', named))),
    };
  }

  async markInbound(key: string, at: number): Promise<boolean> {
    // A concurrent insert of the same key waits for the other transaction: a duplicate once it
    // commits, inserted after all if it rolls back (manual, INSERT "ON CONFLICT Clause").
    return (await this.hot.markInbound.execute({ key, at })).length === 1;
  }

  /** Deletes inbound keys older than `before` (epoch ms); returns how many. */
  async forgetInboundBefore(before: number): Promise<number> {
    return (await this.db.delete(processedInbound).where(lt(processedInbound.at, before))).rowCount ?? 0;
  }

  /**
   * In a unit, the client row comes back locked: read locked when it exists; inserted by this
   * unit (no other sees it before commit) when not; and when another unit inserted the chat first,
   * this one waits on the unique index for it to commit, then reads it locked.
   */
  async upsertClient(profile: ClientProfile, language: Language, at: number): Promise<Client> {
    const existing = await this.findClientByChat(profile.chatId);
    if (existing !== undefined) return this.refreshClient(existing, profile, language);
    const [row] = await this.hot.insertClient.execute({ chatId: profile.chatId, userId: profile.userId, ...clientNames(profile), language, createdAt: at });
    // Another unit added the chat since the read above; it has committed, so it is read now.
    return row === undefined ? this.upsertClient(profile, language, at) : toClient(row);
  }

  /**
   * In a unit, one statement reads and locks the client and their open case when they have one
   * (as getCaseWithClient: FOR NO KEY UPDATE on the join locks a row of each table), where
   * upsertClient and findOpenCase take two: a round trip and a statement fewer for almost every
   * client message. The lock is taken under the LIMIT, as findOpenCase's: a newest open case that
   * a unit closes meanwhile is skipped for the next one (manual, SELECT "The Locking Clause").
   * Otherwise (a new client, or none open) it goes as the two do: the client's lock taken there
   * is what makes two first messages at once open one case (the second's findOpenCase, after the
   * first commits, sees the case the first opened, which this statement's snapshot could not).
   */
  async upsertClientWithOpenCase(profile: ClientProfile, language: Language, at: number): Promise<{ client: Client; openCase: Case | undefined }> {
    const [row] = await (this.locking ? this.hot.openCaseOfChatLocked : this.hot.openCaseOfChat).execute({ chat: profile.chatId });
    if (row !== undefined) return { client: await this.refreshClient(toClient(row.client), profile, language), openCase: toCase(row.theCase) };
    const client = await this.upsertClient(profile, language, at);
    return { client, openCase: await this.findOpenCase(client.id) };
  }

  /** `existing` (read locked in a unit) as `profile` and `language` leave it: unchanged (no write) when they match it. */
  private async refreshClient(existing: Client, profile: ClientProfile, language: Language): Promise<Client> {
    const patch = clientPatch(existing, profile, language);
    if (patch === undefined) return existing;
    const { statement, values } = this.updates.client.for(patch);
    const [row] = await statement.execute({ ...values, whereId: existing.id });
    return toClient(row as ClientRow);
  }

  async setClientLanguage(clientId: number, language: Language): Promise<void> {
    await this.hot.chooseLanguage.execute({ language, clientId });
  }

  async findClientByChat(chatId: number): Promise<Client | undefined> {
    const [row] = await (this.locking ? this.hot.clientByChatLocked : this.hot.clientByChat).execute({ chat: chatId });
    return row && toClient(row);
  }

  async getClient(id: number): Promise<Client | undefined> {
    const [row] = await (this.locking ? this.hot.clientLocked : this.hot.client).execute({ id });
    return row && toClient(row);
  }

  async createCase(input: { clientId: number; thread: ThreadRef; previousCaseId: number | null; openedAt: number }): Promise<Case> {
    const { statement, values } = this.inserts.theCase.for(caseColumns({ ...input, status: 'open' }));
    const [row] = await statement.execute(values);
    return toCase(row as CaseRow);
  }

  async getCase(id: number): Promise<Case | undefined> {
    const [row] = await (this.locking ? this.hot.theCaseLocked : this.hot.theCase).execute({ id });
    return row && toCase(row);
  }

  async getCaseWithClient(id: number): Promise<{ theCase: Case; client: Client } | undefined> {
    const [row] = await (this.locking ? this.hot.caseWithClientLocked : this.hot.caseWithClient).execute({ id });
    return row && { theCase: toCase(row.theCase), client: toClient(row.client) };
  }

  async findCaseByThread(ref: ThreadRef & { readonly thread: string }): Promise<Case | undefined> {
    const [row] = await (this.locking ? this.hot.caseByThreadLocked : this.hot.caseByThread).execute({ platform: ref.platform, conversation: ref.conversation, thread: ref.thread });
    return row && toCase(row);
  }

  /**
   * In a unit, the newest open case is locked. When it was closed meanwhile, the row fails the
   * re-check after the wait and the scan goes on to the next one (the lock is taken below the
   * LIMIT: "locking stops once enough rows have been returned to satisfy the limit", manual,
   * SELECT "The Locking Clause"), so an older open case is found as on SQLite.
   */
  async findOpenCase(clientId: number): Promise<Case | undefined> {
    const [row] = await (this.locking ? this.hot.openCaseLocked : this.hot.openCase).execute({ clientId });
    return row && toCase(row);
  }

  async listOpenCases(clientId: number): Promise<Case[]> {
    const rows = await (this.locking ? this.hot.openCasesLocked : this.hot.openCases).execute({ clientId });
    return rows.map(toCase);
  }

  async findLatestCase(clientId: number): Promise<Case | undefined> {
    const [row] = await (this.locking ? this.hot.latestCaseLocked : this.hot.latestCase).execute({ clientId });
    return row && toCase(row);
  }

  async updateCase(id: number, patch: Partial<Omit<Case, 'id' | 'clientId'>>): Promise<Case> {
    const { statement, values } = this.updates.theCase.for(caseColumns(patch));
    const [row] = await statement.execute({ ...values, whereId: id });
    if (row === undefined) throw new Error(`no case #${id}`);
    return toCase(row as CaseRow);
  }

  /**
   * Appends a history entry. Ids come from a sequence when a row is inserted, not when it commits
   * (manual, 9.17 "Sequence Manipulation Functions"), and `/metrics` reads the entries of
   * `metricEventKinds` by id, remembering the last one (MetricsSource.eventsAfter): an entry that
   * commits after one with a higher id would never be counted. So in a unit, one of those is
   * appended under the metric-entries advisory lock (see lockMetricEvents), taken before its id
   * is drawn and held to commit: units appending them take turns from that point on, and their ids
   * follow commit order, as on SQLite. `case_events_id_seq` has CACHE 1, so its values follow call
   * order across sessions. The price: units that append a metric entry (a case opened or closed,
   * an ask opened, answered or overdue) do not overlap after appending it, and one of them that
   * then waits for a row another such unit holds deadlocks and runs again.
   */
  async appendEvent(event: NewCaseEvent): Promise<CaseEvent> {
    if (this.locking && isMetricKind(event.kind)) await lockMetricEvents(this.db);
    const [row] = await this.hot.appendEvent.execute({ ...event, data: event.data === null ? null : JSON.stringify(event.data) });
    return toEvent(row as EventRow);
  }

  async listEvents(caseId: number): Promise<CaseEvent[]> {
    return (await this.hot.events.execute({ caseId })).map(toEvent);
  }

  async listClientEvents(clientId: number, kind: CaseEventKind): Promise<CaseEvent[]> {
    const rows = await this.db
      .select({ event: caseEvents })
      .from(caseEvents)
      .innerJoin(cases, eq(cases.id, caseEvents.caseId))
      .where(and(eq(cases.clientId, clientId), eq(caseEvents.kind, kind)))
      .orderBy(asc(caseEvents.id));
    return rows.map((row) => toEvent(row.event));
  }

  async createAsk(input: NewAsk): Promise<Ask> {
    const { statement, values } = this.inserts.ask.for(askColumns({ ...input, status: 'open', windowStartAt: input.askedAt }));
    const [row] = await statement.execute(values);
    return toAsk(row as AskRow);
  }

  async getAsk(id: number): Promise<Ask | undefined> {
    const [row] = await (this.locking ? this.hot.askLocked : this.hot.ask).execute({ id });
    return row && toAsk(row);
  }

  async findAskByThread(ref: ThreadRef & { readonly thread: string }): Promise<Ask | undefined> {
    const [row] = await (this.locking ? this.hot.askByThreadLocked : this.hot.askByThread).execute({ platform: ref.platform, conversation: ref.conversation, thread: ref.thread });
    return row && toAsk(row);
  }

  async listAsks(caseId: number): Promise<Ask[]> {
    return (await (this.locking ? this.hot.asksOfCaseLocked : this.hot.asksOfCase).execute({ caseId })).map(toAsk);
  }

  async listOpenAsks(): Promise<Ask[]> {
    return (await this.db.select().from(asks).where(eq(asks.status, 'open')).orderBy(asc(asks.id))).map(toAsk);
  }

  async updateAsk(id: number, patch: Partial<Omit<Ask, 'id' | 'caseId'>>): Promise<Ask> {
    const { statement, values } = this.updates.ask.for(askColumns(patch));
    const [row] = await statement.execute({ ...values, whereId: id });
    if (row === undefined) throw new Error(`no ask ${id}`);
    return toAsk(row as AskRow);
  }

  async claimReminder(id: number, version: number, index: number): Promise<boolean> {
    return (await this.hot.claimReminder.execute({ id, version, index, sent: index + 1 })).rowCount === 1;
  }

  async claimOverdue(id: number, version: number, at: number): Promise<boolean> {
    return (await this.hot.claimOverdue.execute({ id, version, at })).rowCount === 1;
  }

  async claimEscalatedAgain(id: number, version: number, at: number): Promise<boolean> {
    return (await this.hot.claimEscalatedAgain.execute({ id, version, at })).rowCount === 1;
  }

  async claimWaitAlert(caseId: number, waitingSince: number, at: number): Promise<boolean> {
    return (await this.hot.claimWaitAlert.execute({ caseId, waitingSince, at })).rowCount === 1;
  }

  async listCasesAwaitingFirstReply(): Promise<Case[]> {
    const rows = await this.db
      .select()
      .from(cases)
      .where(and(eq(cases.status, 'open'), isNull(cases.firstReplyAt), isNull(cases.waitAlertedAt), isNotNull(cases.clientWaitingSince)))
      .orderBy(asc(cases.id));
    return rows.map(toCase);
  }
}

const metricKinds: ReadonlySet<string> = new Set(metricEventKinds);
const isMetricKind = (kind: string) => metricKinds.has(kind);

/**
 * The queries of a store, each prepared under a name; the `…Locked` ones (under their own names:
 * a name stands for one statement text on a connection) lock what they return, FOR NO KEY UPDATE.
 */
function hotQueries(db: RepkaPg) {
  const clientByChat = () => db.select().from(clients).where(eq(clients.chatId, sql.placeholder('chat')));
  const client = () => db.select().from(clients).where(eq(clients.id, sql.placeholder('id')));
  const theCase = () => db.select().from(cases).where(eq(cases.id, sql.placeholder('id')));
  const caseWithClient = () => db.select({ theCase: cases, client: clients }).from(cases).innerJoin(clients, eq(clients.id, cases.clientId)).where(eq(cases.id, sql.placeholder('id')));
  const caseByThread = () =>
    db
      .select()
      .from(cases)
      .where(and(eq(cases.conversation, sql.placeholder('conversation')), eq(cases.thread, sql.placeholder('thread')), eq(cases.staffPlatform, sql.placeholder('platform'))));
  const openCases = () =>
    db
      .select()
      .from(cases)
      .where(and(eq(cases.clientId, sql.placeholder('clientId')), sql`${cases.status} = 'open'`))
      .orderBy(asc(cases.id));
  const openCase = () =>
    db
      .select()
      .from(cases)
      .where(and(eq(cases.clientId, sql.placeholder('clientId')), sql`${cases.status} = 'open'`))
      .orderBy(desc(cases.id))
      .limit(1);
  const openCaseOfChat = () =>
    db
      .select({ theCase: cases, client: clients })
      .from(cases)
      .innerJoin(clients, eq(clients.id, cases.clientId))
      .where(and(eq(clients.chatId, sql.placeholder('chat')), sql`${cases.status} = 'open'`))
      .orderBy(desc(cases.id))
      .limit(1);
  const latestCase = () => db.select().from(cases).where(eq(cases.clientId, sql.placeholder('clientId'))).orderBy(desc(cases.id)).limit(1);
  const ask = () => db.select().from(asks).where(eq(asks.id, sql.placeholder('id')));
  const askByThread = () =>
    db
      .select()
      .from(asks)
      .where(and(eq(asks.conversation, sql.placeholder('conversation')), eq(asks.thread, sql.placeholder('thread')), eq(asks.staffPlatform, sql.placeholder('platform'))));
  const asksOfCase = () => db.select().from(asks).where(eq(asks.caseId, sql.placeholder('caseId'))).orderBy(asc(asks.id));
  return onFirstUse({
    clientByChat: () => clientByChat().prepare('repka_client_by_chat'),
    clientByChatLocked: () => clientByChat().for('no key update').prepare('repka_client_by_chat_locked'),
    client: () => client().prepare('repka_client'),
    clientLocked: () => client().for('no key update').prepare('repka_client_locked'),
    theCase: () => theCase().prepare('repka_case'),
    theCaseLocked: () => theCase().for('no key update').prepare('repka_case_locked'),
    caseWithClient: () => caseWithClient().prepare('repka_case_with_client'),
    // Locks the case's row and its client's (FOR NO KEY UPDATE on a join locks a row of each table).
    caseWithClientLocked: () => caseWithClient().for('no key update').prepare('repka_case_with_client_locked'),
    openCases: () => openCases().prepare('repka_open_cases'),
    openCasesLocked: () => openCases().for('no key update').prepare('repka_open_cases_locked'),
    latestCase: () => latestCase().prepare('repka_latest_case'),
    latestCaseLocked: () => latestCase().for('no key update').prepare('repka_latest_case_locked'),
    openCase: () => openCase().prepare('repka_open_case'),
    openCaseOfChat: () => openCaseOfChat().prepare('repka_open_case_of_chat'),
    openCaseOfChatLocked: () => openCaseOfChat().for('no key update').prepare('repka_open_case_of_chat_locked'),
    openCaseLocked: () => openCase().for('no key update').prepare('repka_open_case_locked'),
    caseByThread: () => caseByThread().prepare('repka_case_by_thread'),
    caseByThreadLocked: () => caseByThread().for('no key update').prepare('repka_case_by_thread_locked'),
    events: () => db.select().from(caseEvents).where(eq(caseEvents.caseId, sql.placeholder('caseId'))).orderBy(asc(caseEvents.id)).prepare('repka_events'),
    ask: () => ask().prepare('repka_ask'),
    askLocked: () => ask().for('no key update').prepare('repka_ask_locked'),
    askByThread: () => askByThread().prepare('repka_ask_by_thread'),
    askByThreadLocked: () => askByThread().for('no key update').prepare('repka_ask_by_thread_locked'),
    asksOfCase: () => asksOfCase().prepare('repka_asks_of_case'),
    asksOfCaseLocked: () => asksOfCase().for('no key update').prepare('repka_asks_of_case_locked'),
    appendEvent: () =>
      db
        .insert(caseEvents)
        .values({
          caseId: sql.placeholder('caseId'),
          at: sql.placeholder('at'),
          kind: sql.placeholder('kind'),
          authorKind: sql.placeholder('authorKind'),
          authorId: sql.placeholder('authorId'),
          authorName: sql.placeholder('authorName'),
          text: sql.placeholder('text'),
          data: sql.placeholder('data'),
        })
        .returning()
        .prepare('repka_append_event'),
    insertClient: () =>
      db
        .insert(clients)
        .values(placeholders('chatId', 'userId', 'firstName', 'lastName', 'username', 'language', 'createdAt'))
        .onConflictDoNothing({ target: clients.chatId })
        .returning()
        .prepare('repka_insert_client'),
    chooseLanguage: () => db.update(clients).set({ language: valueOf('language'), languageChosen: true }).where(eq(clients.id, sql.placeholder('clientId'))).prepare('repka_choose_language'),
    claimReminder: () =>
      db
        .update(asks)
        .set({ remindersSent: valueOf('sent') })
        .where(and(eq(asks.id, sql.placeholder('id')), eq(asks.version, sql.placeholder('version')), sql`${asks.status} = 'open'`, lte(asks.remindersSent, sql.placeholder('index')), isNull(asks.overdueAt)))
        .prepare('repka_claim_reminder'),
    claimOverdue: () =>
      db
        .update(asks)
        .set({ overdueAt: valueOf('at') })
        .where(and(eq(asks.id, sql.placeholder('id')), eq(asks.version, sql.placeholder('version')), sql`${asks.status} = 'open'`, isNull(asks.overdueAt)))
        .prepare('repka_claim_overdue'),
    claimEscalatedAgain: () =>
      db
        .update(asks)
        .set({ escalatedAgainAt: valueOf('at') })
        .where(and(eq(asks.id, sql.placeholder('id')), eq(asks.version, sql.placeholder('version')), sql`${asks.status} = 'open'`, isNull(asks.escalatedAgainAt)))
        .prepare('repka_claim_escalated_again'),
    claimWaitAlert: () =>
      db
        .update(cases)
        .set({ waitAlertedAt: valueOf('at') })
        .where(
          and(eq(cases.id, sql.placeholder('caseId')), sql`${cases.status} = 'open'`, eq(cases.clientWaitingSince, sql.placeholder('waitingSince')), isNull(cases.firstReplyAt), isNull(cases.waitAlertedAt)),
        )
        .prepare('repka_claim_wait_alert'),
    markInbound: () =>
      db
        .insert(processedInbound)
        .values({ key: sql.placeholder('key'), at: sql.placeholder('at') })
        .onConflictDoNothing()
        .returning({ key: processedInbound.key })
        .prepare('repka_mark_inbound'),
  });
}
