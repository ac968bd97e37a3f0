import type { Department } from '../../config.js';
import { formatTeamTime } from '../../../src/history/render-history.js';
import type { ThreadRef } from '../../../src/ports.js';
import type { HomeAsk, HomeCase } from '../../../src/reports/home.js';
import type { TeamStats } from '../../../src/reports/stats.js';
import { formatSpan } from '../../../src/duration.js';
import { escapeMrkdwn, truncateEscaped } from './mrkdwn.js';
import { slackLimits } from '../../platform-limits.js';
import { statsSections, statsTitle } from './stats.js';

/** Items listed per section; the rest is counted. */
const listLimit = 15;

export interface HomeModel {
  readonly user: string;
  readonly now: number;
  readonly timeZone: string;
  readonly cases: readonly HomeCase[];
  readonly overdue: readonly HomeAsk[];
  readonly departments: readonly Department[];
  /** Team figures, only for agents. */
  readonly team?: { readonly stats: TeamStats; readonly names: ReadonlyMap<string, string> };
  /** A case thread's Slack link, or undefined when it has none yet. */
  readonly linkTo: (channel: string, ts: string) => string;
}

/** A section of escaped mrkdwn, cut (safely) to Slack's limit. */
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: truncateEscaped(text, slackLimits.sectionText) } });

function list<T>(items: readonly T[], line: (item: T) => string, empty: string): string {
  if (items.length === 0) return empty;
  const lines = items.slice(0, listLimit).map(line);
  if (items.length > listLimit) lines.push(`…and ${items.length - listLimit} more`);
  return lines.join('\n');
}

/** The App Home tab: my open cases, overdue questions that concern me, and (for agents) the team figures. Pure. */
export function renderHome(model: HomeModel): Record<string, unknown> {
  const { now, timeZone } = model;
  const caseRef = (c: { id: number; thread: ThreadRef }) => (c.thread.thread === null ? `#${c.id}` : `<${model.linkTo(c.thread.conversation, c.thread.thread)}|#${c.id}>`);
  const departmentName = (id: string) => model.departments.find((d) => d.id === id)?.name ?? id;

  const caseLines = list(
    model.cases,
    (c) =>
      `• ${caseRef(c)} ${escapeMrkdwn(c.clientName)} · opened ${formatTeamTime(c.openedAt, timeZone)}` +
      (c.clientWaitingSince === null ? '' : ` · *client waiting ${formatSpan(now - c.clientWaitingSince, 'down')}*`),
    'No open cases are assigned to you.',
  );
  const askLines = list(
    model.overdue,
    (a) => {
      const where = caseRef({ id: a.caseId, thread: a.caseThread });
      return `• Q${a.id} to *${escapeMrkdwn(departmentName(a.departmentId))}* on ${where}: “${truncateEscaped(escapeMrkdwn(a.question), 150)}” · asked by <@${a.askedBy}> · overdue ${formatSpan(now - a.deadlineAt, 'down')}`;
    },
    'No overdue questions concern you.',
  );

  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Repka' } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Updated ${formatTeamTime(now, timeZone)} (${escapeMrkdwn(timeZone)}) · refreshed each time you open this tab` }] },
    section(`*Your open cases* (${model.cases.length})\n${caseLines}`),
    section(`*Overdue questions that concern you* (${model.overdue.length})\n${askLines}`),
  ];
  if (model.team !== undefined) {
    blocks.push(
      { type: 'divider' },
      section(`*Team figures* · ${escapeMrkdwn(statsTitle(model.team.stats))}`),
      ...statsSections(model.team.stats, model.team.names).map(section),
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Other periods: `/repka stats 30d` or `/repka stats YYYY-MM-DD..YYYY-MM-DD`' }] },
    );
  }
  return { type: 'home', blocks };
}
