import { and, asc, desc, eq, isNull, lt, lte, sql } from 'drizzle-orm';
import type { Ask, AskStore, Case, CaseEvent, CaseEventKind, CaseStore, Client, ClientProfile, Language, NewAsk, NewCaseEvent, ThreadRef } from '../../src/ports.js';
import { askColumns, caseColumns, clientNames, clientPatch, toAsk, toCase, toClient, toEvent } from '../rows.js';
import { literalLimit, type RepkaDb } from './open-database.js';
import { placeholders, StatementsByColumns, valueOf } from '../statements-by-columns.js';
import { asks, caseEvents, cases, clients, processedInbound } from './schema.js';

type EventRow = typeof caseEvents.$inferSelect;
type ClientRow = typeof clients.$inferSelect;
type CaseRow = typeof cases.$inferSelect;
type AskRow = typeof asks.$inferSelect;

/**
 * CaseStore and AskStore on SQLite through drizzle. better-sqlite3 is synchronous: each call has
 * done its work when it returns, and its promise is already settled.
 */
export class SqliteCaseStore implements CaseStore, AskStore {
  /** The queries run for every client message, built once (drizzle builds SQL on every call otherwise). */
  private readonly hot: ReturnType<typeof prepareHotQueries>;
  /** Writes whose columns vary: a statement per set of columns (see StatementsByColumns). */
  private readonly inserts;
  private readonly updates;

  constructor(private readonly db: RepkaDb) {
    this.hot = prepareHotQueries(db);
    const whereId = sql.placeholder('whereId');
    this.inserts = {
      theCase: new StatementsByColumns((columns) => db.insert(cases).values(columns as never).returning().prepare()),
      ask: new StatementsByColumns((columns) => db.insert(asks).values(columns as never).returning().prepare()),
    };
    this.updates = {
      client: new StatementsByColumns((columns) => db.update(clients).set(columns).where(eq(clients.id, whereId)).returning().prepare()),
      theCase: new StatementsByColumns((columns) => db.update(cases).set(columns).where(eq(cases.id, whereId)).returning().prepare()),
      ask: new StatementsByColumns((columns) => db.update(asks).set(columns).where(eq(asks.id, whereId)).returning().prepare()),
    };
  }

  async markInbound(key: string, at: number): Promise<boolean> {
    return this.hot.markInbound.run({ key, at }).changes === 1;
  }

  /** Deletes inbound keys older than `before` (epoch ms); returns how many. */
  async forgetInboundBefore(before: number): Promise<number> {
    return this.db.delete(processedInbound).where(lt(processedInbound.at, before)).run().changes;
  }

  async upsertClient(profile: ClientProfile, language: Language, at: number): Promise<Client> {
    const existing = await this.findClientByChat(profile.chatId);
    if (existing !== undefined) return this.refreshClient(existing, profile, language);
    const row = this.hot.insertClient.get({ chatId: profile.chatId, userId: profile.userId, ...clientNames(profile), language, createdAt: at });
    return toClient(row as ClientRow);
  }

  async upsertClientWithOpenCase(profile: ClientProfile, language: Language, at: number): Promise<{ client: Client; openCase: Case | undefined }> {
    const row = this.hot.openCaseOfChat.get({ chat: profile.chatId });
    if (row !== undefined) return { client: await this.refreshClient(toClient(row.client), profile, language), openCase: toCase(row.theCase) };
    const client = await this.upsertClient(profile, language, at);
    return { client, openCase: await this.findOpenCase(client.id) };
  }

  /** `existing` as `profile` and `language` leave it: unchanged (no write) when they match it. */
  private async refreshClient(existing: Client, profile: ClientProfile, language: Language): Promise<Client> {
    const patch = clientPatch(existing, profile, language);
    if (patch === undefined) return existing;
    const { statement, values } = this.updates.client.for(patch);
    return toClient(statement.get({ ...values, whereId: existing.id }) as ClientRow);
  }

  async setClientLanguage(clientId: number, language: Language): Promise<void> {
    this.hot.chooseLanguage.run({ language, clientId });
  }

  async findClientByChat(chatId: number): Promise<Client | undefined> {
    const row = this.hot.clientByChat.get({ chat: chatId });
    return row && toClient(row);
  }

  async getClient(id: number): Promise<Client | undefined> {
    const row = this.hot.client.get({ id });
    return row && toClient(row);
  }

  async createCase(input: { clientId: number; thread: ThreadRef; previousCaseId: number | null; openedAt: number }): Promise<Case> {
    const { statement, values } = this.inserts.theCase.for(caseColumns({ ...input, status: 'open' }));
    return toCase(statement.get(values) as CaseRow);
  }

  async getCase(id: number): Promise<Case | undefined> {
    const row = this.hot.theCase.get({ id });
    return row && toCase(row);
  }

  async getCaseWithClient(id: number): Promise<{ theCase: Case; client: Client } | undefined> {
    const row = this.hot.caseWithClient.get({ id });
    return row && { theCase: toCase(row.theCase), client: toClient(row.client) };
  }

  async findCaseByThread(ref: ThreadRef & { readonly thread: string }): Promise<Case | undefined> {
    const row = this.hot.caseByThread.get({ platform: ref.platform, conversation: ref.conversation, thread: ref.thread });
    return row && toCase(row);
  }

  async findOpenCase(clientId: number): Promise<Case | undefined> {
    const row = this.hot.openCase.get({ clientId });
    return row && toCase(row);
  }

  async listOpenCases(clientId: number): Promise<Case[]> {
    return this.hot.openCases.all({ clientId }).map(toCase);
  }

  async findLatestCase(clientId: number): Promise<Case | undefined> {
    const row = this.hot.latestCase.get({ clientId });
    return row && toCase(row);
  }

  async updateCase(id: number, patch: Partial<Omit<Case, 'id' | 'clientId'>>): Promise<Case> {
    const { statement, values } = this.updates.theCase.for(caseColumns(patch));
    const row = statement.get({ ...values, whereId: id }) as CaseRow | undefined;
    if (row === undefined) throw new Error(`no case #${id}`);
    return toCase(row);
  }

  async appendEvent(event: NewCaseEvent): Promise<CaseEvent> {
    const row = this.hot.appendEvent.get({ ...event, data: event.data === null ? null : JSON.stringify(event.data) });
    return toEvent(row as EventRow);
  }

  async listEvents(caseId: number): Promise<CaseEvent[]> {
    return this.hot.events.all({ caseId }).map(toEvent);
  }

  async listClientEvents(clientId: number, kind: CaseEventKind): Promise<CaseEvent[]> {
    return this.db
      .select({ event: caseEvents })
      .from(caseEvents)
      .innerJoin(cases, eq(cases.id, caseEvents.caseId))
      .where(and(eq(cases.clientId, clientId), eq(caseEvents.kind, kind)))
      .orderBy(asc(caseEvents.id))
      .all()
      .map((row) => toEvent(row.event));
  }

  async createAsk(input: NewAsk): Promise<Ask> {
    const { statement, values } = this.inserts.ask.for(askColumns({ ...input, status: 'open', windowStartAt: input.askedAt }));
    return toAsk(statement.get(values) as AskRow);
  }

  async getAsk(id: number): Promise<Ask | undefined> {
    const row = this.hot.ask.get({ id });
    return row && toAsk(row);
  }

  async findAskByThread(ref: ThreadRef & { readonly thread: string }): Promise<Ask | undefined> {
    const row = this.hot.askByThread.get({ platform: ref.platform, conversation: ref.conversation, thread: ref.thread });
    return row && toAsk(row);
  }

  async listAsks(caseId: number): Promise<Ask[]> {
    return this.hot.asksOfCase.all({ caseId }).map(toAsk);
  }

  async listOpenAsks(): Promise<Ask[]> {
    return this.db.select().from(asks).where(eq(asks.status, 'open')).orderBy(asc(asks.id)).all().map(toAsk);
  }

  async updateAsk(id: number, patch: Partial<Omit<Ask, 'id' | 'caseId'>>): Promise<Ask> {
    const { statement, values } = this.updates.ask.for(askColumns(patch));
    const row = statement.get({ ...values, whereId: id }) as AskRow | undefined;
    if (row === undefined) throw new Error(`no ask ${id}`);
    return toAsk(row);
  }

  async claimReminder(id: number, version: number, index: number): Promise<boolean> {
    return this.hot.claimReminder.run({ id, version, index, sent: index + 1 }).changes === 1;
  }

  async claimOverdue(id: number, version: number, at: number): Promise<boolean> {
    return this.hot.claimOverdue.run({ id, version, at }).changes === 1;
  }

  async claimEscalatedAgain(id: number, version: number, at: number): Promise<boolean> {
    return this.hot.claimEscalatedAgain.run({ id, version, at }).changes === 1;
  }

  async claimWaitAlert(caseId: number, waitingSince: number, at: number): Promise<boolean> {
    return this.hot.claimWaitAlert.run({ caseId, waitingSince, at }).changes === 1;
  }

  async listCasesAwaitingFirstReply(): Promise<Case[]> {
    return this.db
      .select()
      .from(cases)
      .where(and(eq(cases.status, 'open'), isNull(cases.firstReplyAt), isNull(cases.waitAlertedAt)))
      .all()
      .filter((row) => row.clientWaitingSince !== null)
      .map(toCase);
  }
}

function prepareHotQueries(db: RepkaDb) {
  return {
    clientByChat: db.select().from(clients).where(eq(clients.chatId, sql.placeholder('chat'))).prepare(),
    client: db.select().from(clients).where(eq(clients.id, sql.placeholder('id'))).prepare(),
    theCase: db.select().from(cases).where(eq(cases.id, sql.placeholder('id'))).prepare(),
    caseWithClient: db.select({ theCase: cases, client: clients }).from(cases).innerJoin(clients, eq(clients.id, cases.clientId)).where(eq(cases.id, sql.placeholder('id'))).prepare(),
    openCaseOfChat: db
      .select({ theCase: cases, client: clients })
      .from(cases)
      .innerJoin(clients, eq(clients.id, cases.clientId))
      .where(and(eq(clients.chatId, sql.placeholder('chat')), sql`${cases.status} = 'open'`))
      .orderBy(desc(cases.id))
      .limit(literalLimit(1))
      .prepare(),
    openCase: db
      .select()
      .from(cases)
      .where(and(eq(cases.clientId, sql.placeholder('clientId')), sql`${cases.status} = 'open'`))
      .orderBy(desc(cases.id))
      .limit(literalLimit(1))
      .prepare(),
    caseByThread: db
      .select()
      .from(cases)
      .where(and(eq(cases.conversation, sql.placeholder('conversation')), eq(cases.thread, sql.placeholder('thread')), eq(cases.staffPlatform, sql.placeholder('platform'))))
      .prepare(),
    events: db.select().from(caseEvents).where(eq(caseEvents.caseId, sql.placeholder('caseId'))).orderBy(asc(caseEvents.id)).prepare(),
    ask: db.select().from(asks).where(eq(asks.id, sql.placeholder('id'))).prepare(),
    askByThread: db
      .select()
      .from(asks)
      .where(and(eq(asks.conversation, sql.placeholder('conversation')), eq(asks.thread, sql.placeholder('thread')), eq(asks.staffPlatform, sql.placeholder('platform'))))
      .prepare(),
    asksOfCase: db.select().from(asks).where(eq(asks.caseId, sql.placeholder('caseId'))).orderBy(asc(asks.id)).prepare(),
    appendEvent: db
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
      .prepare(),
    insertClient: db
      .insert(clients)
      .values(placeholders('chatId', 'userId', 'firstName', 'lastName', 'username', 'language', 'createdAt'))
      .returning()
      .prepare(),
    chooseLanguage: db.update(clients).set({ language: valueOf('language'), languageChosen: true }).where(eq(clients.id, sql.placeholder('clientId'))).prepare(),
    openCases: db
      .select()
      .from(cases)
      .where(and(eq(cases.clientId, sql.placeholder('clientId')), sql`${cases.status} = 'open'`))
      .orderBy(asc(cases.id))
      .prepare(),
    latestCase: db.select().from(cases).where(eq(cases.clientId, sql.placeholder('clientId'))).orderBy(desc(cases.id)).limit(literalLimit(1)).prepare(),
    claimReminder: db
      .update(asks)
      .set({ remindersSent: valueOf('sent') })
      .where(and(eq(asks.id, sql.placeholder('id')), eq(asks.version, sql.placeholder('version')), sql`${asks.status} = 'open'`, lte(asks.remindersSent, sql.placeholder('index')), isNull(asks.overdueAt)))
      .prepare(),
    claimOverdue: db
      .update(asks)
      .set({ overdueAt: valueOf('at') })
      .where(and(eq(asks.id, sql.placeholder('id')), eq(asks.version, sql.placeholder('version')), sql`${asks.status} = 'open'`, isNull(asks.overdueAt)))
      .prepare(),
    claimEscalatedAgain: db
      .update(asks)
      .set({ escalatedAgainAt: valueOf('at') })
      .where(and(eq(asks.id, sql.placeholder('id')), eq(asks.version, sql.placeholder('version')), sql`${asks.status} = 'open'`, isNull(asks.escalatedAgainAt)))
      .prepare(),
    claimWaitAlert: db
      .update(cases)
      .set({ waitAlertedAt: valueOf('at') })
      .where(
        and(eq(cases.id, sql.placeholder('caseId')), sql`${cases.status} = 'open'`, eq(cases.clientWaitingSince, sql.placeholder('waitingSince')), isNull(cases.firstReplyAt), isNull(cases.waitAlertedAt)),
      )
      .prepare(),
    markInbound: db
      .insert(processedInbound)
      .values({ key: sql.placeholder('key'), at: sql.placeholder('at') })
      .onConflictDoNothing()
      .prepare(),
  };
}
