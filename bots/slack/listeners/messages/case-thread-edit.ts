import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { decodeSlackText } from '../../text/decode-slack-text.js';
import type { CaseThreadDeps } from './case-thread-message.js';
import { slackPlatform } from '../../platform-name.js';

type Event = Record<string, unknown>;

/** The human thread reply inside a message_changed / message_deleted event, or undefined. */
function humanReply(message: unknown): (Event & { user: string; ts: string; thread_ts: string }) | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Event;
  if (m.bot_id !== undefined || m.subtype === 'bot_message' || typeof m.user !== 'string' || typeof m.ts !== 'string' || typeof m.thread_ts !== 'string' || m.thread_ts === m.ts) return undefined;
  return m as Event & { user: string; ts: string; thread_ts: string };
}

/**
 * An agent edits or deletes their message in a case thread (subtypes message_changed and
 * message_deleted, https://docs.slack.dev/reference/events/message/message_changed). Only a
 * `!reply` matters: its edit may change the client's message, its deletion is answered privately
 * that nothing was unsent. An edit is never read as a new command.
 */
export function caseThreadEdit(deps: CaseThreadDeps) {
  return async ({ event, body }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> => {
    const e = event as unknown as Event;
    if (e.channel !== deps.supportChannel || (e.subtype !== 'message_changed' && e.subtype !== 'message_deleted')) return;
    const inboundKey = `slack:${(body as { event_id?: string }).event_id ?? `${String(e.channel)}:${String(e.event_ts)}`}`;
    if (e.subtype === 'message_deleted') {
      const gone = humanReply(e.previous_message);
      if (gone === undefined) return;
      const result = await deps.cases.receiveAgentDeletion({ inboundKey, platform: slackPlatform, channel: deps.supportChannel, threadTs: gone.thread_ts, ts: gone.ts, user: gone.user });
      deps.log.debug('case thread deletion', { ts: gone.ts, ...result });
      return;
    }
    const now = humanReply(e.message);
    const before = humanReply(e.previous_message);
    // Slack also sends message_changed when only an unfurl or a reaction count changed: same text, nothing to do.
    if (now === undefined || before === undefined || now.text === before.text) return;
    const [userName, decoded] = await Promise.all([deps.directory.displayName(now.user), decodeSlackText(typeof now.text === 'string' ? now.text : '', deps.directory)]);
    const result = await deps.cases.receiveAgentEdit({ inboundKey, platform: slackPlatform, channel: deps.supportChannel, threadTs: now.thread_ts, ts: now.ts, user: now.user, userName, text: decoded.text, mentions: decoded.mentions });
    deps.log.debug('case thread edit', { ts: now.ts, ...result });
  };
}
