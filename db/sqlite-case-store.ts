import { and, asc, desc, eq, lt } from 'drizzle-orm';
import type { Case, CaseEvent, CaseEventKind, CaseStore, Client, ClientProfile, Language, NewCaseEvent, AuthorKind } from '../src/ports.js';
import type { RepkaDb } from './open-database.js';
import { caseEvents, cases, clients, processedInbound } from './schema.js';

type ClientRow = typeof clients.$inferSelect;
type CaseRow = typeof cases.$inferSelect;
type EventRow = typeof caseEvents.$inferSelect;

const toClient = (row: ClientRow): Client => ({ ...row, language: row.language as Language });
const toCase = (row: CaseRow): Case => ({ ...row, status: row.status as Case['status'] });
const toEvent = (row: EventRow): CaseEvent => ({
  ...row,
  kind: row.kind as CaseEventKind,
  authorKind: row.authorKind as AuthorKind,
  data: row.data === null ? null : (JSON.parse(row.data) as Record<string, unknown>),
});

/** CaseStore on SQLite through drizzle. All calls are synchronous (better-sqlite3). */
export class SqliteCaseStore implements CaseStore {
  private depth = 0;

  constructor(private readonly db: RepkaDb) {}

  transaction<T>(work: () => T): T {
    // Nested calls join the outer transaction: the outermost one commits.
    if (this.depth > 0) return work();
    this.depth++;
    try {
      return this.db.transaction(() => work(), { behavior: 'immediate' });
    } finally {
      this.depth--;
    }
  }

  markInbound(key: string, at: number): boolean {
    const inserted = this.db.insert(processedInbound).values({ key, at }).onConflictDoNothing().run();
    return inserted.changes === 1;
  }

  /** Deletes inbound keys older than `before` (epoch ms); returns how many. */
  forgetInboundBefore(before: number): number {
    return this.db.delete(processedInbound).where(lt(processedInbound.at, before)).run().changes;
  }

  upsertClient(profile: ClientProfile, language: Language, at: number): Client {
    const existing = this.findClientByChat(profile.telegramChatId);
    const names = { firstName: profile.firstName, lastName: profile.lastName ?? null, username: profile.username ?? null };
    if (existing === undefined) {
      const row = this.db
        .insert(clients)
        .values({ telegramChatId: profile.telegramChatId, telegramUserId: profile.telegramUserId, ...names, language, createdAt: at })
        .returning()
        .get();
      return toClient(row);
    }
    const patch = existing.languageChosen ? names : { ...names, language };
    const row = this.db.update(clients).set(patch).where(eq(clients.id, existing.id)).returning().get();
    return toClient(row);
  }

  setClientLanguage(clientId: number, language: Language): void {
    this.db.update(clients).set({ language, languageChosen: true }).where(eq(clients.id, clientId)).run();
  }

  findClientByChat(telegramChatId: number): Client | undefined {
    const row = this.db.select().from(clients).where(eq(clients.telegramChatId, telegramChatId)).get();
    return row && toClient(row);
  }

  getClient(id: number): Client | undefined {
    const row = this.db.select().from(clients).where(eq(clients.id, id)).get();
    return row && toClient(row);
  }

  createCase(input: { clientId: number; slackChannel: string; previousCaseId: number | null; openedAt: number }): Case {
    return toCase(this.db.insert(cases).values({ ...input, status: 'open' }).returning().get());
  }

  getCase(id: number): Case | undefined {
    const row = this.db.select().from(cases).where(eq(cases.id, id)).get();
    return row && toCase(row);
  }

  findCaseByThread(slackChannel: string, threadTs: string): Case | undefined {
    const row = this.db
      .select()
      .from(cases)
      .where(and(eq(cases.slackChannel, slackChannel), eq(cases.slackThreadTs, threadTs)))
      .get();
    return row && toCase(row);
  }

  findOpenCase(clientId: number): Case | undefined {
    const row = this.db
      .select()
      .from(cases)
      .where(and(eq(cases.clientId, clientId), eq(cases.status, 'open')))
      .orderBy(desc(cases.id))
      .get();
    return row && toCase(row);
  }

  listOpenCases(clientId: number): Case[] {
    return this.db
      .select()
      .from(cases)
      .where(and(eq(cases.clientId, clientId), eq(cases.status, 'open')))
      .orderBy(asc(cases.id))
      .all()
      .map(toCase);
  }

  findLatestCase(clientId: number): Case | undefined {
    const row = this.db.select().from(cases).where(eq(cases.clientId, clientId)).orderBy(desc(cases.id)).get();
    return row && toCase(row);
  }

  updateCase(id: number, patch: Partial<Omit<Case, 'id' | 'clientId'>>): Case {
    const row = this.db.update(cases).set(patch).where(eq(cases.id, id)).returning().get();
    if (row === undefined) throw new Error(`no case #${id}`);
    return toCase(row);
  }

  appendEvent(event: NewCaseEvent): CaseEvent {
    const row = this.db
      .insert(caseEvents)
      .values({ ...event, data: event.data === null ? null : JSON.stringify(event.data) })
      .returning()
      .get();
    return toEvent(row);
  }

  listEvents(caseId: number): CaseEvent[] {
    return this.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.id)).all().map(toEvent);
  }
}
