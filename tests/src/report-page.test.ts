/**
 * The manager's report page over a database built for the test (a real SQLite file, or
 * PostgreSQL when the suite runs with DATABASE_URL): tests/support/report-history.ts.
 *
 * Golden file: tests/src/golden/report-page.html. After a deliberate change of the page,
 * regenerate it with `UPDATE_GOLDEN=1 npx vitest run tests/src/report-page.test.ts` and review the
 * diff before committing.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type StorageBackend } from '../../db/open-storage.js';
import { parseDepartments } from '../../bots/config.js';
import { parsePeriod, type Period } from '../../src/reports/period.js';
import { buildReportPage, renderReportPage, reportFileName, storedAgentNames, type ReportPage } from '../../src/reports/report-page.js';
import { openTestStorage, testDialect } from '../support/test-storage.js';
import { anna, evil, reportDepartments, reportNow, reportPeriodText, reportTimeZone, writeReportHistory } from '../support/report-history.js';

const goldenFile = new URL('./golden/report-page.html', import.meta.url);
const updateGolden = process.env.UPDATE_GOLDEN === '1';
const departments = parseDepartments(JSON.stringify(reportDepartments), 'departments.json').departments;

let dir: string;
let backend: StorageBackend;
let period: Period;
let page: ReportPage;
let html: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'repka-report-'));
  backend = testDialect === 'sqlite' ? await openStorage({ databasePath: join(dir, 'repka.sqlite') }) : await openTestStorage();
  await writeReportHistory(backend);
  const parsed = parsePeriod(reportPeriodText, reportNow, reportTimeZone);
  if (!parsed.ok) throw new Error(parsed.problem);
  period = parsed.period;
  const agentName = storedAgentNames(backend.names);
  page = await buildReportPage({ reports: backend.reports, departments, timeZone: reportTimeZone, agentName }, period, reportNow);
  html = renderReportPage(page, { timeZoneSet: true });
});

afterAll(async () => {
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The cells of the table of class `name`, row by row, header row left out; tags stripped. */
function tableRows(name: string): string[][] {
  const table = new RegExp(`<table class="${name}">([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr>(.*?)<\/tr>/g)].slice(1).map((row) => [...(row[1] as string).matchAll(/<t[dh]>(.*?)<\/t[dh]>/g)].map((c) => c[1] as string));
}

/** The `<svg>` elements of the page, in order. */
const charts = () => [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);

describe('the report page', () => {
  it('gives each department its questions, on-time share and reply times in its working hours', () => {
    expect(tableRows('departments')).toEqual([
      // 3 asked; due 3 (2 answered, 1 open past its deadline); on time 2; replies 30m and 20m.
      ['Accounting', '3', '3', '2', '67%', '2', '25m', '30m', '1'],
      // Tue 15:00 → 18:30 is 3 working hours (the day ends at 18:00), late; Wed 09:30 → 10:30 on time.
      ['&lt;script&gt;&amp;&quot;', '2', '2', '1', '50%', '2', '2h', '3h', '0'],
    ]);
  });

  it('gives each agent the cases they handled and their times', () => {
    expect(tableRows('agents')).toEqual([
      // Anna closed 2 cases (1h45m and 6h50m) and sent 3 first replies (5m, 40m, 2m).
      ['Anna', '2', '4h18m', '3', '5m'],
      ['&lt;script&gt;&amp;&quot;', '1', '18h20m', '1', '30m'],
    ]);
    expect(page.names).toEqual(new Map([[anna, 'Anna'], [evil, '<script>&"']]));
  });

  it('gives the cases, the satisfaction and the on-time share of each week', () => {
    // First replies of 2m, 5m, 30m and 40m: the median is 17.5m.
    expect(html).toContain('<p class="cases">5 opened, 3 closed; median first reply to the client 18m.</p>');
    expect(html).toContain('Average <strong>3.7 / 5</strong> from 3 ratings.');
    expect(tableRows('ratings')).toEqual([['Ratings', '0', '1', '0', '1', '1']]);
    expect(page.weeks.map((w) => [w.startDate, w.onTime, w.due, w.onTimePercent])).toEqual([
      ['2026-11-02', 1, 2, 50],
      ['2026-11-09', 1, 2, 50],
      ['2026-11-16', 1, 1, 100],
    ]);
  });

  it('draws its three charts as inline SVG: a bar per week, a bar per department, a cell per hour of the week', () => {
    const [onTime, replies, heat] = charts();
    expect(charts()).toHaveLength(3);
    expect(onTime?.match(/<rect class="bar"/g)).toHaveLength(3);
    expect(onTime).toContain('<title>11-16: 100% (1/1 on time)</title>');
    expect(replies?.match(/<rect class="bar"/g)).toHaveLength(2);
    expect(heat?.match(/<rect class="cell"/g)).toHaveLength(7 * 24);
    // Mondays at 10 Moscow time two cases opened; Saturday 23:00 one; other hours none.
    expect(heat).toContain('<title>Mon 10:00: 2</title>');
    expect(heat).toContain('<title>Sat 23:00: 1</title>');
    expect(heat?.match(/<title>\w{3} \d\d:00: [1-9]\d*<\/title>/g)).toHaveLength(4);
  });

  it('needs no network and lets no name become markup', () => {
    expect(html).not.toMatch(/<script|<link|@import|url\(|src=|href=/i);
    expect(html).not.toContain('<script>&"');
    expect(html).toMatch(/@media print/);
  });

  it('says when times are UTC because no time zone is configured', () => {
    expect(html).toContain('Times in Europe/Moscow.');
    expect(renderReportPage(page, { timeZoneSet: false })).toContain('Times in UTC: TEAM_TIMEZONE is not set.');
  });

  it('is named after its period', () => {
    expect(reportFileName(period, reportTimeZone)).toBe('repka-report-2026-11-02..2026-11-22.html');
  });

  it('matches the reviewed golden file', () => {
    if (updateGolden) {
      mkdirSync(new URL('./', goldenFile), { recursive: true });
      writeFileSync(goldenFile, html);
    }
    expect(existsSync(goldenFile), `missing ${goldenFile.pathname}: run UPDATE_GOLDEN=1 npx vitest run tests/src/report-page.test.ts`).toBe(true);
    expect(html).toBe(readFileSync(goldenFile, 'utf8'));
  });
});
