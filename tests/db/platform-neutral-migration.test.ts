/**
 * The migration that made the core platform-neutral carries an install's data over: cases and
 * questions keep their Slack threads (now `ThreadRef`s on platform 'slack'), and messages still
 * waiting for delivery keep their order and reach the same people (their streams renamed, their
 * payloads read in today's shape). Each backend is migrated to the version before, given rows as
 * that version wrote them, then opened as today's Repka opens it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '../../db/postgres/open-postgres-storage.js';
import { openSqliteStorage } from '../../db/sqlite/open-sqlite-storage.js';
import type { StorageBackend } from '../../db/storage-backend.js';
import { createTestDatabase } from '../support/test-storage.js';

const root = new URL('../../', import.meta.url).pathname;
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const T = 1_800_000_000_000;

/** A copy of `dialect`'s migrations folder holding only those before `tag`. */
function migrationsBefore(dialect: 'sqlite' | 'postgres', tag: string, dir: string): string {
  const folder = join(dir, `${dialect}-migrations`);
  cpSync(join(root, 'db', dialect, 'migrations'), folder, { recursive: true });
  const journalFile = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === tag);
  expect(at, `migration ${tag} is in the ${dialect} journal`).toBeGreaterThan(0);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  return folder;
}

/** Payloads as the version before wrote them. */
const privateAnswer = { to: 'slack-ephemeral', channel: 'C0SUPPORT', user: 'U0ANNA', threadTs: '1700.1', notice: { type: 'help' } };
const reply = {
  to: 'client',
  chatId: 1001,
  caseId: 1,
  notice: { type: 'agent-reply', caseId: 1, text: 'Refunded', agentName: 'Anna', replyTs: '1700.2' },
  afterDelivery: [{ to: 'slack-reaction', caseId: 1, reaction: { channel: 'C0SUPPORT', ts: '1700.2', name: 'white_check_mark' } }],
};
const delivered = { to: 'client', chatId: 1001, caseId: 1, notice: { type: 'case-opened', caseId: 1, empty: false } };
/** A ✅ outside a case (its stream was the channel's), and a private answer that failed for good. */
const markOutsideCase = { to: 'slack-reaction', reaction: { channel: 'C0SUPPORT', ts: '1700.3', name: 'white_check_mark' } };
const failedAnswer = { to: 'slack-ephemeral', channel: 'C0SUPPORT', user: 'U0BORIS', notice: { type: 'help' } };

/** The rows the version before had: one client, one case with its thread, one posted question, three outbox rows. */
const oldRows: readonly string[] = [
  `insert into clients (telegram_chat_id, telegram_user_id, first_name, language, created_at) values (1001, 1001, 'Olga', 'en', ${T})`,
  `insert into cases (client_id, status, slack_channel, slack_thread_ts, opened_at) values (1, 'open', 'C0SUPPORT', '1700.0', ${T})`,
  `insert into asks (case_id, department_id, question, asked_by, asked_by_name, asked_at, deadline_at, status, window_start_at, slack_channel, slack_ts, confirmation_ts)
     values (1, 'accounting', 'Charged twice?', 'U0ANNA', 'Anna', ${T}, ${T + 3_600_000}, 'open', ${T}, 'C0ACCOUNTING', '1700.5', '1700.6')`,
  `insert into outbox (stream, payload, status, case_id, created_at, sent_at) values ('tg-1001', '${JSON.stringify(delivered)}', 'sent', 1, ${T}, ${T + 1})`,
  `insert into outbox (stream, payload, status, case_id, created_at) values ('slack-C0SUPPORT-U0ANNA', '${JSON.stringify(privateAnswer)}', 'pending', null, ${T + 2})`,
  `insert into outbox (stream, payload, status, case_id, created_at) values ('tg-1001', '${JSON.stringify(reply)}', 'pending', 1, ${T + 3})`,
  `insert into outbox (stream, payload, status, case_id, created_at) values ('slack-C0SUPPORT', '${JSON.stringify(markOutsideCase)}', 'pending', null, ${T + 4})`,
  `insert into outbox (stream, payload, status, case_id, created_at, last_error) values ('slack-C0SUPPORT-U0BORIS', '${JSON.stringify(failedAnswer)}', 'failed', null, ${T + 5}, 'user_not_in_channel')`,
];

/** What today's Repka reads from those rows once it has opened the database. */
async function expectCarriedOver(backend: StorageBackend, rawStreams: () => Promise<{ stream: string; status: string }[]>): Promise<void> {
  const read = backend.uow.read.bind(backend.uow);
  const theCase = await read((tx) => tx.getCase(1));
  expect(theCase?.thread).toEqual({ platform: 'slack', conversation: 'C0SUPPORT', thread: '1700.0' });
  expect((await read((tx) => tx.findCaseByThread({ platform: 'slack', conversation: 'C0SUPPORT', thread: '1700.0' })))?.id).toBe(1);
  const ask = await read((tx) => tx.getAsk(1));
  expect([ask?.post, ask?.confirmation]).toEqual([{ platform: 'slack', conversation: 'C0ACCOUNTING', thread: '1700.5' }, '1700.6']);
  expect((await read((tx) => tx.findAskByThread({ platform: 'slack', conversation: 'C0ACCOUNTING', thread: '1700.5' })))?.id).toBe(1);
  expect((await read((tx) => tx.findClientByChat(1001)))?.chatId).toBe(1001);

  // Waiting messages: under today's stream names (what streamOf gives the same destination), in today's shape.
  expect((await read((tx) => tx.pendingStreams())).sort((a, b) => a.firstId - b.firstId)).toEqual([
    { stream: 'staff-C0SUPPORT-U0ANNA', firstId: 2 },
    { stream: 'chat-1001', firstId: 3 },
    { stream: 'staff-C0SUPPORT', firstId: 4 },
  ]);
  expect((await read((tx) => tx.pending('staff-C0SUPPORT', 10))).map((p) => p.message)).toEqual([{ to: 'staff-delivered-mark', conversation: 'C0SUPPORT', message: '1700.3' }]);
  expect((await read((tx) => tx.pending('staff-C0SUPPORT-U0ANNA', 10))).map((p) => p.message)).toEqual([
    { to: 'staff-private', conversation: 'C0SUPPORT', user: 'U0ANNA', thread: '1700.1', notice: { type: 'help' } },
  ]);
  expect((await read((tx) => tx.pending('chat-1001', 10))).map((p) => p.message)).toEqual([
    { ...reply, afterDelivery: [{ to: 'staff-delivered-mark', caseId: 1, conversation: 'C0SUPPORT', message: '1700.2' }] },
  ]);
  // A message already delivered is history: left as it was written.
  expect(await rawStreams()).toEqual([
    { stream: 'tg-1001', status: 'sent' },
    { stream: 'staff-C0SUPPORT-U0ANNA', status: 'pending' },
    { stream: 'chat-1001', status: 'pending' },
    { stream: 'staff-C0SUPPORT', status: 'pending' },
    // Failed for good, but named as today's streams are, should an operator retry it.
    { stream: 'staff-C0SUPPORT-U0BORIS', status: 'failed' },
  ]);
}

describe('the platform-neutral migration carries an install over', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repka-migration-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'repka.sqlite');
    const old = new Database(path);
    migrateSqlite(drizzleSqlite(old), { migrationsFolder: migrationsBefore('sqlite', '0003_platform_neutral_refs', dir) });
    expect(old.prepare("select count(*) as n from pragma_table_info('cases') where name = 'staff_platform'").get()).toEqual({ n: 0 });
    for (const row of oldRows) old.prepare(row).run();
    old.close();

    const backend = openSqliteStorage(path);
    cleanups.push(() => backend.close());
    await expectCarriedOver(backend, async () => backend.database.sqlite.prepare('select stream, status from outbox order by id').all() as { stream: string; status: string }[]);
  });

  it('on PostgreSQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repka-migration-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const database = await createTestDatabase(serverUrl);
    cleanups.push(database.drop);
    const old = new pg.Client({ connectionString: database.url });
    await old.connect();
    try {
      await migratePg(drizzlePg({ client: old }), { migrationsFolder: migrationsBefore('postgres', '0001_platform_neutral_refs', dir) });
      expect((await old.query("select count(*)::int as n from information_schema.columns where table_name = 'cases' and column_name = 'staff_platform'")).rows).toEqual([{ n: 0 }]);
      for (const row of oldRows) await old.query(row);
    } finally {
      await old.end();
    }

    const backend = await openPostgresStorage(database.url, { poolSize: 2 });
    cleanups.push(() => backend.close());
    const raw = new pg.Client({ connectionString: database.url });
    await raw.connect();
    cleanups.push(() => raw.end());
    await expectCarriedOver(backend, async () => (await raw.query('select stream, status from outbox order by id')).rows as { stream: string; status: string }[]);
  });
});
