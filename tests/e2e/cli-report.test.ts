/**
 * `npm run cli -- report`, as an operator types it, against a database built for the test: the
 * SQLite file of tests/support/report-history.ts (or a PostgreSQL database through DATABASE_URL
 * when the suite runs on PostgreSQL).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type StorageBackend } from '../../db/open-storage.js';
import { reportDepartments, reportPeriodText, writeReportHistory } from '../support/report-history.js';
import { npmCheckout } from '../support/built-repka.js';
import { createTestDatabase, testPostgresUrl } from '../support/test-storage.js';

let dir: string;
/** Where `npm run cli` runs (tests/support/built-repka.ts npmCheckout). */
let checkout: string;
let databaseEnv: Record<string, string>;
let dropDatabase: () => Promise<void> = async () => undefined;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `npm run --silent cli -- report <args>` typed in `cwd` (npm --prefix: the script still runs in a
 * checkout, one whose dist/ is the test run's build of the sources as they are now).
 */
function report(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...databaseEnv, DEPARTMENTS_FILE: join(dir, 'departments.json'), TEAM_TIMEZONE: 'Europe/Moscow', ...options.env };
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', '--prefix', checkout, 'cli', '--', 'report', ...args], { cwd: options.cwd ?? dir, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'repka-cli-report-'));
  checkout = npmCheckout(dir);
  writeFileSync(join(dir, 'departments.json'), JSON.stringify(reportDepartments));
  let backend: StorageBackend;
  if (testPostgresUrl === undefined) {
    databaseEnv = { DATABASE_PATH: join(dir, 'repka.sqlite') };
    backend = await openStorage({ databasePath: databaseEnv.DATABASE_PATH as string });
  } else {
    const database = await createTestDatabase(testPostgresUrl);
    dropDatabase = database.drop;
    databaseEnv = { DATABASE_URL: database.url };
    backend = await openStorage({ databaseUrl: database.url, databasePath: '' });
  }
  try {
    await writeReportHistory(backend);
  } finally {
    await backend.close();
  }
}, 60_000);

afterAll(async () => {
  await dropDatabase();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run cli -- report', () => {
  it('writes the page to a file named after the period, where the command was typed, and prints its path', async () => {
    const { code, stdout, stderr } = await report([reportPeriodText, '--format', 'html']);
    expect(code, stderr).toBe(0);
    const path = join(dir, 'repka-report-2026-11-02..2026-11-22.html');
    expect(stdout).toBe(`${path}\n`);
    const html = readFileSync(path, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<tr><td>Accounting</td><td>3</td><td>3</td><td>2</td><td>67%</td><td>2</td><td>25m</td><td>30m</td><td>1</td></tr>');
    expect(html).toContain('<tr><td>Anna</td><td>2</td><td>4h18m</td><td>3</td><td>5m</td></tr>');
    expect(html).toContain('Times in Europe/Moscow.');
    expect(html.match(/<svg /g)).toHaveLength(3);
  });

  it('writes to --out, and covers the last 30 days by default; without TEAM_TIMEZONE in UTC, saying so', async () => {
    const { code, stdout, stderr } = await report(['--out', 'last-month.html'], { env: { TEAM_TIMEZONE: '' } });
    expect(code, stderr).toBe(0);
    expect(stdout).toBe(`${join(dir, 'last-month.html')}\n`);
    const html = readFileSync(join(dir, 'last-month.html'), 'utf8');
    expect(html).toContain('<h1>Support report: last 30 days</h1>');
    expect(html).toContain('Times in UTC: TEAM_TIMEZONE is not set.');
  });

  it.each([
    ['a period that is none', ['last-week'], 'report: "last-week" is not a period. Use 7d, 30d'],
    ['too many days', ['400d'], 'report: "400d" is not a period I can report on: the number of days must be 1 to 366.'],
    ['a date that does not exist', ['2026-02-30..2026-03-05'], 'report: "2026-02-30" is not a date YYYY-MM-DD.'],
    ['a period that ends before it starts', ['2026-11-22..2026-11-02'], 'report: The period 2026-11-22..2026-11-02 ends before it starts.'],
    ['two periods', ['7d', '30d'], 'report: give one period, not "7d 30d"'],
    ['an unknown format', ['7d', '--format', 'pdf'], 'report: unknown format "pdf": the report is made as html only.'],
    ['--out without a file', ['7d', '--out'], 'report: --out needs a value'],
    ['an unknown option', ['7d', '--pdf'], 'report: unknown option "--pdf"'],
    ['a bad time zone', ['7d'], 'report: TEAM_TIMEZONE is "Mars/Base", not an IANA time zone'],
  ])('exits 1 for %s with one line on stderr, writing nothing', async (name, args, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'repka-cli-report-bad-'));
    try {
      const { code, stdout, stderr } = await report(args, { cwd, env: name === 'a bad time zone' ? { TEAM_TIMEZONE: 'Mars/Base' } : {} });
      expect(code).toBe(1);
      expect(stderr.startsWith(message), stderr).toBe(true);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stdout).toBe('');
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('exits 1 naming the missing database', async () => {
    const { code, stderr } = await report(['7d'], { env: { DATABASE_URL: '', DATABASE_PATH: join(dir, 'none.sqlite') } });
    expect(code).toBe(1);
    expect(stderr).toBe(`No database at ${join(dir, 'none.sqlite')} (set DATABASE_PATH, or DATABASE_URL for PostgreSQL).\n`);
    expect(existsSync(join(dir, 'none.sqlite'))).toBe(false);
  });
});
