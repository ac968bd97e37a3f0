import { formatTeamTime } from '../../../src/history/render-history.js';
import { roughDuration } from '../../../src/reports/rough-duration.js';
import type { TeamStats } from '../../../src/reports/stats.js';
import { escapeMrkdwn, truncateEscaped } from './mrkdwn.js';

/** Slack's advice for a message's text: keep it under 4,000 characters (docs.slack.dev/reference/methods/chat.postMessage). */
const digestMaxChars = 4000;

/** The weekly digest's text (mrkdwn, everything from people or configuration escaped): the week's headline figures. Pure. */
export function renderDigest(stats: TeamStats): string {
  const zone = stats.timeZone;
  const departments = stats.departments.map((d) => {
    const onTime = d.onTimePercent === null ? 'nothing due' : `${d.onTimePercent}% on time (${d.onTime}/${d.due})`;
    return `• ${escapeMrkdwn(d.name)}: ${d.asked} question${d.asked === 1 ? '' : 's'}, ${onTime}, median reply ${roughDuration(d.medianReplyMs)}, overdue now ${d.overdueNow}`;
  });
  const s = stats.satisfaction;
  const lines = [
    `*Weekly support digest: ${escapeMrkdwn(stats.period.label)}* (${formatTeamTime(stats.period.from, zone)} – ${formatTeamTime(stats.period.to, zone)}, ${escapeMrkdwn(zone)})`,
    `*Cases*: ${stats.casesOpened} opened, ${stats.casesClosed} closed · median first reply to the client ${roughDuration(stats.medianFirstReplyMs)}`,
    ...(departments.length > 0 ? ['*Departments*', ...departments] : []),
    `*Satisfaction*: ${s.average === null ? 'no ratings' : `${s.average.toFixed(1)} / 5 from ${s.count} rating${s.count === 1 ? '' : 's'}`}`,
    'The details: `/repka stats 7d`, or `npm run cli -- report 7d` for the page.',
  ];
  return truncateEscaped(lines.join('\n'), digestMaxChars);
}
