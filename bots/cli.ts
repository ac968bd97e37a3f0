import { existsSync, readFileSync } from 'node:fs';
import { parseDepartments } from './config.js';
import { openStorage } from '../db/open-storage.js';
import { exportCase, exportFormats, type ExportFormat } from '../src/history/export-case.js';

const usage = `Usage: npm run cli -- <command>

Commands:
  export <case-number> [--format md|json|html]   print a case with its whole history (default md)
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
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const databasePath = process.env.DATABASE_PATH || './data/repka.sqlite';
  if (databaseUrl === undefined && !existsSync(databasePath)) {
    process.stderr.write(`No database at ${databasePath} (set DATABASE_PATH, or DATABASE_URL for PostgreSQL).\n`);
    return 1;
  }
  const storage = await openStorage({ databaseUrl, databasePath });
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

/** Department names from DEPARTMENTS_FILE when it can be read; ids are shown otherwise. */
function departmentNamesFromFile(): Map<string, string> {
  const path = process.env.DEPARTMENTS_FILE || './departments.json';
  try {
    return new Map(parseDepartments(readFileSync(path, 'utf8'), path).departments.map((d) => [d.id, d.name]));
  } catch {
    return new Map();
  }
}

process.exitCode = await main(process.argv.slice(2));
