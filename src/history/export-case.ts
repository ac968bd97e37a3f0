import type { Ask, Case, CaseEvent, Client } from '../ports.js';
import { clientName } from '../client-name.js';
import { linkedCases } from '../cases/links.js';
import { latestRating, ratingStars } from '../cases/rating.js';
import { formatSpan } from '../duration.js';
import { escapeMarkdown } from '../text/escape-markdown.js';
import { describeEvent, formatTeamTime, knownNames, renderHistoryText } from './render-history.js';

export type ExportFormat = 'md' | 'json' | 'html';
export const exportFormats: readonly ExportFormat[] = ['md', 'json', 'html'];

export interface CaseRecord {
  readonly case: Case;
  readonly client: Client;
  readonly events: readonly CaseEvent[];
  /** The case's department questions (summarised above the timeline). */
  readonly asks?: readonly Ask[];
  /** Department id → display name. */
  readonly departmentNames?: ReadonlyMap<string, string>;
}

/** One department question as a manager reads it. */
interface AskSummary {
  readonly id: number;
  readonly department: string;
  readonly question: string;
  /** The asking agent's name; `askedById` their user ID (JSON only shows both). */
  readonly askedBy: string;
  readonly askedById: string;
  readonly askedAt: number;
  readonly replyBy: number;
  readonly status: string;
  readonly answeredBy: string | null;
  readonly answeredById: string | null;
  readonly answeredAt: number | null;
  /** From the question to the answer, ms (wall clock). */
  readonly tookMs: number | null;
  readonly onTime: boolean | null;
  readonly reminders: number;
  readonly escalated: boolean;
}

function summariseAsks(record: CaseRecord): AskSummary[] {
  return (record.asks ?? []).map((a) => ({
    id: a.id,
    department: record.departmentNames?.get(a.departmentId) ?? a.departmentId,
    question: a.question,
    askedBy: a.askedByName,
    askedById: a.askedBy,
    askedAt: a.askedAt,
    replyBy: a.deadlineAt,
    status: a.status,
    answeredBy: a.answeredByName,
    answeredById: a.answeredBy,
    answeredAt: a.answeredAt,
    tookMs: a.answeredAt === null ? null : a.answeredAt - a.askedAt,
    onTime: a.answeredAt === null ? (a.overdueAt === null ? null : false) : a.answeredAt <= a.deadlineAt,
    reminders: a.remindersSent,
    escalated: a.overdueAt !== null,
  }));
}

const took = (ms: number | null) => (ms === null ? '' : formatSpan(ms, 'down'));
const outcome = (a: AskSummary) => (a.status === 'answered' ? (a.onTime ? 'answered on time' : 'answered late') : a.status === 'open' ? (a.escalated ? 'overdue' : 'waiting') : a.status);

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The case and its whole history in `format`: Markdown, JSON, or one self-contained printable HTML page. Pure. */
export function exportCase(record: CaseRecord, format: ExportFormat, timeZone: string): string {
  const { case: theCase, client, events } = record;
  const linked = linkedCases(theCase, events);
  const rating = latestRating(events);
  const asks = summariseAsks(record);
  const names = knownNames(events);
  // People by name where the history knows it; the JSON keeps the IDs beside the names.
  const assignee = theCase.assignee === null ? null : { id: theCase.assignee, name: names.get(theCase.assignee) ?? null };
  const assigneeShown = assignee === null ? 'unassigned' : (assignee.name ?? assignee.id);
  const describe = (e: CaseEvent) => describeEvent(e, timeZone, names);
  switch (format) {
    case 'json':
      return `${JSON.stringify({ case: theCase, client: { ...client, name: clientName(client) }, timeZone, assignee, linkedCases: linked, rating: rating ?? null, asks, events }, null, 2)}\n`;
    case 'md': {
      // Everything in the lines below but Repka's own markup is escaped (escapeMarkdown): nothing a
      // client or anyone else wrote can look like a timeline line, a heading, a table row or HTML.
      const md = (text: string) => escapeMarkdown(text).replace(/\n/g, '\n  ');
      const lines = events.map((e) => `- **${formatTeamTime(e.at, timeZone)}** ${md(describe(e))}`);
      const [title, opened] = renderHistoryText(theCase, client, [], timeZone).split('\n');
      const facts = [
        `- Assignee: ${md(assigneeShown)}`,
        ...(linked.length > 0 ? [`- Linked cases: ${linked.map((id) => `#${id}`).join(', ')}`] : []),
        ...(rating ? [`- Rating: ${rating.score}/5${rating.comment ? ` ("${md(rating.comment)}")` : ''}`] : []),
      ];
      const cell = (text: string) => escapeMarkdown(text).replace(/\n/g, ' ');
      const table =
        asks.length === 0
          ? []
          : [
              '## Questions to departments',
              '',
              '| # | department | question | asked by | asked | reply by | answered by | took | outcome | reminders |',
              '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
              ...asks.map((a) => `| Q${a.id} | ${cell(a.department)} | ${cell(a.question)} | ${cell(a.askedBy)} | ${formatTeamTime(a.askedAt, timeZone)} | ${formatTeamTime(a.replyBy, timeZone)} | ${cell(a.answeredBy ?? '')} | ${took(a.tookMs)} | ${outcome(a)} | ${a.reminders} |`),
              '',
            ];
      return `# ${md(title ?? '')}\n\n${md(opened ?? '')}\n\n${facts.join('\n')}\n\n${table.join('\n')}${table.length > 0 ? '\n' : ''}## Timeline\n\n${lines.join('\n')}\n`;
    }
    case 'html': {
      const rows = events
        .map((e) => `<tr class="${e.kind}"><td>${formatTeamTime(e.at, timeZone)}</td><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(describe(e)).replace(/\n/g, '<br>')}</td></tr>`)
        .join('\n');
      return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Case #${theCase.id}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d1c1d}h1{font-size:1.4rem}
table{border-collapse:collapse;width:100%}td{border-bottom:1px solid #ddd;padding:.35rem .5rem;vertical-align:top}
td:first-child{white-space:nowrap;color:#555}td:nth-child(2){color:#777;font-size:12px}
tr.agent-reply td:last-child{color:#0b5394}tr.note td:last-child{color:#7a5c00}
h2{font-size:1.1rem;margin-top:1.5rem}th{text-align:left;border-bottom:2px solid #bbb;padding:.35rem .5rem}tr.late td{color:#a61b1b}
@media print{body{margin:0}}
</style></head>
<body><h1>Case #${theCase.id}: ${escapeHtml(clientName(client))}</h1>
<p>Status: ${theCase.status}. Opened ${formatTeamTime(theCase.openedAt, timeZone)}${theCase.closedAt ? `, closed ${formatTeamTime(theCase.closedAt, timeZone)}` : ''}. Times in ${escapeHtml(timeZone)}.</p>
<p>Assignee: ${escapeHtml(assigneeShown)}${linked.length > 0 ? `. Linked cases: ${linked.map((id) => `#${id}`).join(', ')}` : ''}${rating ? `. Rating: ${ratingStars(rating.score)} (${rating.score}/5)${rating.comment ? ` “${escapeHtml(rating.comment)}”` : ''}` : ''}.</p>
${
  asks.length === 0
    ? ''
    : `<h2>Questions to departments</h2>
<table class="asks"><thead><tr><th>#</th><th>Department</th><th>Question</th><th>Asked by</th><th>Asked</th><th>Reply by</th><th>Answered by</th><th>Took</th><th>Outcome</th><th>Reminders</th></tr></thead><tbody>
${asks.map((a) => `<tr class="${a.onTime === false ? 'late' : ''}"><td>Q${a.id}</td><td>${escapeHtml(a.department)}</td><td>${escapeHtml(a.question)}</td><td>${escapeHtml(a.askedBy)}</td><td>${formatTeamTime(a.askedAt, timeZone)}</td><td>${formatTeamTime(a.replyBy, timeZone)}</td><td>${escapeHtml(a.answeredBy ?? '')}</td><td>${took(a.tookMs)}</td><td>${outcome(a)}</td><td>${a.reminders}</td></tr>`).join('\n')}
</tbody></table>`
}
<h2>Timeline</h2>
<table><tbody>
${rows}
</tbody></table></body></html>
`;
    }
  }
}
