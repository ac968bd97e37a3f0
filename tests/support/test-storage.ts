/**
 * The storage a test runs on: SQLite (`:memory:`, the default), or PostgreSQL when the suite runs
 * with DATABASE_URL set (as `.ci/run` does the second time): then each test file gets a database
 * of its own on that server, created on first use and dropped when the file is done, and each
 * {@link openTestStorage} call starts from empty tables (ids from 1), as a fresh SQLite would.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { openStorage, type StorageBackend } from '../../db/open-storage.js';

/** The server the suite runs against, or undefined for SQLite. */
export const testPostgresUrl: string | undefined = process.env.DATABASE_URL || undefined;

/** 'sqlite' or 'postgres': which backend this run of the suite is on. */
export const testDialect: 'sqlite' | 'postgres' = testPostgresUrl === undefined ? 'sqlite' : 'postgres';

let fileDatabase: Promise<{ url: string; backend: StorageBackend }> | undefined;

/** The tables of Repka's schema, emptied between domains. */
const tables = ['asks', 'case_events', 'outbox', 'processed_inbound', 'slack_users', 'cases', 'clients'];

/** A fresh database on the test server, named after this file's run; dropped after the file. */
export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `repka_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

function postgresForThisFile(serverUrl: string): Promise<{ url: string; backend: StorageBackend }> {
  fileDatabase ??= (async () => {
    const database = await createTestDatabase(serverUrl);
    const backend = await openStorage({ databaseUrl: database.url, databasePath: '' });
    afterAllDone.push(async () => {
      await backend.close();
      await database.drop();
    });
    return { url: database.url, backend };
  })();
  return fileDatabase;
}

const afterAllDone: (() => Promise<void>)[] = [];
// Registered while the test file that imports this module is collected: runs when that file is done.
afterAll(async () => {
  for (const done of afterAllDone.splice(0)) await done();
});

/**
 * Storage for one test: a new SQLite `:memory:` database, or this file's PostgreSQL database with
 * every table emptied and its ids restarted.
 */
export async function openTestStorage(): Promise<StorageBackend> {
  if (testPostgresUrl === undefined) return openStorage({ databasePath: ':memory:' });
  const { url, backend } = await postgresForThisFile(testPostgresUrl);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`truncate table ${tables.join(', ')} restart identity cascade`);
  } finally {
    await client.end();
  }
  // The file's database stays open for its next test; it closes when the file is done.
  return { ...backend, close: async () => undefined };
}
