import { webApi } from '@slack/bolt';
import type { Logger } from '../../src/ports.js';
import { transientSlackErrors } from './slack-errors.js';

/** A channel Repka must be a member of, and where the operator configured it. */
export interface NeededChannel {
  /** Slack channel ID, e.g. `C0SUPPORT`. */
  readonly id: string;
  /** Who configured it, for the operator: `SLACK_SUPPORT_CHANNEL`, `department "legal" (slackChannel in the departments file)`. */
  readonly configuredBy: string;
}

/** Repka is not in a channel it needs and cannot join it itself; `message` is one line for the operator. */
export class ChannelMembershipError extends Error {
  override readonly name = 'ChannelMembershipError';
}

/** What {@link ensureChannelMembership} did per channel. */
export type MembershipOutcome = 'member' | 'joined';

/**
 * Makes sure the bot is a member of every channel in `needed`: a bot posts (`chat:write`) and hears
 * messages only in channels it is in. Asks `conversations.info` (`channel.is_member`); joins a
 * public channel with `conversations.join` (scope `channels:join`); a private one needs a person
 * to type `/invite @<botName>` in it. Slack hides a private channel from a bot outside it, so
 * `channel_not_found` names both causes.
 * Throws {@link ChannelMembershipError} when the bot is not in a channel and cannot join it (or
 * the channel is archived); other errors (5xx, network, `internal_error`) are thrown as they are.
 */
export async function ensureChannelMembership(
  client: webApi.WebClient,
  needed: readonly NeededChannel[],
  botName: string,
  log: Logger,
): Promise<Map<string, MembershipOutcome>> {
  const outcomes = new Map<string, MembershipOutcome>();
  const invite = `type /invite @${botName} in that channel`;
  for (const { id, configuredBy } of needed) {
    if (outcomes.has(id)) continue;
    const channel = await refusalAsError(
      () => client.conversations.info({ channel: id }).then((a) => a.channel),
      (code) =>
        code === 'channel_not_found'
          ? `${configuredBy} is ${id}, which Slack does not find: no such channel in this workspace, or a private channel Repka is not in (then ${invite})`
          : `${configuredBy}: conversations.info for ${id} answered ${code}`,
    );
    const name = channel?.name === undefined ? id : `#${channel.name} (${id})`;
    if (channel?.is_archived === true) throw new ChannelMembershipError(`${configuredBy}: the channel ${name} is archived; unarchive it or configure another channel`);
    if (channel?.is_member === true) {
      outcomes.set(id, 'member');
      continue;
    }
    if (channel?.is_private === true) throw new ChannelMembershipError(`${configuredBy}: Repka is not a member of the private channel ${name}; ${invite}`);
    await refusalAsError(
      () => client.conversations.join({ channel: id }),
      (code) =>
        code === 'missing_scope'
          ? `${configuredBy}: Repka is not a member of ${name} and may not join it (the app lacks the channels:join scope, see manifest.yml); ${invite}, or reinstall the app with that scope`
          : `${configuredBy}: Repka is not a member of ${name} and could not join it (conversations.join: ${code}); ${invite}`,
    );
    log.info('joined a Slack channel Repka needs', { channel: id, configuredBy });
    outcomes.set(id, 'joined');
  }
  return outcomes;
}

/** Runs a Web API call; a final `ok:false` answer becomes a {@link ChannelMembershipError} worded by `explain`. */
async function refusalAsError<T>(call: () => Promise<T>, explain: (code: string) => string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const e = error as { code?: string; data?: { error?: string } };
    const code = e.data?.error;
    if (e.code === webApi.ErrorCode.PlatformError && code !== undefined && !transientSlackErrors.has(code)) throw new ChannelMembershipError(explain(code), { cause: error });
    throw error;
  }
}
