import type { Case, CaseEvent, Client } from '../ports.js';
import { clientName } from '../cases/case-service.js';
import { describeEvent, formatTeamTime, renderHistoryText } from './render-history.js';

export type ExportFormat = 'md' | 'json' | 'html';
export const exportFormats: readonly ExportFormat[] = ['md', 'json', 'html'];

export interface CaseRecord {
  readonly case: Case;
  readonly client: Client;
  readonly events: readonly CaseEvent[];
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The case and its whole history in `format`: Markdown, JSON, or one self-contained printable HTML page. Pure. */
export function exportCase(record: CaseRecord, format: ExportFormat, timeZone: string): string {
  const { case: theCase, client, events } = record;
  switch (format) {
    case 'json':
      return `${JSON.stringify({ case: theCase, client: { ...client, name: clientName(client) }, timeZone, events }, null, 2)}\n`;
    case 'md': {
      const lines = events.map((e) => `- **${formatTeamTime(e.at, timeZone)}** ${describeEvent(e, timeZone).replace(/\n/g, '\n  ')}`);
      const [title, opened] = renderHistoryText(theCase, client, [], timeZone).split('\n');
      return `# ${title}\n\n${opened}\n\n${lines.join('\n')}\n`;
    }
    case 'html': {
      const rows = events
        .map((e) => `<tr class="${e.kind}"><td>${formatTeamTime(e.at, timeZone)}</td><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(describeEvent(e, timeZone)).replace(/\n/g, '<br>')}</td></tr>`)
        .join('\n');
      return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Case #${theCase.id}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d1c1d}h1{font-size:1.4rem}
table{border-collapse:collapse;width:100%}td{border-bottom:1px solid #ddd;padding:.35rem .5rem;vertical-align:top}
td:first-child{white-space:nowrap;color:#555}td:nth-child(2){color:#777;font-size:12px}
tr.agent-reply td:last-child{color:#0b5394}tr.note td:last-child{color:#7a5c00}
@media print{body{margin:0}}
</style></head>
<body><h1>Case #${theCase.id}: ${escapeHtml(clientName(client))}</h1>
<p>Status: ${theCase.status}. Opened ${formatTeamTime(theCase.openedAt, timeZone)}${theCase.closedAt ? `, closed ${formatTeamTime(theCase.closedAt, timeZone)}` : ''}. Times in ${escapeHtml(timeZone)}.</p>
<table><tbody>
${rows}
</tbody></table></body></html>
`;
    }
  }
}
