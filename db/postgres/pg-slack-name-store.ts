import { eq, sql } from 'drizzle-orm';
import type { NameStore, StoredName } from '../../src/ports.js';
import { onFirstUse, type RepkaPg } from './pg-database.js';
import { slackUsers } from './schema.js';

/** Slack display names on PostgreSQL (table slack_users). */
export class PgSlackNameStore implements NameStore {
  /** Both queries prepared under a name (drizzle builds a query's SQL on every call otherwise): every post naming a person reads one. */
  private readonly queries;

  constructor(db: RepkaPg) {
    this.queries = onFirstUse({
      stored: () => db.select({ name: slackUsers.name, fetchedAt: slackUsers.fetchedAt }).from(slackUsers).where(eq(slackUsers.id, sql.placeholder('userId'))).prepare('repka_stored_name'),
      save: () =>
        db
          .insert(slackUsers)
          .values({ id: sql.placeholder('userId'), name: sql.placeholder('name'), fetchedAt: sql.placeholder('fetchedAt') })
          .onConflictDoUpdate({ target: slackUsers.id, set: { name: sql`excluded.name`, fetchedAt: sql`excluded.fetched_at` } })
          .prepare('repka_save_name'),
    });
  }

  async storedName(userId: string): Promise<StoredName | undefined> {
    const [row] = await this.queries.stored.execute({ userId });
    return row;
  }

  async saveName(userId: string, name: string, fetchedAt: number): Promise<void> {
    await this.queries.save.execute({ userId, name, fetchedAt });
  }
}
