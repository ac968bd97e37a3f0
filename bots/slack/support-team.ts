import type { webApi } from '@slack/bolt';
import type { SupportChannelMembers } from '../../src/cases/access-policy.js';
import type { Clock, Logger } from '../../src/ports.js';
import { slackLimits } from '../platform-limits.js';

/** Members of the support channel are re-read after this long, ms. */
const membersMaxAgeMs = 60_000;
/** A user missing from the members list is looked up again once the list is this old, ms. */
const missRefreshAfterMs = 5_000;

export interface SupportTeamDeps {
  readonly client: webApi.WebClient;
  readonly supportChannel: string;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * The support channel's members (conversations.members, cached for a minute; a user not in the
 * cached list is looked up again once the list is 5 seconds old, so someone who just joined is
 * not refused for a minute). Never throws: when Slack cannot be asked, the last known members count.
 */
export class SupportTeam implements SupportChannelMembers {
  private members: { readonly ids: ReadonlySet<string>; readonly at: number } | undefined;
  private reading: Promise<ReadonlySet<string>> | undefined;

  constructor(private readonly deps: SupportTeamDeps) {}

  async has(user: string): Promise<boolean> {
    const known = await this.channelMembers(membersMaxAgeMs);
    if (known.has(user)) return true;
    return (await this.channelMembers(missRefreshAfterMs)).has(user);
  }

  /** Reads the members now (at start, so the first button press does not wait for Slack). */
  async warm(): Promise<void> {
    await this.channelMembers(0);
  }

  private async channelMembers(maxAgeMs: number): Promise<ReadonlySet<string>> {
    const now = this.deps.clock.now();
    if (this.members !== undefined && now - this.members.at < maxAgeMs) return this.members.ids;
    // One read at a time: presses arriving together share it.
    this.reading ??= this.readMembers(now).finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async readMembers(now: number): Promise<ReadonlySet<string>> {
    try {
      const ids = new Set<string>();
      let cursor: string | undefined;
      do {
        // Slack: limit "under 1000", 200 recommended; the rest comes page by page.
        const page = await this.deps.client.conversations.members({ channel: this.deps.supportChannel, limit: slackLimits.pageSize, cursor });
        for (const id of page.members ?? []) ids.add(id);
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor !== undefined);
      this.members = { ids, at: now };
      return ids;
    } catch (error) {
      this.deps.log.warn('conversations.members failed; using the last known support channel members', { error: (error as Error).message });
      return this.members?.ids ?? new Set();
    }
  }
}
