import type { Department } from '../departments.js';
import { formatTeamTime } from '../history/render-history.js';
import type { NameStore } from '../ports.js';
import { countBarChart, escapeXml as escapeHtml, percentColumnChart, weekdayHourHeatMap } from './charts.js';
import type { Period } from './period.js';
import { roughDuration } from './rough-duration.js';
import { computeStats, type ReportSource, type TeamStats } from './stats.js';
import { localDate, weeklyOnTime, type WeekOnTime } from './weekly.js';

/** Everything the manager's report page shows. */
export interface ReportPage {
  readonly stats: TeamStats;
  readonly weeks: readonly WeekOnTime[];
  /** Agents' display names by staff user ID; an agent missing here is shown by ID. */
  readonly names: ReadonlyMap<string, string>;
}

/** What a report is built from. */
export interface ReportPageDeps {
  readonly reports: ReportSource;
  readonly departments: readonly Department[];
  /** IANA zone for dates, weekdays and hours. */
  readonly timeZone: string;
  /** An agent's display name (the ID itself when none is known). */
  agentName(userId: string): Promise<string>;
}

/** Agents' names as stored (a cache of the staff platform's directory), the ID itself when none is: for reports made outside the running app. */
export function storedAgentNames(names: NameStore): ReportPageDeps['agentName'] {
  return async (id) => (await names.storedName(id))?.name ?? id;
}

/** The figures of `period` as of `now` (epoch ms), read once from storage. */
export async function buildReportPage(deps: ReportPageDeps, period: Period, now: number): Promise<ReportPage> {
  const snapshot = await deps.reports.statsSnapshot(period);
  const input = { period, now, snapshot, departments: deps.departments, timeZone: deps.timeZone };
  const stats = computeStats(input);
  const names = new Map(await Promise.all(stats.agents.map(async (a) => [a.agent, await deps.agentName(a.agent)] as const)));
  return { stats, weeks: weeklyOnTime(input), names };
}

/**
 * A file name that says the period: `repka-report-2026-11-01..2026-11-30.html` (local dates in
 * the team time zone, both ends included).
 */
export function reportFileName(period: Period, timeZone: string): string {
  return `repka-report-${localDate(period.from, timeZone)}..${localDate(period.to - 1, timeZone)}.html`;
}

const percent = (n: number | null) => (n === null ? '—' : `${n}%`);
const cell = (text: string | number) => `<td>${escapeHtml(String(text))}</td>`;
const th = (...names: string[]) => `<tr>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}</tr>`;

function departmentsTable(stats: TeamStats): string {
  if (stats.departments.length === 0) return '<p>No departments are configured and none was asked.</p>';
  const rows = stats.departments.map(
    (d) =>
      `<tr>${cell(d.name)}${cell(d.asked)}${cell(d.due)}${cell(d.onTime)}${cell(percent(d.onTimePercent))}${cell(d.answered)}${cell(roughDuration(d.medianReplyMs))}${cell(roughDuration(d.p90ReplyMs))}${cell(d.overdueNow)}</tr>`,
  );
  return `<table class="departments">\n${th('Department', 'Questions', 'Due', 'On time', 'On-time share', 'Answered', 'Median reply', 'p90 reply', 'Overdue now')}\n${rows.join('\n')}\n</table>`;
}

function agentsTable(page: ReportPage): string {
  if (page.stats.agents.length === 0) return '<p>No agent closed a case or first replied to a client in this period.</p>';
  const rows = page.stats.agents.map(
    (a) => `<tr>${cell(page.names.get(a.agent) ?? a.agent)}${cell(a.handled)}${cell(roughDuration(a.medianCloseMs))}${cell(a.firstReplies)}${cell(roughDuration(a.medianFirstReplyMs))}</tr>`,
  );
  return `<table class="agents">\n${th('Agent', 'Cases handled', 'Median time to close', 'First replies', 'Median first reply')}\n${rows.join('\n')}\n</table>`;
}

function satisfactionPart(stats: TeamStats): string {
  const s = stats.satisfaction;
  if (s.count === 0) return '<p>No ratings in this period.</p>';
  const average = `<p class="satisfaction">Average <strong>${(s.average as number).toFixed(1)} / 5</strong> from ${s.count} rating${s.count === 1 ? '' : 's'}.</p>`;
  return `${average}\n<table class="ratings">\n${th('Score', '1', '2', '3', '4', '5')}\n<tr><th>Ratings</th>${s.byScore.map((n) => cell(n)).join('')}</tr>\n</table>`;
}

/** The on-time share by week as an SVG column chart. */
export function onTimeChart(weeks: readonly WeekOnTime[]): string {
  return percentColumnChart(
    'On-time share of questions, by week',
    weeks.map((w) => ({ label: w.startDate.slice(5), percent: w.onTimePercent, note: `${w.onTime}/${w.due} on time` })),
  );
}

/** Answered questions per department as an SVG bar chart. */
export function repliesChart(stats: TeamStats): string {
  return countBarChart(
    'Replies by department',
    stats.departments.map((d) => ({ label: d.name, count: d.answered, note: `${d.answered} of ${d.asked} answered` })),
  );
}

/**
 * One self-contained HTML page (inline CSS and SVG, no scripts, fonts or links to fetch) for a
 * manager: the figures of `page` with charts; prints on A4. Every text from people or
 * configuration is HTML-escaped. `timeZoneSet` false says on the page that times are UTC because
 * TEAM_TIMEZONE is not set.
 */
export function renderReportPage(page: ReportPage, options: { readonly timeZoneSet: boolean }): string {
  const { stats } = page;
  const zone = stats.timeZone;
  const zoneNote = options.timeZoneSet ? `Times in ${escapeHtml(zone)}.` : 'Times in UTC: TEAM_TIMEZONE is not set.';
  const heading = `Support report: ${stats.period.label}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(heading)}</title>
<style>
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;margin:2em;color:#1f2933;max-width:60em}
table{border-collapse:collapse;margin:.5em 0 1em}
th,td{border:1px solid #cbd2d9;padding:.25em .6em;text-align:left;vertical-align:top}
td{font-variant-numeric:tabular-nums}
th{background:#f0f4f8}
h2{margin-top:1.5em;border-bottom:1px solid #cbd2d9}
figure{margin:.5em 0 1em}
svg{max-width:100%;height:auto}
.note{color:#52606d;font-size:.9em}
section,figure,table{break-inside:avoid;page-break-inside:avoid}
@media print{body{margin:0;max-width:none}@page{size:A4;margin:1.5cm}}
</style></head>
<body>
<h1>${escapeHtml(heading)}</h1>
<p>From ${formatTeamTime(stats.period.from, zone)} to ${formatTeamTime(stats.period.to, zone)}. ${zoneNote} Overdue figures as of ${formatTeamTime(stats.now, zone)}.</p>
<section><h2>Cases</h2>
<p class="cases">${stats.casesOpened} opened, ${stats.casesClosed} closed; median first reply to the client ${escapeHtml(roughDuration(stats.medianFirstReplyMs))}.</p>
</section>
<section><h2>Departments</h2>
${departmentsTable(stats)}
<p class="note">Questions asked in the period. Due: answered, or past the deadline unanswered. On time: answered by the deadline. Reply times are working time in each department's hours; p90 is the time 90% of answers came within.</p>
<figure>${onTimeChart(page.weeks)}</figure>
<figure>${repliesChart(stats)}</figure>
</section>
<section><h2>Agents</h2>
${agentsTable(page)}
<p class="note">Cases handled: closed in the period while assigned to the agent, or closed by them. First replies: the first answer a client got, sent by the agent in the period.</p>
</section>
<section><h2>Satisfaction</h2>
${satisfactionPart(stats)}
</section>
<section><h2>When clients write</h2>
<p>New cases by weekday and hour (${escapeHtml(zone)}), for shift planning.</p>
<figure>${weekdayHourHeatMap('New cases by weekday and hour', stats.clientActivity.casesByWeekdayHour)}</figure>
</section>
</body></html>
`;
}

/**
 * The digest's picture: replies by department above new cases by weekday × hour, as one SVG
 * (rendered to PNG by the staff platform's adapter).
 */
export function digestChart(stats: TeamStats): string {
  const parts = [repliesChart(stats), weekdayHourHeatMap('New cases by weekday and hour', stats.clientActivity.casesByWeekdayHour)];
  const sizes = parts.map((svg) => {
    const match = /width="(\d+)" height="(\d+)"/.exec(svg);
    return { width: Number(match?.[1] ?? 0), height: Number(match?.[2] ?? 0) };
  });
  const width = Math.max(...sizes.map((s) => s.width));
  const height = sizes.reduce((sum, s) => sum + s.height, 0);
  let y = 0;
  const placed = parts.map((svg, i) => {
    const at = y;
    y += sizes[i]?.height ?? 0;
    return svg.replace('<svg xmlns="http://www.w3.org/2000/svg" ', `<svg x="0" y="${at}" `);
  });
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`, `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`, ...placed, '</svg>'].join('\n');
}
