import { eq } from 'drizzle-orm';
import type { NameStore, StoredName } from '../../src/ports.js';
import type { RepkaPg } from './pg-database.js';
import { slackUsers } from './schema.js';

/** Slack display names on PostgreSQL (table slack_users). */
export class PgSlackNameStore implements NameStore {
  constructor(private readonly db: RepkaPg) {}

  async storedName(userId: string): Promise<StoredName | undefined> {
    const [row] = await this.db.select({ name: slackUsers.name, fetchedAt: slackUsers.fetchedAt }).from(slackUsers).where(eq(slackUsers.id, userId));
    return row;
  }

  async saveName(userId: string, name: string, fetchedAt: number): Promise<void> {
    await this.db
      .insert(slackUsers)
      .values({ id: userId, name, fetchedAt })
      .onConflictDoUpdate({ target: slackUsers.id, set: { name, fetchedAt } });
  }
}
