import type { webApi } from '@slack/bolt';
import type { Clock, Directory, Logger, NameStore } from '../../src/ports.js';

/** Names are refreshed after a day. */
const maxAgeMs = 24 * 60 * 60 * 1000;
/** After a failed users.info, the ID is shown without asking again for this long. */
const failureBackoffMs = 5 * 60 * 1000;

/** Display names from users.info, cached in `names` (kept across restarts); never throws (falls back to the user ID). */
export class SlackDirectory implements Directory {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly names: NameStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  private readonly failedUntil = new Map<string, number>();

  async displayName(userId: string): Promise<string> {
    const cached = await this.names.storedName(userId);
    if (cached !== undefined && this.clock.now() - cached.fetchedAt < maxAgeMs) return cached.name;
    if ((this.failedUntil.get(userId) ?? 0) > this.clock.now()) return cached?.name ?? userId;
    try {
      const answer = await this.client.users.info({ user: userId });
      const user = answer.user;
      const name = user?.profile?.display_name || user?.profile?.real_name || user?.real_name || user?.name || userId;
      await this.names.saveName(userId, name, this.clock.now());
      return name;
    } catch (error) {
      if (this.failedUntil.size > 10_000) this.failedUntil.clear();
      this.failedUntil.set(userId, this.clock.now() + failureBackoffMs);
      this.log.warn('users.info failed; showing the user ID', { userId, error: (error as Error).message });
      return cached?.name ?? userId;
    }
  }
}
