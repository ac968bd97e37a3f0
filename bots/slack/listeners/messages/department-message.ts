import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { AskService } from '../../../../src/asks/ask-service.js';
import type { Directory, Logger } from '../../../../src/ports.js';
import { decodeSlackText } from '../../text/decode-slack-text.js';
import { isHumanThreadReply } from './case-thread-message.js';
import { withFileInfo } from '../../shared-files.js';
import { slackPlatform } from '../../platform-name.js';

export interface DepartmentThreadDeps {
  readonly asks: AskService;
  readonly directory: Directory;
  /** Channels of the configured departments. */
  readonly departmentChannels: ReadonlySet<string>;
  readonly log: Logger;
}

/** A human reply in the thread of a question in a department channel: the department's answer, decoded from Slack's wire format. */
export function departmentMessage(deps: DepartmentThreadDeps) {
  return async ({ event, body, client }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> => {
    const message = event as unknown as Record<string, unknown>;
    if (!isHumanThreadReply(message) || !deps.departmentChannels.has(message.channel)) return;
    const [userName, decoded] = await Promise.all([deps.directory.displayName(message.user), decodeSlackText(typeof message.text === 'string' ? message.text : '', deps.directory)]);
    const result = await deps.asks.receiveDepartmentReply({
      platform: slackPlatform,
      inboundKey: `slack:${(body as { event_id?: string }).event_id ?? `${message.channel}:${message.ts}`}`,
      channel: message.channel,
      threadTs: message.thread_ts,
      ts: message.ts,
      user: message.user,
      userName,
      text: decoded.text,
      files: await withFileInfo(message.files, client),
    });
    deps.log.debug('department thread message', { ts: message.ts, ...result });
  };
}
