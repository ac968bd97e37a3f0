import { existsSync, readFileSync } from 'node:fs';
import { parseDepartments } from '../src/config.js';
import { openStorage } from '../db/open-storage.js';
import { exportCase, exportFormats, type ExportFormat } from '../src/history/export-case.js';

const usage = `Usage: npm run cli -- <command>

Commands:
  export <case-number> [--format md|json|html]   print a case with its whole history (default md)
  help                                           this text`;

/** The operator CLI: reads DATABASE_URL or DATABASE_PATH (default ./data/repka.sqlite), and TEAM_TIMEZONE (default UTC). */
async function main(args: string[]): Promise<number> {
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
