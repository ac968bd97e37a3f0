import type { AllMiddlewareArgs, RespondArguments, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parsePeriod } from '../../../../src/reports/period.js';
import { slackLimits } from '../../../platform-limits.js';
import { escapeMrkdwn } from '../../render/mrkdwn.js';
import { renderStats } from '../../render/stats.js';
import { decodeSlackTextWith } from '../../text/decode-slack-text.js';
import { reportFile, sendReportFile, type ReportFile } from '../../report-file.js';
import type { ReportDeps } from '../../team-report.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** What `/repka` (help) answers; `unknown`: the word typed that is no subcommand, as typed (decoded). */
export function repkaHelp(unknown?: string): string {
  return [
    unknown === undefined ? '*Repka*' : `\`/repka ${escapeMrkdwn(unknown)}\` is not a Repka command.`,
    '• `/repka stats` — team figures for the last 7 days: departments (questions, on-time rate, reply times in working hours, overdue now), agents (cases handled, first reply, time to close), satisfaction and when clients write; the same as a page with charts comes in your direct messages with Repka',
    '• `/repka stats 30d` — the last 30 days (any number of days up to 366)',
    '• `/repka stats 2026-05-01..2026-05-31` — whole days, in the team time zone',
    'Your own cases and overdue questions are on the Repka *Home* tab.',
  ].join('\n');
}

/**
 * The answer to one `/repka …`; ephemeral, only the person who typed it sees it. `command.text`
 * is in Slack's wire format (`&amp;`, `<@U…>`): decoded here before it is read. With the figures
 * comes `file`, the same report as a page, for the person who asked.
 */
export async function answerRepka(deps: ReportDeps, command: Pick<CommandArgs['command'], 'text' | 'user_id' | 'channel_id'>): Promise<{ reply: RespondArguments; file?: ReportFile }> {
  const [sub = '', ...rest] = decodeSlackTextWith(command.text, new Map()).text.trim().split(/\s+/);
  const privately = (text: string) => ({ reply: { response_type: 'ephemeral', text } satisfies RespondArguments });
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
      const file = await reportFile(deps, parsed.period);
      const view = renderStats(file.page.stats, file.page.names);
      const offer = `The same report as a page with charts (\`${file.fileName}\`) is on its way to your direct messages with Repka.`;
      // A message holds at most 50 blocks (the Block Kit limit in bots/platform-limits.ts); the offer then goes in the text only.
      const blocks = view.blocks.length < slackLimits.messageBlocks ? [...view.blocks, { type: 'context', elements: [{ type: 'mrkdwn', text: offer }] }] : view.blocks;
      return { reply: { response_type: 'ephemeral', text: `${view.text}\n${offer}`, blocks: blocks as never }, file };
    }
    default:
      return privately(repkaHelp(sub));
  }
}

/**
 * `/repka [stats [period]]`. Acks at once and answers through `respond` (the response_url) after
 * the request: Bolt holds the HTTP answer until the listener returns (processBeforeResponse), and
 * a report over a long period may take longer than Slack's 3 seconds. The figures come first; the
 * page follows in the person's DM with Repka, and a failed upload is told to them privately.
 */
export function repkaCommand(deps: ReportDeps) {
  return async ({ command, ack, respond, client }: CommandArgs): Promise<void> => {
    await ack();
    const answer = async () => {
      let answered: Awaited<ReturnType<typeof answerRepka>>;
      try {
        answered = await answerRepka(deps, command);
      } catch (error) {
        deps.log.error('/repka failed', { text: command.text, error: (error as Error).message });
        answered = { reply: { response_type: 'ephemeral', text: 'Sorry, the report could not be made. The error is in Repka’s log.' } };
      }
      await respond(answered.reply);
      if (answered.file === undefined) return;
      try {
        await sendReportFile(client, command.user_id, answered.file);
      } catch (error) {
        const code = (error as { data?: { error?: string } }).data?.error ?? (error as Error).message;
        deps.log.warn('/repka stats: the report page was not sent', { user: command.user_id, error: code });
        await respond({ response_type: 'ephemeral', text: `The report as a page could not be sent to you: Slack answered \`${escapeMrkdwn(code)}\`. The figures above are complete.` });
      }
    };
    answer().catch((error: Error) => deps.log.warn('/repka answer not delivered', { error: error.message }));
  };
}
