import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../bots/logger.js';
import { openStorage } from '../../db/open-storage.js';
import { createTestDatabase, testPostgresUrl } from '../support/test-storage.js';

/*
 * What fails outside any caller's call goes to Repka's logger, not to console.error: here, an idle
 * pooled PostgreSQL connection the server ends (as a restart or failover does).
 */

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
});

describe.runIf(testPostgresUrl !== undefined)('openStorage with a logger, on PostgreSQL', () => {
  it('logs an idle connection the server ended as one pino warning with the error', async () => {
    const database = await createTestDatabase(testPostgresUrl as string);
    drops.push(database.drop);
    const lines: string[] = [];
    let warned: () => void = () => undefined;
    const warning = new Promise<void>((resolve) => (warned = resolve));
    const log = createLogger({ level: 'info', write: (line) => (lines.push(line), line.includes('"level":"warn"') && warned()) });
    const storage = await openStorage({ databaseUrl: database.url, databasePath: '' }, log);
    try {
      await storage.ping();
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        const ended = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
        expect(ended.rowCount).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      await warning;
      const entry = JSON.parse(lines.find((line) => line.includes('"level":"warn"')) as string) as Record<string, unknown>;
      expect(entry).toMatchObject({ level: 'warn', msg: 'idle PostgreSQL connection failed; the pool opens another', error: { type: 'DatabaseError', message: expect.stringMatching(/terminat/) } });
      // The pool opens another connection when asked.
      await storage.ping();
    } finally {
      await storage.close();
    }
  }, 30_000);
});
