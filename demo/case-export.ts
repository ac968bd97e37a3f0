import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The formats `npm run cli -- export` writes. */
export const exportFormats = ['md', 'json', 'html'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** Where the demo keeps its cases: what the operator CLI needs to read them. */
export interface ExportSetup {
  /** The repository root (bots/cli.ts and node_modules/tsx are under it). */
  readonly root: string;
  readonly databasePath: string;
  readonly departmentsFile: string;
}

/** What `npm run cli -- export` printed: its exit code, stdout and stderr. */
export interface ExportResult {
  readonly code: number;
  readonly output: string;
  readonly problem: string;
}

/** The shell command an operator types to export from this demo's database, up to the case number. */
export function exportCommand(setup: ExportSetup): string {
  return `DATABASE_PATH=${setup.databasePath} DEPARTMENTS_FILE=${setup.departmentsFile} npm run --silent cli -- export`;
}

/**
 * Runs the operator CLI (bots/cli.ts, as `npm run cli` does) on the demo's database, so the page's
 * "export" link shows exactly what the command gives. Resolves when it exits (killed after 20 s).
 */
export function runExport(setup: ExportSetup, caseId: number, format: ExportFormat): Promise<ExportResult> {
  const loader = pathToFileURL(join(setup.root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', loader, join(setup.root, 'bots', 'cli.ts'), 'export', String(caseId), '--format', format], {
    cwd: setup.root,
    env: { ...process.env, DATABASE_PATH: setup.databasePath, DATABASE_URL: '', DEPARTMENTS_FILE: setup.departmentsFile },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output: Buffer.concat(out).toString(), problem: Buffer.concat(err).toString() }));
  });
}
