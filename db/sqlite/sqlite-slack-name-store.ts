import { eq, sql } from 'drizzle-orm';
import type { NameStore, StoredName } from '../../src/ports.js';
import type { RepkaDb } from './open-database.js';
import { slackUsers } from './schema.js';

/** Slack display names on SQLite (table slack_users). better-sqlite3 answers at once; the promises are settled when returned. */
export class SqliteSlackNameStore implements NameStore {
  /** Both queries built once (drizzle builds a query's SQL on every call otherwise): every post naming a person reads one. */
  private readonly queries;

  constructor(db: RepkaDb) {
    this.queries = {
      stored: db.select({ name: slackUsers.name, fetchedAt: slackUsers.fetchedAt }).from(slackUsers).where(eq(slackUsers.id, sql.placeholder('userId'))).prepare(),
      save: db
        .insert(slackUsers)
        .values({ id: sql.placeholder('userId'), name: sql.placeholder('name'), fetchedAt: sql.placeholder('fetchedAt') })
        .onConflictDoUpdate({ target: slackUsers.id, set: { name: sql`excluded.name`, fetchedAt: sql`excluded.fetched_at` } })
        .prepare(),
    };
  }

  async storedName(userId: string): Promise<StoredName | undefined> {
    return this.queries.stored.get({ userId }) ?? undefined;
  }

  async saveName(userId: string, name: string, fetchedAt: number): Promise<void> {
    this.queries.save.run({ userId, name, fetchedAt });
  }
}
