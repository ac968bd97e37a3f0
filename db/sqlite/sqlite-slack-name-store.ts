import { eq } from 'drizzle-orm';
import type { NameStore, StoredName } from '../../src/ports.js';
import type { RepkaDb } from './open-database.js';
import { slackUsers } from './schema.js';

/** Slack display names on SQLite (table slack_users). better-sqlite3 answers at once; the promises are settled when returned. */
export class SqliteSlackNameStore implements NameStore {
  constructor(private readonly db: RepkaDb) {}

  async storedName(userId: string): Promise<StoredName | undefined> {
    const row = this.db.select({ name: slackUsers.name, fetchedAt: slackUsers.fetchedAt }).from(slackUsers).where(eq(slackUsers.id, userId)).get();
    return row ?? undefined;
  }

  async saveName(userId: string, name: string, fetchedAt: number): Promise<void> {
    this.db
      .insert(slackUsers)
      .values({ id: userId, name, fetchedAt })
      .onConflictDoUpdate({ target: slackUsers.id, set: { name, fetchedAt } })
      .run();
  }
}
