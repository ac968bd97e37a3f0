import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { CaseService } from '../../../../src/cases/case-service.js';
import { withFileInfo } from '../../shared-files.js';
import type { Directory, Logger } from '../../../../src/ports.js';
import { decodeSlackText } from '../../text/decode-slack-text.js';
import { slackPlatform } from '../../platform-name.js';

/** A plain human message posted in a thread: the only kind that can be a command or a note. */
export interface ThreadMessage {
  readonly channel: string;
  readonly user: string;
  readonly text: string;
  readonly ts: string;
  readonly thread_ts: string;
}

/** Bot posts, edits, deletions, joins and other subtypes are never read as commands. */
export function isHumanThreadReply(event: Record<string, unknown>): event is ThreadMessage & Record<string, unknown> {
  const subtype = event.subtype;
  return (
    (subtype === undefined || subtype === 'file_share' || subtype === 'thread_broadcast') &&
    event.bot_id === undefined &&
    typeof event.user === 'string' &&
    typeof event.channel === 'string' &&
    typeof event.ts === 'string' &&
    typeof event.thread_ts === 'string' &&
    event.thread_ts !== event.ts
  );
}

export interface CaseThreadDeps {
  readonly cases: CaseService;
  readonly directory: Directory;
  readonly supportChannel: string;
  readonly log: Logger;
}

/**
 * A reply in a case thread of the support channel: a command (`!reply`, `!close`, …) or a note.
 * Its text is decoded from Slack's wire format here, once: the case keeps what the agent saw.
 */
export function caseThreadMessage(deps: CaseThreadDeps) {
  return async ({ event, body, client }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> => {
    const message = event as unknown as Record<string, unknown>;
    if (!isHumanThreadReply(message) || message.channel !== deps.supportChannel) return;
    const [userName, decoded] = await Promise.all([deps.directory.displayName(message.user), decodeSlackText(typeof message.text === 'string' ? message.text : '', deps.directory)]);
    const result = await deps.cases.receiveAgentMessage({
      platform: slackPlatform,
      inboundKey: `slack:${(body as { event_id?: string }).event_id ?? `${message.channel}:${message.ts}`}`,
      channel: message.channel,
      threadTs: message.thread_ts,
      ts: message.ts,
      user: message.user,
      userName,
      text: decoded.text,
      mentions: decoded.mentions,
      files: await withFileInfo(message.files, client),
    });
    deps.log.debug('case thread message', { ts: message.ts, ...result });
  };
}
