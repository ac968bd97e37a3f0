/** How a person reached a command: typed in a case thread, or a button or form. */
export type Via = 'message' | 'button';

/** Who is in the support channel (the port the staff platform's adapter implements). */
export interface SupportChannelMembers {
  /** Whether `user` is a member of the support channel now. Never throws: unknown counts as not a member. */
  has(user: string): Promise<boolean>;
}

export interface AccessPolicyDeps {
  /** The configured agents: the only agents when set. */
  readonly agents?: readonly string[];
  /** The support channel's members: the agents when none are configured. */
  readonly members: SupportChannelMembers;
  /** The support channel id: team reports asked for there are open to whoever is in it. */
  readonly supportChannel: string;
}

/**
 * The one answer to "may this person do this" for typed commands, buttons, forms and reports
 * (the configured agents list). With it set, agents are exactly those users. Unset, every
 * human in the support channel is one: a message posted in a case thread proves it (the platform only
 * lets members post there), a button or form is checked against the channel's members.
 */
export class AccessPolicy {
  constructor(private readonly deps: AccessPolicyDeps) {}

  /** Whether `user` may act as an agent (reply, close, reopen, assign, ask, cancel, link). */
  async isAgent(user: string, via: Via): Promise<boolean> {
    if (this.deps.agents !== undefined) return this.deps.agents.includes(user);
    if (via === 'message') return true;
    return this.deps.members.has(user);
  }

  /** Whether `user` may see the team figures; `channel` is where they asked (undefined: the App Home). */
  async mayReport(user: string, channel?: string): Promise<boolean> {
    if (channel === this.deps.supportChannel) return true;
    return this.isAgent(user, 'button');
  }

  get supportChannel(): string {
    return this.deps.supportChannel;
  }
}
