import type { webApi } from '@slack/bolt';
import type { Clock, Logger } from '../../src/ports.js';
import { slackLimits } from '../platform-limits.js';

/** Members of the support channel are re-read after this long, ms. */
const membersMaxAgeMs = 60_000;

export interface SupportTeamDeps {
  readonly client: webApi.WebClient;
  readonly supportChannel: string;
  /** SLACK_AGENTS; undefined: every member of the support channel is an agent. */
  readonly agents?: readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Who may see team reports: anyone in the support channel itself, and agents anywhere. Agents are
 * SLACK_AGENTS when set, otherwise the members of the support channel (conversations.members,
 * cached for a minute). Never throws: when Slack cannot be asked, the last known members count.
 */
export class SupportTeam {
  private members: { readonly ids: ReadonlySet<string>; readonly at: number } | undefined;

  constructor(private readonly deps: SupportTeamDeps) {}

  get supportChannel(): string {
    return this.deps.supportChannel;
  }

  /** Whether `user` may see team figures; `channel` is where they asked (undefined: the App Home). */
  async mayReport(user: string, channel?: string): Promise<boolean> {
    if (channel === this.deps.supportChannel) return true;
    return this.isAgent(user);
  }

  /** Whether `user` is an agent (see the class comment). */
  async isAgent(user: string): Promise<boolean> {
    if (this.deps.agents !== undefined) return this.deps.agents.includes(user);
    return (await this.channelMembers()).has(user);
  }

  private async channelMembers(): Promise<ReadonlySet<string>> {
    const now = this.deps.clock.now();
    if (this.members !== undefined && now - this.members.at < membersMaxAgeMs) return this.members.ids;
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
