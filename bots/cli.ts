import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDepartments, type Department } from './config.js';
import { openStorage } from '../db/open-storage.js';
import { exportCase, exportFormats, type ExportFormat } from '../src/history/export-case.js';
import { parsePeriod } from '../src/reports/period.js';
import { buildReportPage, renderReportPage, reportFileName, storedAgentNames } from '../src/reports/report-page.js';

const usage = `Usage: npm run cli -- <command>

Commands:
  export <case-number> [--format md|json|html]   print a case with its whole history (default md)
  report [7d|30d|YYYY-MM-DD..YYYY-MM-DD] [--format html] [--out FILE]
                                                 the team report as one HTML page (default 30d);
                                                 without --out, written to a file named after the
                                                 period, whose path is printed
  copy-to-postgres <postgres://user:password@host/db>
                                                 copy the SQLite file (DATABASE_PATH) into an empty
                                                 PostgreSQL database, ids kept; stop Repka first
  help                                           this text`;

/**
 * The operator CLI: reads DATABASE_URL or DATABASE_PATH (default ./data/repka.sqlite), and TEAM_TIMEZONE (default UTC);
 * copy-to-postgres reads DATABASE_PATH only.
 */
async function main(args: string[]): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [command, ...rest] = args;
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(`${usage}\n`);
    return command === undefined ? 1 : 0;
  }
  if (command === 'copy-to-postgres') return copyToPostgres(rest);
  if (command === 'report') return report(rest);
  if (command !== 'export') {
    process.stderr.write(`Unknown command "${command}".\n${usage}\n`);
    return 1;
  }
  const formatAt = rest.indexOf('--format');
  const inline = rest.find((a) => a.startsWith('--format='))?.slice('--format='.length);
  const format = (inline ?? (formatAt >= 0 ? rest[formatAt + 1] : 'md')) as ExportFormat;
  // The first argument that is neither `--format` nor its value (no --format: any argument).
  const number = Number(rest.find((a, i) => !a.startsWith('--') && (formatAt < 0 || (i !== formatAt && i !== formatAt + 1))));
  if (!exportFormats.includes(format)) {
    process.stderr.write(`Unknown format "${String(format)}": use md, json or html.\n`);
    return 1;
  }
  if (!Number.isSafeInteger(number) || number <= 0) {
    process.stderr.write(`Give a case number, e.g. "npm run cli -- export 12".\n`);
    return 1;
  }
  const storage = await openConfiguredStorage();
  if (storage === undefined) return 1;
  try {
    const found = await storage.uow.read(async (tx) => {
      const theCase = await tx.getCase(number);
      const client = theCase && (await tx.getClient(theCase.clientId));
      return theCase && client ? { theCase, client, events: await tx.listEvents(number), asks: await tx.listAsks(number) } : undefined;
    });
    if (found === undefined) {
      process.stderr.write(`There is no case #${number}.\n`);
      return 1;
    }
    const departmentNames = departmentNamesFromFile();
    process.stdout.write(exportCase({ case: found.theCase, client: found.client, events: found.events, asks: found.asks, departmentNames }, format, process.env.TEAM_TIMEZONE || 'UTC'));
    return 0;
  } finally {
    await storage.close();
  }
}

/** The storage DATABASE_URL or DATABASE_PATH names; undefined (said on stderr) when the SQLite file is missing. */
async function openConfiguredStorage() {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const databasePath = process.env.DATABASE_PATH || './data/repka.sqlite';
  if (databaseUrl === undefined && !existsSync(databasePath)) {
    process.stderr.write(`No database at ${databasePath} (set DATABASE_PATH, or DATABASE_URL for PostgreSQL).\n`);
    return undefined;
  }
  return openStorage({ databaseUrl, databasePath });
}

/** Reads `--name value` or `--name=value` at `args[i]`; undefined when args[i] is not that option. */
function optionAt(args: string[], i: number, name: string): { value: string | undefined; used: number } | undefined {
  const arg = args[i] as string;
  if (arg === name) return { value: args[i + 1], used: 2 };
  if (arg.startsWith(`${name}=`)) return { value: arg.slice(name.length + 1), used: 1 };
  return undefined;
}

/**
 * `report [period] [--format html] [--out FILE]`: the team report of the period (default the last
 * 30 days) as one HTML page, written to FILE or to a file named after the period; prints the path.
 * Every bad argument is one line on stderr and exit code 1, before the database is opened.
 */
async function report(args: string[]): Promise<number> {
  const fail = (problem: string) => {
    process.stderr.write(`report: ${problem}\n`);
    return 1;
  };
  let format = 'html';
  let out: string | undefined;
  const periodWords: string[] = [];
  for (let i = 0; i < args.length; ) {
    const formatOption = optionAt(args, i, '--format');
    const outOption = optionAt(args, i, '--out');
    const option = formatOption ?? outOption;
    if (option !== undefined) {
      if (option.value === undefined || option.value === '' || (option.used === 2 && option.value.startsWith('--'))) return fail(`${formatOption ? '--format' : '--out'} needs a value, e.g. "--format html" or "--out report.html".`);
      if (formatOption) format = option.value;
      else out = option.value;
      i += option.used;
      continue;
    }
    const arg = args[i] as string;
    if (arg.startsWith('--')) return fail(`unknown option "${arg}": use [7d|30d|YYYY-MM-DD..YYYY-MM-DD] [--format html] [--out FILE].`);
    periodWords.push(arg);
    i += 1;
  }
  if (format !== 'html') return fail(`unknown format "${format}": the report is made as html only.`);
  if (periodWords.length > 1) return fail(`give one period, not "${periodWords.join(' ')}": 7d, 30d or YYYY-MM-DD..YYYY-MM-DD.`);
  const configuredZone = process.env.TEAM_TIMEZONE || undefined;
  const timeZone = configuredZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    return fail(`TEAM_TIMEZONE is "${timeZone}", not an IANA time zone such as Europe/Moscow.`);
  }
  const now = Date.now();
  const parsed = parsePeriod(periodWords[0] ?? '30d', now, timeZone);
  if (!parsed.ok) return fail(parsed.problem.replace(/`/g, ''));
  const departments = departmentsFromFile();
  if (departments === undefined) process.stderr.write(`report: ${process.env.DEPARTMENTS_FILE || './departments.json'} could not be read: departments are shown by id and reply times count around the clock.\n`);
  const storage = await openConfiguredStorage();
  if (storage === undefined) return 1;
  try {
    const page = await buildReportPage({ reports: storage.reports, departments: departments ?? [], timeZone, agentName: storedAgentNames(storage.names) }, parsed.period, now);
    // npm runs scripts in the package's folder; INIT_CWD is where the operator typed the command.
    const path = resolve(process.env.INIT_CWD || process.cwd(), out ?? reportFileName(parsed.period, timeZone));
    try {
      writeFileSync(path, renderReportPage(page, { timeZoneSet: configuredZone !== undefined }));
    } catch (error) {
      return fail(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
    process.stdout.write(`${path}\n`);
    return 0;
  } finally {
    await storage.close();
  }
}

/**
 * `copy-to-postgres <url>`: the SQLite file at DATABASE_PATH into the PostgreSQL database at
 * `url` (see db/copy-to-postgres.ts), then what to do next. The URL's password is never printed.
 */
async function copyToPostgres(args: string[]): Promise<number> {
  const url = args.find((a) => !a.startsWith('--'));
  if (url === undefined || !/^postgres(ql)?:\/\//.test(url)) {
    process.stderr.write(`Give the PostgreSQL database to copy into, e.g. "npm run cli -- copy-to-postgres postgres://repka:password@db-host:5432/repka".\n`);
    return 1;
  }
  const databasePath = process.env.DATABASE_PATH || './data/repka.sqlite';
  if (!existsSync(databasePath)) {
    process.stderr.write(`copy-to-postgres: No SQLite file at ${databasePath} (set DATABASE_PATH to Repka's database file).\n`);
    return 1;
  }
  // Loaded only for this command: export on SQLite never loads the PostgreSQL driver.
  const { copySqliteToPostgres, CopyError, maskPassword } = await import('../db/copy-to-postgres.js');
  const masked = maskPassword(url);
  process.stderr.write(`Copying ${databasePath} into ${masked}. Every Repka instance on ${databasePath} should be stopped: what it writes from now on is not copied.\n`);
  try {
    const report = await copySqliteToPostgres(databasePath, url);
    const width = Math.max(...report.tables.map((t) => t.table.length));
    for (const t of report.tables) process.stdout.write(`${t.table.padEnd(width)}  ${String(t.copied).padStart(9)} rows copied\n`);
    process.stdout.write(
      [
        `Copied ${report.totalRows} rows in ${(report.durationMs / 1000).toFixed(1)} s; the counts and highest ids match on both sides.`,
        'Next:',
        `  1. Set DATABASE_URL=${masked} (with the real password) for every Repka instance, e.g. in .env.`,
        '  2. Start the instances; they share one Redis and the same QUEUE_PREFIX.',
        `  3. Keep ${databasePath} as a backup; Repka no longer writes to it.`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof CopyError)) throw error;
    process.stderr.write(`copy-to-postgres: ${error.message}\n`);
    return 1;
  }
}

/** The departments of DEPARTMENTS_FILE; undefined when it cannot be read or is not valid. */
function departmentsFromFile(): readonly Department[] | undefined {
  const path = process.env.DEPARTMENTS_FILE || './departments.json';
  try {
    return parseDepartments(readFileSync(path, 'utf8'), path).departments;
  } catch {
    return undefined;
  }
}

/** Department names from DEPARTMENTS_FILE when it can be read; ids are shown otherwise. */
function departmentNamesFromFile(): Map<string, string> {
  return new Map((departmentsFromFile() ?? []).map((d) => [d.id, d.name]));
}

process.exitCode = await main(process.argv.slice(2));
