import { existsSync, readFileSync } from 'node:fs';
import { parseDepartments } from '../src/config.js';
import { openDatabase } from '../db/sqlite/open-database.js';
import { SqliteCaseStore } from '../db/sqlite/sqlite-case-store.js';
import { exportCase, exportFormats, type ExportFormat } from '../src/history/export-case.js';

const usage = `Usage: npm run cli -- <command>

Commands:
  export <case-number> [--format md|json|html]   print a case with its whole history (default md)
  help                                           this text`;

/** The operator CLI: reads DATABASE_PATH (default ./data/repka.sqlite) and TEAM_TIMEZONE (default UTC). */
function main(args: string[]): number {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [command, ...rest] = args;
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(`${usage}\n`);
    return command === undefined ? 1 : 0;
  }
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
  const path = process.env.DATABASE_PATH || './data/repka.sqlite';
  if (!existsSync(path)) {
    process.stderr.write(`No database at ${path} (set DATABASE_PATH).\n`);
    return 1;
  }
  const database = openDatabase(path);
  try {
    const store = new SqliteCaseStore(database.db, database.commits);
    const theCase = store.getCase(number);
    const client = theCase && store.getClient(theCase.clientId);
    if (theCase === undefined || client === undefined) {
      process.stderr.write(`There is no case #${number}.\n`);
      return 1;
    }
    const departmentNames = departmentNamesFromFile();
    process.stdout.write(exportCase({ case: theCase, client, events: store.listEvents(number), asks: store.listAsks(number), departmentNames }, format, process.env.TEAM_TIMEZONE || 'UTC'));
    return 0;
  } finally {
    database.close();
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

process.exitCode = main(process.argv.slice(2));
