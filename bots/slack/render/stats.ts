import { formatTeamTime } from '../../../src/history/render-history.js';
import type { TeamStats } from '../../../src/reports/stats.js';
import { roughDuration } from '../../../src/reports/rough-duration.js';
import { escapeMrkdwn, truncateEscaped } from './mrkdwn.js';
import { truncatePlain } from '../../text/truncate-plain.js';
import { slackLimits } from '../../platform-limits.js';

export { roughDuration };

const weekdayNames = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface ReportView {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

const hourRange = (h: number) => `${String(h).padStart(2, '0')}:00–${String((h + 1) % 24).padStart(2, '0')}:00`;

/** The `count` busiest hours as "10:00–11:00 (4)", busiest first; empty when nothing happened. */
function busiest(byHour: readonly number[], count: number): string {
  return byHour
    .map((n, hour) => ({ n, hour }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n || a.hour - b.hour)
    .slice(0, count)
    .map((x) => `${hourRange(x.hour)} (${x.n})`)
    .join(', ');
}

/** The report's parts as mrkdwn sections (heading first). `names` maps agent IDs to display names. Pure. */
export function statsSections(stats: TeamStats, names: ReadonlyMap<string, string>): string[] {
  const sections: string[] = [];
  sections.push(`*Cases*: ${stats.casesOpened} opened, ${stats.casesClosed} closed · median first reply to the client ${roughDuration(stats.medianFirstReplyMs)}`);

  const departmentLines = stats.departments.map((d) => {
    const name = `*${escapeMrkdwn(d.name)}*`;
    const overdue = `overdue now ${d.overdueNow}`;
    if (d.asked === 0) return `• ${name}: no questions · ${overdue}`;
    const onTime = d.onTimePercent === null ? 'on time — (none due yet)' : `on time ${d.onTimePercent}% (${d.onTime}/${d.due})`;
    const reply = d.answered === 0 ? 'no answers yet' : `reply median ${roughDuration(d.medianReplyMs)}, p90 ${roughDuration(d.p90ReplyMs)}`;
    return `• ${name}: ${d.asked} question${d.asked === 1 ? '' : 's'} · ${onTime} · ${reply} · ${overdue}`;
  });
  sections.push(['*Departments* (questions asked in the period; reply times in working hours)', ...(departmentLines.length > 0 ? departmentLines : ['No departments configured.'])].join('\n'));

  const agentLines = stats.agents.map((a) => {
    const name = escapeMrkdwn(names.get(a.agent) ?? a.agent);
    return `• *${name}*: ${a.handled} case${a.handled === 1 ? '' : 's'} handled · median first reply ${roughDuration(a.medianFirstReplyMs)} (${a.firstReplies}) · median time to close ${roughDuration(a.medianCloseMs)}`;
  });
  sections.push(['*Agents* (cases closed and first replies sent in the period)', ...(agentLines.length > 0 ? agentLines : ['No cases closed or answered in this period.'])].join('\n'));

  const s = stats.satisfaction;
  sections.push(
    s.count === 0
      ? '*Satisfaction*: no ratings in this period'
      : `*Satisfaction*: ${s.average?.toFixed(1)} / 5 from ${s.count} rating${s.count === 1 ? '' : 's'} (${[5, 4, 3, 2, 1].map((score) => `${score}★ ${s.byScore[score - 1]}`).join(' · ')})`,
  );

  const activity = stats.clientActivity;
  sections.push(
    [
      `*When clients write* (${escapeMrkdwn(stats.timeZone)})`,
      `Cases opened by weekday: ${activity.casesByWeekday.map((n, i) => `${weekdayNames[i]} ${n}`).join(' · ')}`,
      `Busiest hours for new cases: ${busiest(activity.casesByHour, 3) || '—'}`,
      `Busiest hours for client messages: ${busiest(activity.messagesByHour, 3) || '—'}`,
    ].join('\n'),
  );
  return sections.map((text) => truncateEscaped(text, slackLimits.sectionText));
}

/** The title line: the period and its bounds in the team time zone. */
export function statsTitle(stats: TeamStats): string {
  const { period, timeZone } = stats;
  return `Support report: ${period.label} (${formatTeamTime(period.from, timeZone)} – ${formatTeamTime(period.to, timeZone)}, ${timeZone})`;
}

/** The whole `/repka stats` answer: a header and one section per part; `text` repeats it all for notifications and fallbacks. Pure. */
export function renderStats(stats: TeamStats, names: ReadonlyMap<string, string>): ReportView {
  const title = statsTitle(stats);
  const sections = statsSections(stats, names);
  return {
    text: [`*${title}*`, ...sections].join('\n\n'),
    blocks: [{ type: 'header', text: { type: 'plain_text', text: truncatePlain(title, slackLimits.headerText) } }, ...sections.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }))],
  };
}
