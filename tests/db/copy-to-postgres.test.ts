import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CopyError, copySqliteToPostgres, repkaTables } from '../../db/copy-to-postgres.js';
import { openPostgresStorage } from '../../db/postgres/open-postgres-storage.js';
import { openSqliteStorage } from '../../db/sqlite/open-sqlite-storage.js';
import type { StorageBackend } from '../../db/storage-backend.js';
import type { Outgoing } from '../../src/outgoing.js';
import type { ClientProfile, Storage } from '../../src/ports.js';
import { builtRepka } from '../support/built-repka.js';

/** Epoch ms past 2^31 s worth of ms, and Telegram chat ids past 2^32: neither fits int4. */
const T = 1_800_000_000_000;
const bigChat = 7_000_000_000;
const root = new URL('../../', import.meta.url).pathname;

const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const databaseUrl = (name: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

async function onServer<R>(work: (client: pg.Client) => Promise<R>, url = adminUrl): Promise<R> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops `name` once its sessions are gone (a pool's end() resolves before the server has closed them). */
async function dropDatabase(name: string): Promise<void> {
  await onServer(async (client) => {
    for (let wait = 0; wait < 50; wait++) {
      const { rows } = await client.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
      if ((rows[0] as { n: number }).n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await client.query(`drop database if exists ${name} with (force)`);
  });
}

let database: string;
let url: string;
let dir: string;
let sqlitePath: string;
const opened: StorageBackend[] = [];

beforeEach(async () => {
  database = `repka_copy_${randomBytes(6).toString('hex')}`;
  url = databaseUrl(database);
  await onServer((client) => client.query(`create database ${database}`));
  dir = mkdtempSync(join(tmpdir(), 'repka-copy-'));
  sqlitePath = join(dir, 'repka.sqlite');
});

afterEach(async () => {
  for (const backend of opened.splice(0)) await backend.close();
  await dropDatabase(database);
  rmSync(dir, { recursive: true, force: true });
});

const track = <B extends StorageBackend>(backend: B): B => (opened.push(backend), backend);

const profile = (chat: number, firstName: string, overrides: Partial<ClientProfile> = {}): ClientProfile => ({ chatId: chat, userId: chat + 1, firstName, ...overrides });
const reply = (chatId: number, caseId: number, text: string): Outgoing => ({ to: 'client', chatId, notice: { type: 'agent-reply', caseId, text, agentName: 'Borys' } });

/** What the fixture wrote that the comparisons iterate over. */
interface Fixture {
  readonly clientIds: number[];
  readonly caseIds: number[];
  readonly chats: number[];
  readonly streams: string[];
  readonly slackIds: string[];
  readonly inboundKeys: string[];
}

/**
 * A Repka database as Repka writes it, through its storage: three clients (one chose a language),
 * cases open and closed (a follow-up linked to its predecessor, one assigned, one waiting), events
 * with JSON details (nested, Unicode, quotes), asks open, overdue, answered, declined and
 * cancelled, outbox rows pending, sent, failed and retried, inbound keys and Slack names.
 */
async function writeFixture(backend: StorageBackend): Promise<Fixture> {
  const chats = [bigChat, bigChat + 7, 42];
  const ids = await backend.uow.run(async (tx: Storage) => {
    const anna = await tx.upsertClient(profile(chats[0]!, 'Anna', { lastName: 'Kovalenko', username: 'anna', languageCode: 'uk' }), 'uk', T);
    const oleh = await tx.upsertClient(profile(chats[1]!, 'Олег'), 'ru', T + 1);
    const sam = await tx.upsertClient(profile(chats[2]!, 'Sam "the" O\'Neil', { username: 'sam' }), 'en', T + 2);
    await tx.setClientLanguage(oleh.id, 'en');
    const first = await tx.createCase({ clientId: anna.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: T });
    await tx.updateCase(first.id, { thread: { platform: 'slack', conversation: 'C1', thread: '1800000000.000100' }, assignee: 'U0AGENT', firstReplyAt: T + 60_000 });
    await tx.updateCase(first.id, { status: 'closed', closedAt: T + 120_000, closeSummary: 'refund issued; "done" ✓' });
    const followUp = await tx.createCase({ clientId: anna.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: first.id, openedAt: T + 200_000 });
    await tx.updateCase(followUp.id, { thread: { platform: 'slack', conversation: 'C1', thread: '1800000200.000100' }, clientWaitingSince: T + 200_000 });
    const other = await tx.createCase({ clientId: oleh.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: T + 300_000 });
    await tx.updateCase(other.id, { thread: { platform: 'forum', conversation: 'C1', thread: '1800000300.000100' }, assignee: 'U0AGENT', firstReplyAt: T + 310_000, waitAlertedAt: T + 305_000 });
    const unposted = await tx.createCase({ clientId: sam.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: T + 400_000 });
    for (const c of [first, followUp, other, unposted]) {
      await tx.appendEvent({ caseId: c.id, at: c.openedAt, kind: 'case-opened', authorKind: 'system', authorId: null, authorName: null, text: null, data: null });
      await tx.appendEvent({ caseId: c.id, at: c.openedAt + 1, kind: 'client-message', authorKind: 'client', authorId: String(chats[0]), authorName: 'Anna', text: 'Привіт, "карта" двічі? <b>', data: { messageId: 17, content: { type: 'text', text: 'Привіт' }, files: [{ name: 'a b.pdf', size: 1024 }], nothing: null } });
    }
    await tx.appendEvent({ caseId: first.id, at: T + 60_000, kind: 'agent-reply', authorKind: 'agent', authorId: 'U0AGENT', authorName: 'Borys', text: 'Refunded 🎉', data: { ts: '1800000060.000100', messageIds: [101, 102] } });
    await tx.appendEvent({ caseId: first.id, at: T + 120_000, kind: 'closed', authorKind: 'agent', authorId: 'U0AGENT', authorName: 'Borys', text: null, data: { summary: 'refund issued' } });
    await tx.appendEvent({ caseId: first.id, at: T + 130_000, kind: 'rated', authorKind: 'client', authorId: String(chats[0]), authorName: 'Anna', text: null, data: { score: 5 } });
    await tx.appendEvent({ caseId: followUp.id, at: T + 200_002, kind: 'linked', authorKind: 'system', authorId: null, authorName: null, text: null, data: { otherCaseId: first.id } });

    const ask = (caseId: number, departmentId: string, at: number, deadlineAt: number) =>
      tx.createAsk({ caseId, departmentId, question: `Was it charged twice? (${departmentId})`, askedBy: 'U0AGENT', askedByName: 'Borys', askedAt: at, deadlineAt, post: { platform: 'slack', conversation: `C-${departmentId.toUpperCase()}`, thread: null } });
    const open = await ask(other.id, 'accounting', T + 320_000, T + 99 * 3_600_000);
    await tx.updateAsk(open.id, { post: { ...open.post, thread: '1800000320.000200' }, confirmation: '1800000320.000300' });
    const overdue = await ask(other.id, 'legal', T + 321_000, T + 330_000);
    await tx.updateAsk(overdue.id, { post: { ...overdue.post, thread: '1800000321.000200' }, remindersSent: 2 });
    await tx.claimOverdue(overdue.id, 1, T + 331_000);
    const answered = await ask(first.id, 'accounting', T + 10_000, T + 3_600_000);
    await tx.updateAsk(answered.id, { post: { ...answered.post, thread: '1800000010.000200' }, status: 'answered', answeredAt: T + 50_000, answeredBy: 'U0ACC', answeredByName: 'Olha' });
    const declined = await ask(followUp.id, 'it', T + 210_000, T + 3_600_000);
    await tx.updateAsk(declined.id, { status: 'declined', closedReason: 'not ours', version: 2, windowStartAt: T + 220_000 });
    const cancelled = await ask(followUp.id, 'legal', T + 211_000, T + 3_600_000);
    await tx.updateAsk(cancelled.id, { status: 'cancelled', closedReason: 'asked by mistake' });

    await tx.markInbound('tg:1001', T);
    await tx.markInbound('tg:1002', T + 1);
    await tx.markInbound('slack:Ev01ABC', T + 2);
    return { clientIds: [anna.id, oleh.id, sam.id], caseIds: [first.id, followUp.id, other.id, unposted.id] };
  });
  // The outbox over several units, as delivery settles it: sent, failed, retried, still pending.
  const sent = await backend.uow.run((tx) => tx.enqueue([reply(chats[0]!, 1, 'one'), { to: 'case-card', caseId: 1, op: 'post' }, reply(chats[0]!, 1, 'two')], T));
  await backend.uow.run((tx) => tx.markSent(sent.slice(0, 2), T + 5));
  const failed = await backend.uow.run((tx) => tx.enqueue([{ to: 'case-thread', caseId: 2, post: { type: 'client-edited', text: 'new "text"', previousText: null } }], T + 6));
  await backend.uow.run((tx) => tx.markFailed(failed, 'channel_not_found'));
  const retried = await backend.uow.run((tx) => tx.enqueue([reply(chats[1]!, 3, 'три'), { to: 'department', askId: 1, caseId: 3, post: { type: 'question' } }], T + 7));
  await backend.uow.run((tx) => tx.recordAttempt(retried.slice(0, 1), 'ratelimited'));
  await backend.uow.run((tx) => tx.enqueue([reply(chats[1]!, 3, 'four'), { to: 'case-card', caseId: 4, op: 'update' }], T + 8));
  const slackIds = ['U0AGENT', 'U0ACC', 'U0NOBODY'];
  await backend.names.saveName('U0AGENT', 'Borys', T);
  await backend.names.saveName('U0ACC', 'Ольга "Olha"', T + 1);
  const streams = (await backend.uow.read((tx) => tx.pendingStreams())).map((s) => s.stream);
  expect(streams.length).toBeGreaterThanOrEqual(3);
  return { ...ids, chats, streams: [...streams, `chat-${chats[0]}`, 'case-1'], slackIds, inboundKeys: ['tg:1001', 'tg:1002', 'slack:Ev01ABC'] };
}

/** Everything Repka reads, through the same calls on either backend. */
async function readAll(backend: StorageBackend, f: Fixture) {
  const fromStorage = await backend.uow.read(async (tx) => ({
    clients: await Promise.all(f.clientIds.map((id) => tx.getClient(id))),
    byChat: await Promise.all(f.chats.map((chat) => tx.findClientByChat(chat))),
    cases: await Promise.all(f.caseIds.map((id) => tx.getCase(id))),
    byThread: await tx.findCaseByThread({ platform: 'forum', conversation: 'C1', thread: '1800000300.000100' }),
    openCases: await Promise.all(f.clientIds.map((id) => tx.listOpenCases(id))),
    latest: await Promise.all(f.clientIds.map((id) => tx.findLatestCase(id))),
    events: await Promise.all(f.caseIds.map((id) => tx.listEvents(id))),
    clientMessages: await Promise.all(f.clientIds.map((id) => tx.listClientEvents(id, 'client-message'))),
    asks: await Promise.all(f.caseIds.map((id) => tx.listAsks(id))),
    openAsks: await tx.listOpenAsks(),
    askByThread: await tx.findAskByThread({ platform: 'slack', conversation: 'C-ACCOUNTING', thread: '1800000320.000200' }),
    awaitingFirstReply: await tx.listCasesAwaitingFirstReply(),
    pendingStreams: await tx.pendingStreams(),
    pending: await Promise.all(f.streams.map((stream) => tx.pending(stream, 100))),
  }));
  return {
    ...fromStorage,
    names: await Promise.all(f.slackIds.map((id) => backend.names.storedName(id))),
    stats: await backend.reports.statsSnapshot({ from: T - 1, to: T + 10 * 3_600_000, label: 'copy' }),
    assigned: await backend.reports.openCasesAssignedTo('U0AGENT'),
    overdue: await backend.reports.overdueAsks(T + 400_000),
    metricEvents: await backend.reports.eventsAfter(0, 1000),
    openCaseCount: await backend.reports.openCases(),
    asksByDepartment: await backend.reports.openAsksByDepartment(T + 400_000),
    backlog: await backend.backlog.backlog(),
  };
}

/** Row counts per table, straight from PostgreSQL. */
async function postgresCounts(): Promise<Record<string, number>> {
  return onServer(async (client) => {
    const counts: Record<string, number> = {};
    for (const table of repkaTables) counts[table] = (await client.query<{ n: number }>(`select count(*)::int as n from "${table}"`)).rows[0]!.n;
    return counts;
  }, url);
}

async function copyError(promise: Promise<unknown>): Promise<CopyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CopyError);
  return error as CopyError;
}

describe('copySqliteToPostgres', () => {
  it('copies every table, ids kept, so PostgreSQL answers every read as SQLite does, and new ids follow the copied ones', async () => {
    const sqlite = track(openSqliteStorage(sqlitePath));
    const fixture = await writeFixture(sqlite);
    // A row SQLite deleted still holds its id (AUTOINCREMENT): PostgreSQL must not give it out again.
    const lastOutboxId = (sqlite.database.sqlite.prepare('select max(id) as id from outbox').get() as { id: number }).id;
    sqlite.database.sqlite.prepare("insert into outbox (stream, payload, status, created_at) values ('gone', '{}', 'sent', ?)").run(T);
    sqlite.database.sqlite.prepare('delete from outbox where id = ?').run(lastOutboxId + 1);
    const expected = await readAll(sqlite, fixture);
    await sqlite.close();
    opened.splice(opened.indexOf(sqlite), 1);
    const sqliteBytes = readFileSync(sqlitePath);

    const lines: string[] = [];
    const report = await copySqliteToPostgres(sqlitePath, url, (line) => lines.push(line));

    expect(report.tables.map((t) => [t.table, t.rows, t.copied])).toEqual([
      ['clients', 3, 3],
      ['cases', 4, 4],
      ['case_events', 12, 12],
      ['asks', 5, 5],
      ['processed_inbound', 3, 3],
      ['outbox', 8, 8],
      ['slack_users', 2, 2],
    ]);
    expect(report.totalRows).toBe(37);
    expect(report.tables.find((t) => t.table === 'outbox')).toMatchObject({ maxId: lastOutboxId, nextId: lastOutboxId + 2 });
    expect(report.tables.find((t) => t.table === 'slack_users')).toMatchObject({ maxId: null, nextId: null });
    expect(lines).toContain('case_events: 12 rows copied');
    expect(readFileSync(sqlitePath).equals(sqliteBytes)).toBe(true);

    const postgres = track(await openPostgresStorage(url));
    const actual = await readAll(postgres, fixture);
    expect(actual).toEqual(expected);
    // The fixture's states made it across, not only "whatever SQLite had".
    expect(actual.clients.map((c) => c?.languageChosen)).toEqual([false, true, false]);
    expect(actual.asks.flat().map((a) => a.status).sort()).toEqual(['answered', 'cancelled', 'declined', 'open', 'open']);
    expect(actual.pending.flat().length).toBeGreaterThan(0);
    expect(actual.events[0]?.[1]?.data).toEqual({ messageId: 17, content: { type: 'text', text: 'Привіт' }, files: [{ name: 'a b.pdf', size: 1024 }], nothing: null });
    expect(await postgres.uow.run((tx) => tx.markInbound('tg:1001', T + 9))).toBe(false);
    const types = await onServer(async (client) => (await client.query("select pg_typeof(language_chosen)::text as b, pg_typeof(data)::text as d from clients, case_events limit 1")).rows[0], url);
    expect(types).toEqual({ b: 'boolean', d: 'text' });

    const fresh = await postgres.uow.run(async (tx) => {
      const client = await tx.upsertClient(profile(99, 'New'), 'en', T + 10);
      const theCase = await tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: T + 10 });
      const event = await tx.appendEvent({ caseId: theCase.id, at: T + 10, kind: 'case-opened', authorKind: 'system', authorId: null, authorName: null, text: null, data: null });
      const ask = await tx.createAsk({ caseId: theCase.id, departmentId: 'it', question: '?', askedBy: 'U1', askedByName: 'A', askedAt: T + 10, deadlineAt: T + 20, post: { platform: 'slack', conversation: 'C-IT', thread: null } });
      const [outboxId] = await tx.enqueue([reply(99, theCase.id, 'hi')], T + 10);
      return { client: client.id, theCase: theCase.id, event: event.id, ask: ask.id, outboxId };
    });
    expect(fresh).toEqual({ client: 4, theCase: 5, event: 13, ask: 6, outboxId: lastOutboxId + 2 });
  });

  it('copies a file Repka still has open (its last commits only in the WAL), from one snapshot', async () => {
    const sqlite = track(openSqliteStorage(sqlitePath));
    const fixture = await writeFixture(sqlite);
    expect(statSync(`${sqlitePath}-wal`).size).toBeGreaterThan(0);
    const expected = await readAll(sqlite, fixture);

    const report = await copySqliteToPostgres(sqlitePath, url);

    expect(report.totalRows).toBe(37);
    expect(await readAll(track(await openPostgresStorage(url)), fixture)).toEqual(expected);
  });

  it('copies 100,000 events in batches, in seconds', async () => {
    const sqlite = track(openSqliteStorage(sqlitePath));
    const caseId = await sqlite.uow.run(async (tx) => {
      const client = await tx.upsertClient(profile(bigChat, 'Anna'), 'en', T);
      const theCase = await tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: T });
      for (let i = 0; i < 100_000; i++) {
        await tx.appendEvent({ caseId: theCase.id, at: T + i, kind: 'client-message', authorKind: 'client', authorId: String(bigChat), authorName: 'Anna', text: `message ${i}`, data: { messageId: i, content: { type: 'text', text: `message ${i}` } } });
      }
      return theCase.id;
    });
    await sqlite.close();
    opened.splice(opened.indexOf(sqlite), 1);

    const started = performance.now();
    const report = await copySqliteToPostgres(sqlitePath, url);
    const seconds = (performance.now() - started) / 1000;
    console.log(`copy-to-postgres: ${report.totalRows} rows in ${seconds.toFixed(2)} s`);

    expect(report.tables.find((t) => t.table === 'case_events')).toMatchObject({ rows: 100_000, copied: 100_000, maxId: 100_000, nextId: 100_001 });
    expect(seconds).toBeLessThan(30);
    const postgres = track(await openPostgresStorage(url));
    const events = await postgres.uow.read((tx) => tx.listEvents(caseId));
    expect(events).toHaveLength(100_000);
    expect(events[99_999]).toMatchObject({ id: 100_000, text: 'message 99999', data: { messageId: 99_999 } });
  }, 120_000);

  it('refuses a PostgreSQL database with rows in a Repka table, naming it, and changes nothing', async () => {
    const sqlite = track(openSqliteStorage(sqlitePath));
    await writeFixture(sqlite);
    const postgres = track(await openPostgresStorage(url));
    await postgres.names.saveName('U0OTHER', 'Someone', T);
    await postgres.uow.run((tx) => tx.markInbound('tg:1', T));

    const error = await copyError(copySqliteToPostgres(sqlitePath, url));

    expect(error.reason).toBe('target-not-empty');
    expect(error.message).toBe('PostgreSQL is not empty: processed_inbound has 1 row, slack_users has 1 row; copy only into a new database.');
    expect(await postgresCounts()).toEqual({ clients: 0, cases: 0, case_events: 0, asks: 0, processed_inbound: 1, outbox: 0, slack_users: 1 });
  });

  it('refuses to copy twice into the same database, the first copy left as it was', async () => {
    const sqlite = track(openSqliteStorage(sqlitePath));
    await writeFixture(sqlite);
    await copySqliteToPostgres(sqlitePath, url);
    const before = await postgresCounts();

    const error = await copyError(copySqliteToPostgres(sqlitePath, url));

    expect(error.reason).toBe('target-not-empty');
    expect(error.message).toContain('clients has 3 rows');
    expect(await postgresCounts()).toEqual(before);
  });

  it('keeps nothing when PostgreSQL refuses a row halfway (one transaction)', async () => {
    const sqlite = track(openSqliteStorage(sqlitePath));
    await writeFixture(sqlite);
    // A case of a client that does not exist: SQLite without foreign_keys lets it in, PostgreSQL does not.
    sqlite.database.sqlite.pragma('foreign_keys = OFF');
    sqlite.database.sqlite.prepare("insert into cases (client_id, status, slack_channel, opened_at) values (999, 'open', 'C1', ?)").run(T);

    const error = await copyError(copySqliteToPostgres(sqlitePath, url));

    expect(error.reason).toBe('postgres');
    expect(error.message).toContain('violates foreign key constraint');
    expect(await postgresCounts()).toEqual({ clients: 0, cases: 0, case_events: 0, asks: 0, processed_inbound: 0, outbox: 0, slack_users: 0 });
  });

  it('refuses a missing file before touching PostgreSQL', async () => {
    const error = await copyError(copySqliteToPostgres(join(dir, 'nothing.sqlite'), url));

    expect(error.reason).toBe('no-sqlite-file');
    expect(error.message).toBe(`No SQLite file at ${join(dir, 'nothing.sqlite')}.`);
    const tables = await onServer(async (client) => (await client.query("select count(*)::int as n from pg_tables where schemaname = 'public'")).rows[0], url);
    expect(tables).toEqual({ n: 0 });
  });

  it('refuses an SQLite file without Repka tables, and a file that is not SQLite, leaving both as they were', async () => {
    const other = new Database(sqlitePath);
    other.exec("create table notes (id integer primary key, body text); insert into notes (body) values ('keep me')");
    other.close();
    const bytes = readFileSync(sqlitePath);

    const error = await copyError(copySqliteToPostgres(sqlitePath, url));

    expect(error.reason).toBe('not-repka');
    expect(error.message).toContain('is not a Repka database (none of its tables: clients, cases');
    expect(readFileSync(sqlitePath).equals(bytes)).toBe(true);

    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'just some text, long enough to be read as a header by SQLite: '.repeat(4));
    const notSqlite = await copyError(copySqliteToPostgres(text, url));
    expect(notSqlite.reason).toBe('not-repka');
    expect(notSqlite.message).toBe(`${text} is not a Repka database: file is not a database.`);
  });

  it('refuses a Repka file of an older schema (a column missing), naming it', async () => {
    const sqlite = openSqliteStorage(sqlitePath);
    await sqlite.close();
    const raw = new Database(sqlitePath);
    raw.exec('alter table asks drop column confirmation_ts');
    raw.close();

    const error = await copyError(copySqliteToPostgres(sqlitePath, url));

    expect(error.reason).toBe('not-repka');
    expect(error.message).toContain('table asks has no column confirmation_ts');
  });

  it('refuses a file with a table this version would leave behind', async () => {
    await openSqliteStorage(sqlitePath).close();
    const raw = new Database(sqlitePath);
    raw.exec('create table from_the_future (id integer primary key)');
    raw.close();

    const error = await copyError(copySqliteToPostgres(sqlitePath, url));

    expect(error.reason).toBe('not-repka');
    expect(error.message).toContain("has tables PostgreSQL's schema does not (from_the_future)");
  });

  it('says why PostgreSQL could not be used, without the password', async () => {
    const sqlite = openSqliteStorage(sqlitePath);
    await sqlite.close();
    const unreachable = 'postgres://repka:hunter2-secret@127.0.0.1:1/repka';

    const error = await copyError(copySqliteToPostgres(sqlitePath, unreachable));

    expect(error.reason).toBe('postgres');
    expect(error.message).toBe('PostgreSQL at postgres://repka:***@127.0.0.1:1/repka: connect ECONNREFUSED 127.0.0.1:1');
    const missing = new URL(url);
    missing.pathname = `/${database}_missing`;
    expect((await copyError(copySqliteToPostgres(sqlitePath, missing.toString()))).message).toContain(`database "${database}_missing" does not exist`);
  });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The command as an operator runs it, in a child process with only DATABASE_PATH set. */
function cli(args: string[], databasePath: string): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_PATH: databasePath };
  return new Promise((resolve) => {
    const [command, cliArgs] = builtRepka('cli', ...args);
    execFile(command, cliArgs, { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('npm run cli -- copy-to-postgres', () => {
  /** The test database's URL with a password in it (ignored under trust authentication), which must never be printed. */
  const withPassword = () => {
    const parsed = new URL(url);
    if (parsed.password === '') parsed.password = 'not-so-secret-pw';
    return parsed.toString();
  };
  const masked = () => {
    const parsed = new URL(url);
    parsed.password = '***';
    return parsed.toString();
  };

  it('copies, prints the rows per table and what to do next, and masks the password', async () => {
    const sqlite = track(openSqliteStorage(sqlitePath));
    await writeFixture(sqlite);
    const secret = new URL(withPassword()).password;

    const run = await cli(['copy-to-postgres', withPassword()], sqlitePath);

    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect(run.stderr).toContain('should be stopped');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 7).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['clients', '3'],
      ['cases', '4'],
      ['case_events', '12'],
      ['asks', '5'],
      ['processed_inbound', '3'],
      ['outbox', '8'],
      ['slack_users', '2'],
    ]);
    expect(run.stdout).toContain(`Set DATABASE_URL=${masked()}`);
    expect(run.stdout).toContain(`Keep ${sqlitePath} as a backup`);
    expect(await postgresCounts()).toMatchObject({ clients: 3, case_events: 12, outbox: 8 });

    const again = await cli(['copy-to-postgres', withPassword()], sqlitePath);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr.trimEnd().split('\n').at(-1)).toBe('copy-to-postgres: PostgreSQL is not empty: clients has 3 rows, cases has 4 rows, case_events has 12 rows, asks has 5 rows, processed_inbound has 3 rows, outbox has 8 rows, slack_users has 2 rows; copy only into a new database.');
    expect(again.stderr).not.toContain(secret);
  }, 60_000);

  it('fails with one line and exit code 1: no file, not Repka, PostgreSQL unreachable, no URL', async () => {
    const missing = await cli(['copy-to-postgres', withPassword()], join(dir, 'missing.sqlite'));
    expect(missing).toEqual({ code: 1, stdout: '', stderr: `copy-to-postgres: No SQLite file at ${join(dir, 'missing.sqlite')} (set DATABASE_PATH to Repka's database file).\n` });

    writeFileSync(sqlitePath, 'x'.repeat(200));
    const notRepka = await cli(['copy-to-postgres', withPassword()], sqlitePath);
    expect(notRepka.code).toBe(1);
    expect(notRepka.stderr.trimEnd().split('\n').at(-1)).toBe(`copy-to-postgres: ${sqlitePath} is not a Repka database: file is not a database.`);

    rmSync(sqlitePath);
    await openSqliteStorage(sqlitePath).close();
    const down = await cli(['copy-to-postgres', 'postgres://repka:hunter2-secret@127.0.0.1:1/repka'], sqlitePath);
    expect(down.code).toBe(1);
    expect(down.stderr.trimEnd().split('\n').at(-1)).toBe('copy-to-postgres: PostgreSQL at postgres://repka:***@127.0.0.1:1/repka: connect ECONNREFUSED 127.0.0.1:1');
    expect(down.stderr).not.toContain('hunter2');

    const noUrl = await cli(['copy-to-postgres'], sqlitePath);
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain('Give the PostgreSQL database to copy into');
  }, 60_000);

  it('is in the usage text, with the advice to stop Repka first', async () => {
    const run = await cli(['help'], sqlitePath);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('copy-to-postgres <postgres://user:password@host/db>');
    expect(run.stdout).toContain('stop Repka first');
  });
});
