import type { AllMiddlewareArgs, RespondArguments, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parsePeriod } from '../../../../src/reports/period.js';
import { escapeMrkdwn } from '../../render/mrkdwn.js';
import { renderStats } from '../../render/stats.js';
import { decodeSlackTextWith } from '../../text/decode-slack-text.js';
import { teamReport, type ReportDeps } from '../../team-report.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** What `/repka` (help) answers; `unknown`: the word typed that is no subcommand, as typed (decoded). */
export function repkaHelp(unknown?: string): string {
  return [
    unknown === undefined ? '*Repka*' : `\`/repka ${escapeMrkdwn(unknown)}\` is not a Repka command.`,
    '• `/repka stats` — team figures for the last 7 days: departments (questions, on-time rate, reply times in working hours, overdue now), agents (cases handled, first reply, time to close), satisfaction and when clients write',
    '• `/repka stats 30d` — the last 30 days (any number of days up to 366)',
    '• `/repka stats 2026-05-01..2026-05-31` — whole days, in the team time zone',
    'Your own cases and overdue questions are on the Repka *Home* tab.',
  ].join('\n');
}

/**
 * The answer to one `/repka …`; ephemeral, only the person who typed it sees it. `command.text`
 * is in Slack's wire format (`&amp;`, `<@U…>`): decoded here before it is read.
 */
export async function answerRepka(deps: ReportDeps, command: Pick<CommandArgs['command'], 'text' | 'user_id' | 'channel_id'>): Promise<RespondArguments> {
  const [sub = '', ...rest] = decodeSlackTextWith(command.text, new Map()).text.trim().split(/\s+/);
  const privately = (text: string): RespondArguments => ({ response_type: 'ephemeral', text });
  switch (sub.toLowerCase()) {
    case '':
    case 'help':
      return privately(repkaHelp());
    case 'stats': {
      if (!(await deps.team.mayReport(command.user_id, command.channel_id))) {
        return privately(`Team reports are for support agents. Run \`/repka stats\` in <#${deps.team.supportChannel}>, or ask whoever runs Repka to add you as an agent.`);
      }
      const parsed = parsePeriod(rest.join(' '), deps.clock.now(), deps.timeZone);
      if (!parsed.ok) return privately(parsed.problem);
      const { stats, names } = await teamReport(deps, parsed.period);
      const view = renderStats(stats, names);
      return { response_type: 'ephemeral', text: view.text, blocks: view.blocks as never };
    }
    default:
      return privately(repkaHelp(sub));
  }
}

/**
 * `/repka [stats [period]]`. Acks at once and answers through `respond` (the response_url) after
 * the request: Bolt holds the HTTP answer until the listener returns (processBeforeResponse), and
 * a report over a long period may take longer than Slack's 3 seconds.
 */
export function repkaCommand(deps: ReportDeps) {
  return async ({ command, ack, respond }: CommandArgs): Promise<void> => {
    await ack();
    const answer = async () => {
      let reply: RespondArguments;
      try {
        reply = await answerRepka(deps, command);
      } catch (error) {
        deps.log.error('/repka failed', { text: command.text, error: (error as Error).message });
        reply = { response_type: 'ephemeral', text: 'Sorry, the report could not be made. The error is in Repka’s log.' };
      }
      await respond(reply);
    };
    answer().catch((error: Error) => deps.log.warn('/repka answer not delivered', { error: error.message }));
  };
}
