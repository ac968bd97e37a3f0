/**
 * Charts as SVG markup, pure functions of report figures. Every chart is self-contained (no
 * external fonts, styles or scripts), so it shows in a page opened offline, in print, and when
 * rendered to PNG (the weekly digest). Every text is escaped.
 */

/** Escapes text for HTML and SVG, in content and in attribute values. */
export const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const font = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"';
const ink = '#1f2933';
const faint = '#cbd2d9';
const bar = '#2f6fb0';

function svg(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" ${font} font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** One bar of a column chart: its label under it, its value 0–100, or null for "nothing to show". */
export interface PercentColumn {
  readonly label: string;
  readonly percent: number | null;
  /** Shown under the label, e.g. "7 due". */
  readonly note: string;
}

/** Columns of percentages (0–100), one per entry; an entry without a value shows "—" and no bar. */
export function percentColumnChart(title: string, columns: readonly PercentColumn[]): string {
  const left = 48;
  const top = 46;
  const plot = 160;
  const step = 84;
  const width = Math.max(320, left + columns.length * step + 10);
  const height = top + plot + 46;
  const y = (percent: number) => top + plot - (percent / 100) * plot;
  const body: string[] = [`<text x="${left}" y="18" font-size="14" fill="${ink}">${escapeXml(title)}</text>`];
  for (const p of [0, 50, 100]) {
    body.push(`<line x1="${left}" y1="${y(p)}" x2="${width - 10}" y2="${y(p)}" stroke="${faint}" stroke-width="1"/>`);
    body.push(`<text x="${left - 6}" y="${y(p) + 4}" text-anchor="end" fill="${ink}">${p}%</text>`);
  }
  columns.forEach((c, i) => {
    const x = left + i * step + 22;
    const middle = x + 20;
    if (c.percent === null) {
      body.push(`<text x="${middle}" y="${y(0) - 6}" text-anchor="middle" fill="${ink}">—</text>`);
    } else {
      const clamped = Math.max(0, Math.min(100, c.percent));
      body.push(`<rect class="bar" x="${x}" y="${y(clamped)}" width="40" height="${y(0) - y(clamped)}" fill="${bar}"><title>${escapeXml(`${c.label}: ${c.percent}% (${c.note})`)}</title></rect>`);
      body.push(`<text x="${middle}" y="${y(clamped) - 4}" text-anchor="middle" fill="${ink}">${c.percent}%</text>`);
    }
    body.push(`<text x="${middle}" y="${top + plot + 16}" text-anchor="middle" font-size="10" fill="${ink}">${escapeXml(c.label)}</text>`);
    body.push(`<text x="${middle}" y="${top + plot + 30}" text-anchor="middle" font-size="10" fill="${ink}">${escapeXml(c.note)}</text>`);
  });
  return svg(width, height, title, body);
}

/** One row of a horizontal bar chart. */
export interface CountRow {
  readonly label: string;
  readonly count: number;
  /** Shown after the bar, e.g. "3 of 4 questions". */
  readonly note: string;
}

/** Horizontal bars, one per row, scaled to the largest count. */
export function countBarChart(title: string, rows: readonly CountRow[]): string {
  const labelWidth = 170;
  const plot = 300;
  const rowHeight = 24;
  const top = 30;
  const width = labelWidth + plot + 170;
  const height = top + Math.max(1, rows.length) * rowHeight + 10;
  const max = Math.max(1, ...rows.map((r) => r.count));
  const body: string[] = [`<text x="10" y="18" font-size="14" fill="${ink}">${escapeXml(title)}</text>`];
  if (rows.length === 0) body.push(`<text x="10" y="${top + 16}" fill="${ink}">No departments.</text>`);
  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    const length = (r.count / max) * plot;
    body.push(`<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end" fill="${ink}">${escapeXml(shorten(r.label, 24))}</text>`);
    body.push(`<rect class="bar" x="${labelWidth}" y="${y + 4}" width="${length}" height="16" fill="${bar}"><title>${escapeXml(`${r.label}: ${r.note}`)}</title></rect>`);
    body.push(`<text x="${labelWidth + length + 6}" y="${y + 16}" fill="${ink}">${escapeXml(r.note)}</text>`);
  });
  return svg(width, height, title, body);
}

const weekdayNames = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * A weekday × hour heat map: `counts[weekday][hour]`, weekday 0 Monday … 6 Sunday, hours 0–23.
 * One cell (a `rect` of class "cell") per hour of the week, darker for more; counts printed in cells.
 */
export function weekdayHourHeatMap(title: string, counts: readonly (readonly number[])[]): string {
  const left = 40;
  const top = 44;
  const cell = 26;
  const width = left + 24 * cell + 10;
  const height = top + 7 * cell + 10;
  const max = Math.max(0, ...counts.flat());
  const body: string[] = [`<text x="${left}" y="18" font-size="14" fill="${ink}">${escapeXml(title)}</text>`];
  for (let h = 0; h < 24; h += 1) body.push(`<text x="${left + h * cell + cell / 2}" y="${top - 6}" text-anchor="middle" font-size="10" fill="${ink}">${String(h).padStart(2, '0')}</text>`);
  weekdayNames.forEach((name, d) => {
    body.push(`<text x="${left - 6}" y="${top + d * cell + cell / 2 + 4}" text-anchor="end" fill="${ink}">${name}</text>`);
    for (let h = 0; h < 24; h += 1) {
      const n = counts[d]?.[h] ?? 0;
      // Light blue to dark blue by share of the busiest hour; an empty hour stays near-white.
      const share = max === 0 ? 0 : n / max;
      const fill = n === 0 ? '#f5f7fa' : `rgb(${Math.round(200 - 160 * share)},${Math.round(220 - 130 * share)},${Math.round(245 - 70 * share)})`;
      const x = left + h * cell;
      const y = top + d * cell;
      body.push(`<rect class="cell" x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill="${fill}"><title>${name} ${String(h).padStart(2, '0')}:00: ${n}</title></rect>`);
      if (n > 0) body.push(`<text x="${x + (cell - 2) / 2}" y="${y + cell / 2 + 3}" text-anchor="middle" font-size="10" fill="${share > 0.5 ? '#ffffff' : ink}">${n}</text>`);
    }
  });
  return svg(width, height, title, body);
}

function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
