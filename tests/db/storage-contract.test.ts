import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '../../db/postgres/open-postgres-storage.js';
import { openSqliteStorage } from '../../db/sqlite/open-sqlite-storage.js';
import type { StorageBackend } from '../../db/storage-backend.js';
import type { Outgoing } from '../../src/outgoing.js';
import type { CaseEventKind, ClientProfile, NewAsk, NewCaseEvent, Storage } from '../../src/ports.js';

/** An instant past 2^31 seconds' worth of ms, as every real epoch-ms time is: int4 cannot hold it. */
const T = 1_800_000_000_000;
/** A Telegram chat id above 2^32, as supergroups and newer users have. */
const bigChat = 7_000_000_000;

const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on the server of `adminUrl`. */
const databaseUrl = (name: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/** Runs `sql` on the server's `postgres` database (CREATE DATABASE cannot run inside a transaction). */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Drops database `name` once its sessions are gone: a pool's end() resolves before the server has
 * closed every session, and DROP … WITH (FORCE) would terminate those (57P01) under the pool.
 */
async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (let wait = 0; wait < 50; wait++) {
      const { rows } = await client.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
      if ((rows[0] as { n: number }).n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}

const freshDatabaseName = () => `repka_test_${randomBytes(6).toString('hex')}`;

/** One backend under test: `fresh` gives it with every table empty and ids starting at 1. */
interface BackendUnderTest {
  readonly name: string;
  setUp(): Promise<void>;
  fresh(): Promise<StorageBackend>;
  done(backend: StorageBackend): Promise<void>;
  tearDown(): Promise<void>;
}

const sqlite: BackendUnderTest = {
  name: 'SQLite',
  setUp: async () => undefined,
  fresh: async () => openSqliteStorage(':memory:'),
  done: (backend) => backend.close(),
  tearDown: async () => undefined,
};

/** One database for the file, emptied before each test. */
const postgres = (() => {
  const database = freshDatabaseName();
  let backend: StorageBackend | undefined;
  let cleaner: pg.Client | undefined;
  return {
    name: 'PostgreSQL',
    database,
    setUp: async () => {
      await admin(`create database ${database}`);
      backend = await openPostgresStorage(databaseUrl(database), { poolSize: 8 });
      cleaner = new pg.Client({ connectionString: databaseUrl(database) });
      await cleaner.connect();
    },
    fresh: async () => {
      await cleaner?.query('truncate clients, cases, case_events, processed_inbound, outbox, slack_users, asks restart identity cascade');
      return backend as StorageBackend;
    },
    done: async () => undefined,
    tearDown: async () => {
      await cleaner?.end();
      await backend?.close();
      await dropDatabase(database);
    },
  } satisfies BackendUnderTest & { database: string };
})();

const profile = (chat: number, overrides: Partial<ClientProfile> = {}): ClientProfile => ({
  chatId: chat,
  userId: chat + 1,
  firstName: 'Anna',
  lastName: 'Kovalenko',
  username: 'anna',
  ...overrides,
});

const note = (chatId: number, text: string): Outgoing => ({ to: 'client', chatId, notice: { type: 'agent-reply', caseId: 1, text, agentName: 'Boris' } });
const textOf = (message: Outgoing) => (message.to === 'client' && message.notice.type === 'agent-reply' ? message.notice.text : undefined);

const newAsk = (caseId: number, overrides: Partial<NewAsk> = {}): NewAsk => ({
  caseId,
  departmentId: 'legal',
  question: 'Is this allowed?',
  askedBy: 'U1',
  askedByName: 'Olha',
  askedAt: T,
  deadlineAt: T + 3_600_000,
  post: { platform: 'slack', conversation: 'C-LEGAL', thread: null },
  ...overrides,
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether `promise` settles within `ms`. */
const settlesWithin = (promise: Promise<unknown>, ms: number) => {
  const settled = promise.then(
    () => true,
    () => true,
  );
  return Promise.race([settled, sleep(ms).then(() => false)]);
};

/**
 * A meeting point for `n` concurrent units, between what they read and what they decide: each
 * `arrive()` resolves once all `n` have arrived, or `ms` after its own arrival. Units whose reads
 * lock nothing all arrive, then each acts on what it read (the race, made certain); where the
 * read locks the row, the others wait inside it, so the first goes on alone after `ms` and the
 * others read what it left.
 */
function meeting(n: number, ms = 300) {
  let arrived = 0;
  let all!: () => void;
  const met = new Promise<void>((resolve) => (all = resolve));
  return {
    arrive: () => {
      if (++arrived >= n) all();
      return Promise.race([met, sleep(ms)]);
    },
  };
}

/** A client (chat `chat`) with one open case in channel C1. */
async function clientWithCase(tx: Storage, chat = bigChat, openedAt = T) {
  const client = await tx.upsertClient(profile(chat), 'en', openedAt);
  const theCase = await tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt });
  return { client, theCase };
}

describe.each([sqlite, postgres])('$name storage', (backendUnderTest) => {
  let backend: StorageBackend;
  const run = <T>(work: (tx: Storage) => Promise<T>) => backend.uow.run(work);
  const read = <T>(work: (tx: Storage) => Promise<T>) => backend.uow.read(work);

  beforeAll(() => backendUnderTest.setUp());
  afterAll(() => backendUnderTest.tearDown());
  beforeEach(async () => {
    backend = await backendUnderTest.fresh();
  });
  afterEach(() => backendUnderTest.done(backend));

  describe('inbound keys', () => {
    it('records a key once: a second delivery of it is a duplicate', async () => {
      expect(await run((tx) => tx.markInbound('tg:1', T))).toBe(true);
      expect(await run((tx) => tx.markInbound('tg:1', T + 1))).toBe(false);
      expect(await run((tx) => tx.markInbound('slack:1', T))).toBe(true);
    });

    it('forgets the keys older than a time, and only those', async () => {
      await run(async (tx) => {
        await tx.markInbound('a', T + 10);
        await tx.markInbound('b', T + 20);
        await tx.markInbound('c', T + 30);
      });
      expect(await run((tx) => tx.forgetInboundBefore(T + 25))).toBe(2);
      expect(await run((tx) => tx.markInbound('a', T + 40))).toBe(true);
      expect(await run((tx) => tx.markInbound('c', T + 40))).toBe(false);
      expect(await backend.storage.forgetInboundBefore(T)).toBe(0);
    });

    it('lets one of many concurrent units with the same key through', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => run((tx) => tx.markInbound('tg:42', T))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('text PostgreSQL cannot hold', () => {
    it('keeps a message with U+0000 in it, in its name, text and thread lookups: kept on SQLite, a visible U+FFFD on PostgreSQL', async () => {
      const mark = backendUnderTest.name === 'PostgreSQL' ? '\uFFFD' : '\u0000';
      const client = await run((tx) => tx.upsertClient(profile(bigChat, { firstName: 'Ol\u0000ga' }), 'en', T));
      expect(client.firstName).toBe(`Ol${mark}ga`);
      const { theCase } = await run((tx) => clientWithCase(tx, bigChat));
      const event = await run((tx) => tx.appendEvent({ caseId: theCase.id, at: T, kind: 'client-message', authorKind: 'client', authorId: '1', authorName: 'a\u0000b', text: 'x\u0000y', data: { content: { type: 'text', text: 'x\u0000y' } } }));
      const [stored] = await read((tx) => tx.listEvents(theCase.id));
      expect(stored).toMatchObject({ id: event.id, authorName: `a${mark}b`, text: `x${mark}y` });
      // JSON escapes it: the data comes back as it went in, on both.
      expect(stored?.data).toEqual({ content: { type: 'text', text: 'x\u0000y' } });
      expect(await read((tx) => tx.findCaseByThread({ platform: 'slack', conversation: 'C1', thread: 'no\u0000such' }))).toBeUndefined();
    });
  });

  describe('clients', () => {
    it('creates a client with its chat, names and language, and finds it by chat and id', async () => {
      const client = await run((tx) => tx.upsertClient(profile(bigChat, { lastName: undefined, username: undefined }), 'uk', T));
      expect(client).toEqual({ id: 1, chatId: bigChat, userId: bigChat + 1, firstName: 'Anna', lastName: null, username: null, language: 'uk', languageChosen: false, createdAt: T });
      expect(await read((tx) => tx.findClientByChat(bigChat))).toEqual(client);
      expect(await read((tx) => tx.getClient(client.id))).toEqual(client);
      expect(await read((tx) => tx.findClientByChat(bigChat + 5))).toBeUndefined();
      expect(await read((tx) => tx.getClient(99))).toBeUndefined();
    });

    it('keeps a client as it is when nothing changed, and follows new names and a new Telegram language', async () => {
      const first = await run((tx) => tx.upsertClient(profile(7), 'en', T));
      expect(await run((tx) => tx.upsertClient(profile(7), 'en', T + 1))).toEqual(first);
      const renamed = await run((tx) => tx.upsertClient(profile(7, { firstName: 'Hanna', username: undefined }), 'en', T + 2));
      expect(renamed).toEqual({ ...first, firstName: 'Hanna', username: null });
      const switched = await run((tx) => tx.upsertClient(profile(7, { firstName: 'Hanna', username: undefined }), 'ru', T + 3));
      expect(switched).toEqual({ ...renamed, language: 'ru' });
    });

    it('keeps a language the client chose, while names still follow Telegram', async () => {
      const client = await run((tx) => tx.upsertClient(profile(7), 'en', T));
      await run((tx) => tx.setClientLanguage(client.id, 'uk'));
      expect(await read((tx) => tx.getClient(client.id))).toEqual({ ...client, language: 'uk', languageChosen: true });
      expect(await run((tx) => tx.upsertClient(profile(7), 'ru', T + 1))).toEqual({ ...client, language: 'uk', languageChosen: true });
      expect(await run((tx) => tx.upsertClient(profile(7, { lastName: 'K.' }), 'ru', T + 2))).toEqual({ ...client, lastName: 'K.', language: 'uk', languageChosen: true });
    });

    it("finds or adds a client with their newest open case in one step, as upsertClient then findOpenCase do", async () => {
      // A new client has no case.
      const fresh = await run((tx) => tx.upsertClientWithOpenCase(profile(bigChat), 'en', T));
      expect(fresh).toEqual({ client: await read((tx) => tx.findClientByChat(bigChat)), openCase: undefined });
      const first = await run((tx) => tx.createCase({ clientId: fresh.client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: T }));
      const second = await run((tx) => tx.createCase({ clientId: fresh.client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: first.id, openedAt: T + 1 }));
      const other = await run((tx) => clientWithCase(tx, 8));
      expect(await run((tx) => tx.upsertClientWithOpenCase(profile(bigChat), 'en', T + 2))).toEqual({ client: fresh.client, openCase: second });
      // New names and a new Telegram language are stored as upsertClient stores them, the case still found.
      const renamed = await run((tx) => tx.upsertClientWithOpenCase(profile(bigChat, { firstName: 'Hanna', username: undefined }), 'ru', T + 3));
      expect(renamed).toEqual({ client: { ...fresh.client, firstName: 'Hanna', username: null, language: 'ru' }, openCase: second });
      expect(await read((tx) => tx.findClientByChat(bigChat))).toEqual(renamed.client);
      await run((tx) => tx.setClientLanguage(fresh.client.id, 'uk'));
      const chosen = await run((tx) => tx.upsertClientWithOpenCase(profile(bigChat, { firstName: 'Olha', username: undefined }), 'en', T + 4));
      expect(chosen.client).toEqual({ ...renamed.client, firstName: 'Olha', language: 'uk', languageChosen: true });
      // The newest closed: the older open one; all closed: none, the client still found and kept up to date.
      await run((tx) => tx.updateCase(second.id, { status: 'closed', closedAt: T + 5 }));
      expect((await read((tx) => tx.upsertClientWithOpenCase(profile(bigChat, { firstName: 'Olha', username: undefined }), 'en', T + 5))).openCase).toEqual(first);
      await run((tx) => tx.updateCase(first.id, { status: 'closed', closedAt: T + 6 }));
      const none = await run((tx) => tx.upsertClientWithOpenCase(profile(bigChat, { firstName: 'Olga', username: undefined }), 'en', T + 6));
      expect(none).toEqual({ client: { ...chosen.client, firstName: 'Olga' }, openCase: undefined });
      expect(await read((tx) => tx.findClientByChat(bigChat))).toEqual(none.client);
      // Another client's open case is theirs only.
      expect((await read((tx) => tx.upsertClientWithOpenCase(profile(8), 'en', T))).openCase).toEqual(other.theCase);
    });

    it('makes one client of many concurrent first messages from one chat', async () => {
      const clients = await Promise.all(
        Array.from({ length: 10 }, (_, i) => run(async (tx) => (i % 2 === 0 ? tx.upsertClient(profile(bigChat), 'en', T) : (await tx.upsertClientWithOpenCase(profile(bigChat), 'en', T)).client))),
      );
      // Not necessarily id 1 on PostgreSQL: an insert that loses the race on the chat has taken a sequence value already.
      expect(new Set(clients.map((client) => client.id)).size).toBe(1);
      expect(await read((tx) => tx.findClientByChat(bigChat))).toEqual(clients[0]);
    });
  });

  describe('cases', () => {
    it('creates an open case and updates it', async () => {
      const { client, theCase } = await run((tx) => clientWithCase(tx));
      expect(theCase).toEqual({
        id: 1,
        clientId: client.id,
        status: 'open',
        assignee: null,
        thread: { platform: 'slack', conversation: 'C1', thread: null },
        previousCaseId: null,
        openedAt: T,
        closedAt: null,
        closeSummary: null,
        clientWaitingSince: null,
        firstReplyAt: null,
        waitAlertedAt: null,
      });
      const closed = await run((tx) => tx.updateCase(theCase.id, { status: 'closed', closedAt: T + 5, closeSummary: 'done', assignee: 'U1' }));
      expect(closed).toEqual({ ...theCase, status: 'closed', closedAt: T + 5, closeSummary: 'done', assignee: 'U1' });
      expect(await read((tx) => tx.getCase(theCase.id))).toEqual(closed);
      expect(await read((tx) => tx.getCase(99))).toBeUndefined();
      await expect(run((tx) => tx.updateCase(99, { assignee: 'U1' }))).rejects.toThrow('no case #99');
      // The case with its client, in one read: as getCase and getClient answer them.
      expect(await read((tx) => tx.getCaseWithClient(theCase.id))).toEqual({ theCase: closed, client });
      expect(await run((tx) => tx.getCaseWithClient(theCase.id))).toEqual({ theCase: closed, client });
      expect(await read((tx) => tx.getCaseWithClient(99))).toBeUndefined();
    });

    it("finds a client's latest open case, its open cases in order, and its latest case of any status", async () => {
      const { client, theCase: first } = await run((tx) => clientWithCase(tx));
      const second = await run((tx) => tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: first.id, openedAt: T + 1 }));
      const other = await run((tx) => clientWithCase(tx, 8));
      expect(second.previousCaseId).toBe(first.id);
      expect((await read((tx) => tx.findOpenCase(client.id)))?.id).toBe(second.id);
      expect((await read((tx) => tx.listOpenCases(client.id))).map((c) => c.id)).toEqual([first.id, second.id]);
      await run((tx) => tx.updateCase(second.id, { status: 'closed', closedAt: T + 2 }));
      expect((await read((tx) => tx.findOpenCase(client.id)))?.id).toBe(first.id);
      expect((await read((tx) => tx.listOpenCases(client.id))).map((c) => c.id)).toEqual([first.id]);
      expect((await read((tx) => tx.findLatestCase(client.id)))?.id).toBe(second.id);
      await run((tx) => tx.updateCase(first.id, { status: 'closed', closedAt: T + 3 }));
      expect(await read((tx) => tx.findOpenCase(client.id))).toBeUndefined();
      expect((await read((tx) => tx.findLatestCase(other.client.id)))?.id).toBe(other.theCase.id);
      expect(await read((tx) => tx.findLatestCase(99))).toBeUndefined();
    });

    it('finds a case by its Slack thread once the card is posted', async () => {
      const { theCase } = await run((tx) => clientWithCase(tx));
      expect(await read((tx) => tx.findCaseByThread({ platform: 'slack', conversation: 'C1', thread: '1700.01' }))).toBeUndefined();
      await run((tx) => tx.updateCase(theCase.id, { thread: { platform: 'slack', conversation: 'C1', thread: '1700.01' } }));
      expect((await read((tx) => tx.findCaseByThread({ platform: 'slack', conversation: 'C1', thread: '1700.01' })))?.id).toBe(theCase.id);
      expect(await read((tx) => tx.findCaseByThread({ platform: 'slack', conversation: 'C2', thread: '1700.01' }))).toBeUndefined();
      // The same conversation and thread ids on another staff platform are another thread.
      expect(await read((tx) => tx.findCaseByThread({ platform: 'forum', conversation: 'C1', thread: '1700.01' }))).toBeUndefined();
      const { theCase: onForum } = await run((tx) => clientWithCase(tx, 8002));
      await run((tx) => tx.updateCase(onForum.id, { thread: { platform: 'forum', conversation: 'C1', thread: '1700.01' } }));
      expect((await read((tx) => tx.findCaseByThread({ platform: 'forum', conversation: 'C1', thread: '1700.01' })))?.thread).toEqual({ platform: 'forum', conversation: 'C1', thread: '1700.01' });
      expect((await read((tx) => tx.findCaseByThread({ platform: 'slack', conversation: 'C1', thread: '1700.01' })))?.id).toBe(theCase.id);
    });

    it('refuses a second case on the same thread', async () => {
      const { client, theCase } = await run((tx) => clientWithCase(tx));
      await run((tx) => tx.updateCase(theCase.id, { thread: { platform: 'slack', conversation: 'C1', thread: '1700.01' } }));
      const second = await run((tx) => tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: T }));
      await expect(run((tx) => tx.updateCase(second.id, { thread: { platform: 'slack', conversation: 'C1', thread: '1700.01' } }))).rejects.toThrow();
    });
  });

  describe('history', () => {
    it('keeps events in order with their JSON data', async () => {
      const { theCase } = await run((tx) => clientWithCase(tx));
      const data = { messageIds: [1, 2], nested: { text: 'приві́т 👋', n: 1.5, ok: true, none: null } };
      const first = await run((tx) =>
        tx.appendEvent({ caseId: theCase.id, at: T + 1, kind: 'client-message', authorKind: 'client', authorId: String(bigChat), authorName: 'Anna', text: 'hi', data }),
      );
      expect(first).toEqual({ id: 1, caseId: theCase.id, at: T + 1, kind: 'client-message', authorKind: 'client', authorId: String(bigChat), authorName: 'Anna', text: 'hi', data });
      await run((tx) => tx.appendEvent({ caseId: theCase.id, at: T, kind: 'note', authorKind: 'agent', authorId: 'U1', authorName: null, text: null, data: null }));
      const events = await read((tx) => tx.listEvents(theCase.id));
      expect(events.map((event) => [event.id, event.kind, event.data])).toEqual([
        [1, 'client-message', data],
        [2, 'note', null],
      ]);
      expect(await read((tx) => tx.listEvents(99))).toEqual([]);
    });

    it("lists one kind of event across a client's cases, oldest first", async () => {
      const { client, theCase: first } = await run((tx) => clientWithCase(tx));
      const second = await run((tx) => tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: first.id, openedAt: T }));
      const other = await run((tx) => clientWithCase(tx, 8));
      const rate = (caseId: number, score: number) => run((tx) => tx.appendEvent({ caseId, at: T, kind: 'rated', authorKind: 'client', authorId: null, authorName: null, text: null, data: { score } }));
      await rate(second.id, 5);
      await run((tx) => tx.appendEvent({ caseId: first.id, at: T, kind: 'note', authorKind: 'agent', authorId: 'U1', authorName: null, text: 'x', data: null }));
      await rate(first.id, 3);
      await rate(other.theCase.id, 1);
      expect((await read((tx) => tx.listClientEvents(client.id, 'rated'))).map((event) => [event.caseId, event.data])).toEqual([
        [second.id, { score: 5 }],
        [first.id, { score: 3 }],
      ]);
    });
  });

  describe('asks', () => {
    it('creates an open ask and finds it by id, thread and case', async () => {
      const { theCase } = await run((tx) => clientWithCase(tx));
      const ask = await run((tx) => tx.createAsk(newAsk(theCase.id)));
      expect(ask).toEqual({
        ...newAsk(theCase.id),
        id: 1,
        status: 'open',
        version: 1,
        windowStartAt: T,
        confirmation: null,
        answeredAt: null,
        answeredBy: null,
        answeredByName: null,
        remindersSent: 0,
        overdueAt: null,
        escalatedAgainAt: null,
        closedReason: null,
      });
      const second = await run((tx) => tx.createAsk(newAsk(theCase.id, { departmentId: 'it' })));
      const posted = await run((tx) => tx.updateAsk(ask.id, { post: { ...ask.post, thread: '1700.5' }, confirmation: '1700.6' }));
      expect(posted).toEqual({ ...ask, post: { platform: 'slack', conversation: 'C-LEGAL', thread: '1700.5' }, confirmation: '1700.6' });
      expect(await read((tx) => tx.getAsk(ask.id))).toEqual(posted);
      expect(await read((tx) => tx.getAsk(99))).toBeUndefined();
      expect(await read((tx) => tx.findAskByThread({ platform: 'slack', conversation: 'C-LEGAL', thread: '1700.5' }))).toEqual(posted);
      expect(await read((tx) => tx.findAskByThread({ platform: 'slack', conversation: 'C-IT', thread: '1700.5' }))).toBeUndefined();
      expect(await read((tx) => tx.findAskByThread({ platform: 'forum', conversation: 'C-LEGAL', thread: '1700.5' }))).toBeUndefined();
      expect((await read((tx) => tx.listAsks(theCase.id))).map((a) => a.id)).toEqual([ask.id, second.id]);
      await run((tx) => tx.updateAsk(ask.id, { status: 'answered', answeredAt: T + 5, answeredBy: 'U9', answeredByName: 'Ivan' }));
      expect((await read((tx) => tx.listOpenAsks())).map((a) => a.id)).toEqual([second.id]);
      await expect(run((tx) => tx.updateAsk(99, { status: 'cancelled' }))).rejects.toThrow('no ask 99');
    });

    it('fires each reminder of a version once, and none once the ask moved on', async () => {
      const { theCase } = await run((tx) => clientWithCase(tx));
      const ask = await run((tx) => tx.createAsk(newAsk(theCase.id)));
      expect(await run((tx) => tx.claimReminder(ask.id, 1, 0))).toBe(true);
      expect(await run((tx) => tx.claimReminder(ask.id, 1, 0))).toBe(false);
      expect(await run((tx) => tx.claimReminder(ask.id, 1, 1))).toBe(true);
      expect((await read((tx) => tx.getAsk(ask.id)))?.remindersSent).toBe(2);
      await run((tx) => tx.updateAsk(ask.id, { version: 2, remindersSent: 0, deadlineAt: T + 7_200_000 }));
      expect(await run((tx) => tx.claimReminder(ask.id, 1, 2))).toBe(false);
      expect(await run((tx) => tx.claimReminder(ask.id, 2, 0))).toBe(true);
      expect(await run((tx) => tx.claimOverdue(ask.id, 2, T + 10))).toBe(true);
      expect(await run((tx) => tx.claimReminder(ask.id, 2, 1))).toBe(false);
      const other = await run((tx) => tx.createAsk(newAsk(theCase.id)));
      await run((tx) => tx.updateAsk(other.id, { status: 'declined' }));
      expect(await run((tx) => tx.claimReminder(other.id, 1, 0))).toBe(false);
    });

    it('fires the overdue notice and the second escalation of a version once each', async () => {
      const { theCase } = await run((tx) => clientWithCase(tx));
      const ask = await run((tx) => tx.createAsk(newAsk(theCase.id)));
      expect(await run((tx) => tx.claimOverdue(ask.id, 2, T + 10))).toBe(false);
      expect(await run((tx) => tx.claimOverdue(ask.id, 1, T + 10))).toBe(true);
      expect(await run((tx) => tx.claimOverdue(ask.id, 1, T + 11))).toBe(false);
      expect(await run((tx) => tx.claimEscalatedAgain(ask.id, 2, T + 20))).toBe(false);
      expect(await run((tx) => tx.claimEscalatedAgain(ask.id, 1, T + 20))).toBe(true);
      expect(await run((tx) => tx.claimEscalatedAgain(ask.id, 1, T + 21))).toBe(false);
      expect(await read((tx) => tx.getAsk(ask.id))).toMatchObject({ overdueAt: T + 10, escalatedAgainAt: T + 20 });
      const answered = await run((tx) => tx.createAsk(newAsk(theCase.id)));
      await run((tx) => tx.updateAsk(answered.id, { status: 'answered', answeredAt: T }));
      expect(await run((tx) => tx.claimOverdue(answered.id, 1, T))).toBe(false);
      expect(await run((tx) => tx.claimEscalatedAgain(answered.id, 1, T))).toBe(false);
    });

    it('alerts once about a client waiting for a first reply, and not once it no longer applies', async () => {
      const { client, theCase } = await run((tx) => clientWithCase(tx));
      expect(await read((tx) => tx.listCasesAwaitingFirstReply())).toEqual([]);
      await run((tx) => tx.updateCase(theCase.id, { clientWaitingSince: T + 1 }));
      const replied = await run((tx) => tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: T }));
      await run((tx) => tx.updateCase(replied.id, { clientWaitingSince: T + 1, firstReplyAt: T + 2 }));
      const closed = await run((tx) => tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: T }));
      await run((tx) => tx.updateCase(closed.id, { clientWaitingSince: T + 1, status: 'closed' }));
      expect((await read((tx) => tx.listCasesAwaitingFirstReply())).map((c) => c.id)).toEqual([theCase.id]);
      expect(await run((tx) => tx.claimWaitAlert(theCase.id, T, T + 10))).toBe(false);
      expect(await run((tx) => tx.claimWaitAlert(replied.id, T + 1, T + 10))).toBe(false);
      expect(await run((tx) => tx.claimWaitAlert(closed.id, T + 1, T + 10))).toBe(false);
      expect(await run((tx) => tx.claimWaitAlert(theCase.id, T + 1, T + 10))).toBe(true);
      expect(await run((tx) => tx.claimWaitAlert(theCase.id, T + 1, T + 11))).toBe(false);
      expect((await read((tx) => tx.getCase(theCase.id)))?.waitAlertedAt).toBe(T + 10);
      expect(await read((tx) => tx.listCasesAwaitingFirstReply())).toEqual([]);
    });
  });

  describe('outbox', () => {
    it('hands out the oldest pending rows of a stream in order, up to the limit, with their message', async () => {
      const card: Outgoing = { to: 'case-card', caseId: 3, op: 'post' };
      const ids = await run((tx) => tx.enqueue([note(bigChat, 'one'), card, note(bigChat, 'two')], T));
      expect(ids).toEqual([1, 2, 3]);
      expect(await run((tx) => tx.enqueue([note(bigChat, 'three')], T + 3))).toEqual([4]);
      expect(await run((tx) => tx.enqueue([], T + 4))).toEqual([]);
      const pending = await read((tx) => tx.pending(`chat-${bigChat}`, 2));
      expect(pending).toEqual([
        { id: 1, stream: `chat-${bigChat}`, message: note(bigChat, 'one'), attempts: 0, caseId: null, createdAt: T },
        { id: 3, stream: `chat-${bigChat}`, message: note(bigChat, 'two'), attempts: 0, caseId: null, createdAt: T },
      ]);
      expect((await read((tx) => tx.pending(`chat-${bigChat}`, 10))).map((row) => row.id)).toEqual([1, 3, 4]);
      expect(await read((tx) => tx.pending('case-3', 10))).toEqual([{ id: 2, stream: 'case-3', message: card, attempts: 0, caseId: 3, createdAt: T }]);
      expect(await read((tx) => tx.pending('chat-1', 10))).toEqual([]);
      expect(await read((tx) => tx.pendingStreams())).toEqual(expect.arrayContaining([{ stream: 'case-3', firstId: 2 }, { stream: `chat-${bigChat}`, firstId: 1 }]));
      expect(await read((tx) => tx.pendingStreams())).toHaveLength(2);
    });

    it("gives a unit's messages ids in message order, each row keeping its own message exactly", async () => {
      const texts = ['a "quoted" one', 'back\\slash, comma', '{braces}', 'NULL', '', 'приві́т 👋', "it's"];
      const messages: Outgoing[] = texts.flatMap((text, i) => [note(7 + (i % 3), text), { to: 'case-card', caseId: 10 + (i % 2), op: 'update' } as const]);
      const ids = await run((tx) => tx.enqueue(messages, T));
      expect(ids).toEqual(messages.map((_, i) => i + 1));
      const streams = ['chat-7', 'chat-8', 'chat-9', 'card-10', 'card-11'];
      const rows = (await read((tx) => Promise.all(streams.map((stream) => tx.pending(stream, 100))))).flat();
      expect(rows.sort((a, b) => a.id - b.id).map((row) => row.message)).toEqual(messages);
    });

    it('settles rows: sent and failed ones leave, a recorded attempt keeps the row pending', async () => {
      await run(async (tx) => {
        await tx.enqueue(
          ['a', 'b', 'c', 'd', 'e'].map((text) => note(7, text)),
          T,
        );
      });
      await run((tx) => tx.markSent([1], T + 1));
      await run((tx) => tx.markSent([2, 3], T + 2));
      await run((tx) => tx.recordAttempt([4], 'timeout'));
      await run((tx) => tx.recordAttempt([4, 5], 'timeout again'));
      await run(async (tx) => {
        await tx.markSent([], T);
        await tx.markFailed([], 'nothing');
        await tx.recordAttempt([], 'nothing');
      });
      expect((await read((tx) => tx.pending('chat-7', 10))).map((row) => [textOf(row.message), row.attempts])).toEqual([
        ['d', 2],
        ['e', 1],
      ]);
      await run((tx) => tx.markFailed([4], 'chat not found'));
      expect((await read((tx) => tx.pending('chat-7', 10))).map((row) => row.id)).toEqual([5]);
      expect(await read((tx) => tx.pendingStreams())).toEqual([{ stream: 'chat-7', firstId: 5 }]);
      await backend.storage.markSent([5], T + 3);
      expect(await read((tx) => tx.pendingStreams())).toEqual([]);
    });

    it('counts the backlog and the creation time of its oldest row', async () => {
      expect(await backend.backlog.backlog()).toEqual({ pending: 0, oldestCreatedAt: null });
      await run(async (tx) => {
        await tx.enqueue([note(7, 'a')], T + 5);
      });
      await run(async (tx) => {
        await tx.enqueue([note(8, 'b'), note(7, 'c')], T + 6);
      });
      expect(await backend.backlog.backlog()).toEqual({ pending: 3, oldestCreatedAt: T + 5 });
      await run((tx) => tx.markSent([1], T + 8));
      expect(await backend.backlog.backlog()).toEqual({ pending: 2, oldestCreatedAt: T + 6 });
    });
  });

  describe('units of work', () => {
    it('keeps nothing of a unit that throws: no client, case, event, outbox row or inbound key', async () => {
      await expect(
        run(async (tx) => {
          await tx.markInbound('tg:1', T);
          const { theCase } = await clientWithCase(tx);
          await tx.appendEvent({ caseId: theCase.id, at: T, kind: 'case-opened', authorKind: 'system', authorId: null, authorName: null, text: null, data: null });
          await tx.enqueue([note(bigChat, 'never')], T);
          await tx.updateCase(99, { assignee: 'U1' });
        }),
      ).rejects.toThrow('no case #99');
      expect(await read((tx) => tx.findClientByChat(bigChat))).toBeUndefined();
      expect(await read((tx) => tx.pending(`chat-${bigChat}`, 10))).toEqual([]);
      expect(await read((tx) => tx.pendingStreams())).toEqual([]);
      expect(await backend.backlog.backlog()).toEqual({ pending: 0, oldestCreatedAt: null });
      expect(await backend.reports.openCases()).toBe(0);
      expect(await run((tx) => tx.markInbound('tg:1', T))).toBe(true);
    });

    it('resolves with the work result once the writes are there for every reader', async () => {
      const result = await run(async (tx) => {
        const { theCase } = await clientWithCase(tx);
        await tx.enqueue([note(bigChat, 'hello')], T);
        return theCase.id;
      });
      expect(result).toBe(1);
      expect((await read((tx) => tx.getCase(result)))?.openedAt).toBe(T);
      expect((await backend.storage.pending(`chat-${bigChat}`, 10)).map((row) => textOf(row.message))).toEqual(['hello']);
    });

    it('hides the outbox rows of a unit from delivery until the unit has committed', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let enqueued!: () => void;
      const didEnqueue = new Promise<void>((resolve) => (enqueued = resolve));
      const unit = run(async (tx) => {
        await tx.enqueue([note(7, 'later')], T);
        enqueued();
        await gate;
      });
      await didEnqueue;
      expect(await backend.storage.pending('chat-7', 10)).toEqual([]);
      release();
      await unit;
      expect((await backend.storage.pending('chat-7', 10)).map((row) => textOf(row.message))).toEqual(['later']);
    });

    it('runs 50 concurrent units that each add an event and claim the same reminder: 50 events, one claim', async () => {
      const { theCase } = await run((tx) => clientWithCase(tx));
      const ask = await run((tx) => tx.createAsk(newAsk(theCase.id)));
      const claims = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          run(async (tx) => {
            await tx.appendEvent({ caseId: theCase.id, at: T + i, kind: 'ask-reminder', authorKind: 'system', authorId: null, authorName: null, text: null, data: { i } });
            return tx.claimReminder(ask.id, 1, 0);
          }),
        ),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      const events = await read((tx) => tx.listEvents(theCase.id));
      expect(events).toHaveLength(50);
      expect(new Set(events.map((event) => (event.data as { i: number }).i)).size).toBe(50);
      expect(events.map((event) => event.id)).toEqual([...events.map((event) => event.id)].sort((a, b) => a - b));
      expect((await read((tx) => tx.getAsk(ask.id)))?.remindersSent).toBe(1);
    });
  });

  describe('concurrent units on one client, case or ask take turns', () => {
    /** What a client's first message does: the client, then its open case, or a new one (true: this unit opened it). */
    const firstMessage = (met: ReturnType<typeof meeting>, at: number, inOneStep = false) =>
      run(async (tx) => {
        const { client, openCase: open } = inOneStep
          ? await tx.upsertClientWithOpenCase(profile(bigChat), 'en', at)
          : await tx.upsertClient(profile(bigChat), 'en', at).then(async (client) => ({ client, openCase: await tx.findOpenCase(client.id) }));
        await met.arrive();
        if (open !== undefined) return false;
        const theCase = await tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: at });
        await tx.appendEvent({ caseId: theCase.id, at, kind: 'case-opened', authorKind: 'system', authorId: null, authorName: null, text: null, data: null });
        return true;
      });

    const openCasesAndOpenings = async () => {
      const client = await read((tx) => tx.findClientByChat(bigChat));
      const cases = client === undefined ? [] : await read((tx) => tx.listOpenCases(client.id));
      const openings = client === undefined ? [] : await read((tx) => tx.listClientEvents(client.id, 'case-opened'));
      return { cases: cases.length, openings: openings.length };
    };

    it.each([false, true])('open one case for two first messages of a new client at the same instant (client and case read in one step: %s)', async (inOneStep) => {
      const met = meeting(2);
      const opened = await Promise.all([firstMessage(met, T, inOneStep), firstMessage(met, T, inOneStep)]);
      expect(opened.filter(Boolean)).toHaveLength(1);
      expect(await openCasesAndOpenings()).toEqual({ cases: 1, openings: 1 });
    });

    it.each([false, true])('open one case for two messages at once of a known client with no open case (client and case read in one step: %s)', async (inOneStep) => {
      const { theCase } = await run((tx) => clientWithCase(tx));
      await run((tx) => tx.updateCase(theCase.id, { status: 'closed', closedAt: T + 1 }));
      const met = meeting(2);
      const opened = await Promise.all([firstMessage(met, T + 2, inOneStep), firstMessage(met, T + 2, inOneStep)]);
      expect(opened.filter(Boolean)).toHaveLength(1);
      expect(await openCasesAndOpenings()).toEqual({ cases: 1, openings: 1 });
    });

    const caseReads: [string, (tx: Storage, theCase: { id: number; clientId: number }) => Promise<{ id: number; status: string } | undefined>][] = [
      ['getCase', (tx, c) => tx.getCase(c.id)],
      ['getCaseWithClient', async (tx, c) => (await tx.getCaseWithClient(c.id))?.theCase],
      ['findCaseByThread', (tx) => tx.findCaseByThread({ platform: 'slack', conversation: 'C1', thread: '1700.01' })],
      ['findOpenCase', (tx, c) => tx.findOpenCase(c.clientId)],
      ['upsertClientWithOpenCase', async (tx) => (await tx.upsertClientWithOpenCase(profile(bigChat), 'en', T)).openCase],
      ['listOpenCases', async (tx, c) => (await tx.listOpenCases(c.clientId)).find((open) => open.id === c.id)],
      ['findLatestCase', (tx, c) => tx.findLatestCase(c.clientId)],
    ];

    it.each(caseReads)('close an open case once when two units close it at once (case read by %s)', async (_, readCase) => {
      const { theCase } = await run((tx) => clientWithCase(tx));
      await run((tx) => tx.updateCase(theCase.id, { thread: { platform: 'slack', conversation: 'C1', thread: '1700.01' } }));
      const met = meeting(2);
      const close = (by: string) =>
        run(async (tx) => {
          const found = await readCase(tx, theCase);
          await met.arrive();
          if (found?.status !== 'open') return false;
          await tx.updateCase(found.id, { status: 'closed', closedAt: T + 1 });
          await tx.appendEvent({ caseId: found.id, at: T + 1, kind: 'closed', authorKind: 'agent', authorId: by, authorName: null, text: null, data: null });
          return true;
        });
      const closed = await Promise.all([close('U1'), close('U2')]);
      expect(closed.filter(Boolean)).toHaveLength(1);
      expect((await read((tx) => tx.listEvents(theCase.id))).filter((event) => event.kind === 'closed')).toHaveLength(1);
    });

    const askReads: [string, (tx: Storage, ask: { id: number; caseId: number }) => Promise<{ id: number; status: string } | undefined>][] = [
      ['getAsk', (tx, a) => tx.getAsk(a.id)],
      ['findAskByThread', (tx) => tx.findAskByThread({ platform: 'slack', conversation: 'C-LEGAL', thread: '1700.5' })],
      ['listAsks', async (tx, a) => (await tx.listAsks(a.caseId)).find((ask) => ask.id === a.id)],
    ];

    it.each(askReads)('answer an open ask once when two first answers come at once (ask read by %s)', async (_, readAsk) => {
      const { theCase } = await run((tx) => clientWithCase(tx));
      const ask = await run((tx) => tx.createAsk(newAsk(theCase.id)));
      await run((tx) => tx.updateAsk(ask.id, { post: { ...ask.post, thread: '1700.5' } }));
      const met = meeting(2);
      const answer = (by: string) =>
        run(async (tx) => {
          const found = await readAsk(tx, ask);
          await met.arrive();
          if (found?.status !== 'open') return false;
          await tx.updateAsk(found.id, { status: 'answered', answeredAt: T + 1, answeredBy: by });
          await tx.appendEvent({ caseId: theCase.id, at: T + 1, kind: 'ask-answered', authorKind: 'department', authorId: by, authorName: null, text: null, data: { askId: found.id } });
          return true;
        });
      const answered = await Promise.all([answer('U1'), answer('U2')]);
      expect(answered.filter(Boolean)).toHaveLength(1);
      expect((await read((tx) => tx.listEvents(theCase.id))).filter((event) => event.kind === 'ask-answered')).toHaveLength(1);
    });

    const clientReads: [string, (tx: Storage, client: { id: number; chatId: number }) => Promise<{ id: number; languageChosen: boolean } | undefined>][] = [
      ['getClient', (tx, c) => tx.getClient(c.id)],
      ['findClientByChat', (tx, c) => tx.findClientByChat(c.chatId)],
      ['upsertClient', (tx) => tx.upsertClient(profile(bigChat), 'en', T)],
      ['upsertClientWithOpenCase', async (tx) => (await tx.upsertClientWithOpenCase(profile(bigChat), 'en', T)).client],
    ];

    it.each(clientReads)("decide on a client once when two units decide at once (client read by %s)", async (_, readClient) => {
      const client = await run((tx) => tx.upsertClient(profile(bigChat), 'en', T));
      const met = meeting(2);
      const choose = (language: 'uk' | 'ru') =>
        run(async (tx) => {
          const found = await readClient(tx, client);
          await met.arrive();
          if (found === undefined || found.languageChosen) return false;
          await tx.setClientLanguage(found.id, language);
          return true;
        });
      const chosen = await Promise.all([choose('uk'), choose('ru')]);
      expect(chosen.filter(Boolean)).toHaveLength(1);
    });

    it.each([
      ['findOpenCase', (tx: Storage, clientId: number) => tx.findOpenCase(clientId)],
      ['upsertClientWithOpenCase', async (tx: Storage) => (await tx.upsertClientWithOpenCase(profile(bigChat), 'en', T)).openCase],
    ] as const)("finds a client's older open case when a unit closing the newest commits during the read (%s)", async (_, findOpen) => {
      const { client, theCase: older } = await run((tx) => clientWithCase(tx));
      const newest = await run((tx) => tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: T + 1 }));
      let closedIt!: () => void;
      const didClose = new Promise<void>((resolve) => (closedIt = resolve));
      const closing = run(async (tx) => {
        await tx.getCase(newest.id);
        await tx.updateCase(newest.id, { status: 'closed', closedAt: T + 2 });
        closedIt();
        await sleep(200);
      });
      await didClose;
      const found = await run((tx) => findOpen(tx, client.id));
      await closing;
      expect(found?.id).toBe(older.id);
    });

    it('lets units on different cases run side by side', async () => {
      const { theCase: a } = await run((tx) => clientWithCase(tx, 1));
      const { theCase: b } = await run((tx) => clientWithCase(tx, 2));
      const met = meeting(2, 1_500);
      const started = Date.now();
      await Promise.all(
        [a, b].map((theCase) =>
          run(async (tx) => {
            await tx.getCase(theCase.id);
            await met.arrive();
          }),
        ),
      );
      // SQLite's units take turns on its one connection: there the first goes on after the meeting's timeout.
      if (backendUnderTest.name === 'PostgreSQL') expect(Date.now() - started).toBeLessThan(1_000);
    });
  });

  it('stores epoch-ms times and chat ids beyond 32 bits exactly', async () => {
    const far = 4_102_444_800_000; // 2100-01-01
    const hugeChat = 2 ** 52 + 1;
    const client = await run((tx) => tx.upsertClient(profile(hugeChat), 'en', far));
    const theCase = await run((tx) => tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: far }));
    await run((tx) => tx.updateCase(theCase.id, { clientWaitingSince: far + 1, firstReplyAt: far + 2, closedAt: far + 3, waitAlertedAt: far + 4 }));
    const ask = await run((tx) => tx.createAsk(newAsk(theCase.id, { askedAt: far, deadlineAt: far + 5 })));
    await run((tx) => tx.claimOverdue(ask.id, 1, far + 6));
    await run((tx) => tx.appendEvent({ caseId: theCase.id, at: far + 7, kind: 'note', authorKind: 'agent', authorId: 'U1', authorName: null, text: null, data: { at: far } }));
    await run((tx) => tx.enqueue([note(hugeChat, 'x')], far + 8));
    expect(await read((tx) => tx.findClientByChat(hugeChat))).toMatchObject({ chatId: hugeChat, userId: hugeChat + 1 });
    expect(await read((tx) => tx.getCase(theCase.id))).toMatchObject({ openedAt: far, clientWaitingSince: far + 1, firstReplyAt: far + 2, closedAt: far + 3, waitAlertedAt: far + 4 });
    expect(await read((tx) => tx.getAsk(ask.id))).toMatchObject({ askedAt: far, deadlineAt: far + 5, windowStartAt: far, overdueAt: far + 6 });
    expect(await read((tx) => tx.listEvents(theCase.id))).toMatchObject([{ at: far + 7, data: { at: far } }]);
    expect(await read((tx) => tx.pending(`chat-${hugeChat}`, 1))).toMatchObject([{ createdAt: far + 8, message: note(hugeChat, 'x') }]);
    expect(await backend.backlog.backlog()).toEqual({ pending: 1, oldestCreatedAt: far + 8 });
  });

  it('answers a health check', async () => {
    await expect(backend.ping()).resolves.toBeUndefined();
  });

  it('stores Slack names, the latest replacing the earlier', async () => {
    expect(await backend.names.storedName('U1')).toBeUndefined();
    await backend.names.saveName('U1', 'Olha', T);
    await backend.names.saveName('U2', 'Ivan', T + 1);
    await backend.names.saveName('U1', 'Olha K.', T + 2);
    expect(await backend.names.storedName('U1')).toEqual({ name: 'Olha K.', fetchedAt: T + 2 });
    expect(await backend.names.storedName('U2')).toEqual({ name: 'Ivan', fetchedAt: T + 1 });
  });

  describe('reports and metrics', () => {
    /**
     * Two clients: Anna's case 1 (assigned to U1, replied to by U2 then U3, closed by U1,
     * reopened, closed by U4, rated 4), Boris's case 2 (open, assigned to U1, waiting); asks:
     * 1 legal on case 1 answered in time, 2 legal on case 2 overdue at T + 100, 3 it on case 2.
     */
    async function seed() {
      return run(async (tx) => {
        const event = (caseId: number, at: number, kind: Parameters<Storage['appendEvent']>[0]['kind'], authorId: string | null, data: Record<string, unknown> | null = null) =>
          tx.appendEvent({ caseId, at, kind, authorKind: authorId === null ? 'system' : 'agent', authorId, authorName: null, text: null, data });
        const { theCase: one } = await clientWithCase(tx, bigChat, T);
        const boris = await tx.upsertClient(profile(8, { firstName: 'Boris', lastName: undefined, username: 'bo' }), 'ru', T);
        const two = await tx.createCase({ clientId: boris.id, thread: { platform: 'slack', conversation: 'C1', thread: null }, previousCaseId: null, openedAt: T + 50 });
        await tx.updateCase(one.id, { assignee: 'U1', firstReplyAt: T + 10, status: 'closed', closedAt: T + 200, thread: { platform: 'slack', conversation: 'C1', thread: '1.1' } });
        await tx.updateCase(two.id, { assignee: 'U1', clientWaitingSince: T + 60, thread: { platform: 'slack', conversation: 'C1', thread: '2.2' } });
        const answered = await tx.createAsk(newAsk(one.id, { askedAt: T + 5, deadlineAt: T + 30 }));
        await tx.updateAsk(answered.id, { status: 'answered', answeredAt: T + 25, answeredBy: 'U7' });
        const overdue = await tx.createAsk(newAsk(two.id, { askedAt: T + 55, deadlineAt: T + 70, question: 'Late?' }));
        const later = await tx.createAsk(newAsk(two.id, { departmentId: 'it', askedBy: 'U2', askedAt: T + 56, deadlineAt: T + 1000 }));
        await event(one.id, T, 'case-opened', null);
        await event(one.id, T + 1, 'client-message', null);
        await event(one.id, T + 5, 'ask-opened', 'U1', { askId: answered.id, departmentId: 'legal' });
        await event(one.id, T + 10, 'agent-reply', 'U2');
        await event(one.id, T + 20, 'agent-reply', 'U3');
        await event(one.id, T + 25, 'ask-answered', 'U7', { askId: answered.id, departmentId: 'legal' });
        await event(one.id, T + 100, 'closed', 'U1');
        await event(two.id, T + 50, 'case-opened', null);
        await event(two.id, T + 51, 'client-message', null);
        await event(two.id, T + 55, 'ask-opened', 'U1', { askId: overdue.id, departmentId: 'legal' });
        await event(two.id, T + 56, 'ask-opened', 'U2', { askId: later.id, departmentId: 'it' });
        await event(one.id, T + 150, 'reopened', 'U1');
        await event(one.id, T + 200, 'closed', 'U4');
        await event(one.id, T + 210, 'rated', null, { score: 4 });
        await event(two.id, T + 211, 'rated', null, { score: 'not a number' });
        await event(two.id, T + 212, 'ask-overdue', null, { askId: 'not an id', departmentId: 'legal' });
        await event(two.id, T + 2000, 'client-message', null);
        return { one, two, answered, overdue, later };
      });
    }

    it('gives the stats of a period', async () => {
      const { one, two, answered, overdue, later } = await seed();
      const snapshot = await backend.reports.statsSnapshot({ from: T, to: T + 1000, label: 'test' });
      const byId = <R extends { id: number }>(rows: readonly R[]) => [...rows].sort((a, b) => a.id - b.id);
      expect(byId(snapshot.cases)).toEqual([
        { id: one.id, openedAt: T, closedAt: T + 200, assignee: 'U1', firstReplyAt: T + 10, closedBy: 'U4', firstReplyBy: 'U2' },
        { id: two.id, openedAt: T + 50, closedAt: null, assignee: 'U1', firstReplyAt: null, closedBy: null, firstReplyBy: null },
      ]);
      const ask = (a: typeof answered) => ({ id: a.id, caseId: a.caseId, departmentId: a.departmentId, askedBy: a.askedBy, askedAt: a.askedAt, deadlineAt: a.deadlineAt, overdueAt: null });
      expect(byId(snapshot.asks)).toEqual([
        { ...ask(answered), answeredAt: T + 25, status: 'answered' },
        { ...ask(overdue), answeredAt: null, status: 'open' },
        { ...ask(later), answeredAt: null, status: 'open' },
      ]);
      expect(snapshot.ratings).toEqual([{ caseId: one.id, at: T + 210, score: 4 }]);
      expect([...snapshot.clientMessageTimes].sort()).toEqual([T + 1, T + 51]);
      const after = await backend.reports.statsSnapshot({ from: T + 1500, to: T + 3000, label: 'later' });
      expect(after.cases.map((c) => c.id)).toEqual([two.id]);
      expect(byId(after.asks).map((a) => a.id)).toEqual([overdue.id, later.id]);
      expect(after.clientMessageTimes).toEqual([T + 2000]);
    });

    it('lists what the App Home shows', async () => {
      const { two, overdue } = await seed();
      expect(await backend.reports.openCasesAssignedTo('U1')).toEqual([
        { id: two.id, clientName: 'Boris (@bo)', openedAt: T + 50, clientWaitingSince: T + 60, assignee: 'U1', thread: { platform: 'slack', conversation: 'C1', thread: '2.2' }},
      ]);
      expect(await backend.reports.openCasesAssignedTo('U2')).toEqual([]);
      expect(await backend.reports.overdueAsks(T + 100)).toEqual([
        { id: overdue.id, caseId: two.id, departmentId: 'legal', question: 'Late?', askedBy: 'U1', deadlineAt: T + 70, caseThread: { platform: 'slack', conversation: 'C1', thread: '2.2' } },
      ]);
      expect((await backend.reports.overdueAsks(T + 1000)).map((a) => a.id)).toEqual([overdue.id, overdue.id + 1]);
    });

    it('feeds /metrics: the entries that move a metric in id order, open cases and open asks per department', async () => {
      const { answered } = await seed();
      const events = await backend.reports.eventsAfter(0, 100);
      expect(events.map(({ id: _id, ...event }) => event)).toEqual([
        { kind: 'case-opened', at: T, departmentId: null, askedAt: null },
        { kind: 'ask-opened', at: T + 5, departmentId: 'legal', askedAt: T + 5 },
        { kind: 'ask-answered', at: T + 25, departmentId: 'legal', askedAt: answered.askedAt },
        { kind: 'closed', at: T + 100, departmentId: null, askedAt: null },
        { kind: 'case-opened', at: T + 50, departmentId: null, askedAt: null },
        { kind: 'ask-opened', at: T + 55, departmentId: 'legal', askedAt: T + 55 },
        { kind: 'ask-opened', at: T + 56, departmentId: 'it', askedAt: T + 56 },
        { kind: 'closed', at: T + 200, departmentId: null, askedAt: null },
        { kind: 'ask-overdue', at: T + 212, departmentId: 'legal', askedAt: null },
      ]);
      expect(events.map((event) => event.id)).toEqual([1, 3, 6, 7, 8, 10, 11, 13, 16]);
      expect((await backend.reports.eventsAfter(6, 2)).map((event) => event.id)).toEqual([7, 8]);
      expect(await backend.reports.eventsAfter(16, 10)).toEqual([]);
      expect(await backend.reports.openCases()).toBe(1);
      const byDepartment = await backend.reports.openAsksByDepartment(T + 100);
      expect([...byDepartment].sort((a, b) => a.departmentId.localeCompare(b.departmentId))).toEqual([
        { departmentId: 'it', open: 1, overdue: 0 },
        { departmentId: 'legal', open: 1, overdue: 1 },
      ]);
    });
  });
});

describe('PostgreSQL storage', () => {
  const databases: string[] = [];
  const backends: StorageBackend[] = [];
  const freshDatabase = async () => {
    const name = freshDatabaseName();
    await admin(`create database ${name}`);
    databases.push(name);
    return databaseUrl(name);
  };
  afterAll(async () => {
    for (const backend of backends.splice(0)) await backend.close();
    for (const name of databases.splice(0)) await dropDatabase(name);
  });

  it('lets replicas starting together on a fresh database migrate it once, and both work', async () => {
    const url = await freshDatabase();
    const opened = await Promise.all([openPostgresStorage(url, { poolSize: 2 }), openPostgresStorage(url, { poolSize: 2 })]);
    backends.push(...opened);
    const [first, second] = opened as [StorageBackend, StorageBackend];
    expect(await first.uow.run((tx) => tx.markInbound('tg:1', T))).toBe(true);
    expect(await second.uow.run((tx) => tx.markInbound('tg:1', T))).toBe(false);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const applied = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      // Each migration once, though two replicas ran them at the same moment.
      const journal = JSON.parse(readFileSync('db/postgres/migrations/meta/_journal.json', 'utf8')) as { entries: unknown[] };
      expect(applied.rows[0]).toEqual({ n: journal.entries.length });
    } finally {
      await client.end();
    }
    const again = await openPostgresStorage(url);
    backends.push(again);
    expect(await again.uow.read((tx) => tx.markInbound('tg:1', T))).toBe(false);
  });

  it('resolves a unit once it is committed: another session sees its rows at once, and none of a unit that threw', async () => {
    const url = await freshDatabase();
    const backend = await openPostgresStorage(url, { poolSize: 2 });
    backends.push(backend);
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      const outboxRows = async () => (await other.query('select count(*)::int as n from outbox')).rows[0] as { n: number };
      await backend.uow.run((tx) => tx.enqueue([note(7, 'kept')], T));
      expect(await outboxRows()).toEqual({ n: 1 });
      await expect(
        backend.uow.run(async (tx) => {
          await tx.enqueue([note(7, 'undone')], T);
          throw new Error('rule broken');
        }),
      ).rejects.toThrow('rule broken');
      expect(await outboxRows()).toEqual({ n: 1 });
    } finally {
      await other.end();
    }
  });

  it('runs a unit again when PostgreSQL aborts it in a deadlock', async () => {
    const backend = await openPostgresStorage(await freshDatabase(), { poolSize: 4 });
    backends.push(backend);
    const { theCase: a } = await backend.uow.run((tx) => clientWithCase(tx, 1));
    const { theCase: b } = await backend.uow.run((tx) => clientWithCase(tx, 2));
    // Both units hold the row the other wants next: PostgreSQL aborts one (after deadlock_timeout, 1 s by default).
    let arrived = 0;
    let bothHoldOne!: () => void;
    const barrier = new Promise<void>((resolve) => (bothHoldOne = resolve));
    let attempts = 0;
    const crossing = (first: number, then: number, assignee: string) =>
      backend.uow.run(async (tx) => {
        const attempt = ++attempts;
        await tx.updateCase(first, { assignee });
        if (attempt <= 2 && ++arrived === 2) bothHoldOne();
        if (attempt <= 2) await barrier;
        await tx.updateCase(then, { assignee });
        return attempt;
      });
    const results = await Promise.all([crossing(a.id, b.id, 'U1'), crossing(b.id, a.id, 'U2')]);
    // One unit was aborted and ran again (a retry may deadlock once more before it gets through).
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(results.some((attempt) => attempt >= 3)).toBe(true);
    // Each attempt ran in a transaction of its own (the aborted one left nothing behind): each unit wrote both cases whole: both carry the assignee of the one that committed last.
    const [first, second] = [(await backend.storage.getCase(a.id))?.assignee, (await backend.storage.getCase(b.id))?.assignee];
    expect(first).toBe(second);
    expect(['U1', 'U2']).toContain(first);
  });

  it("gives a unit writing a stream its ids after another still writing it commits: delivery never sees a later id first", async () => {
    const backend = await openPostgresStorage(await freshDatabase(), { poolSize: 4 });
    backends.push(backend);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let enqueued!: () => void;
    const didEnqueue = new Promise<void>((resolve) => (enqueued = resolve));
    const first = backend.uow.run(async (tx) => {
      const ids = await tx.enqueue([note(7, 'a1'), note(8, 'elsewhere'), note(7, 'a2')], T);
      enqueued();
      await gate;
      return ids;
    });
    await didEnqueue;
    const second = backend.uow.run((tx) => tx.enqueue([note(7, 'b1')], T));
    // A unit on other streams is not held back.
    expect(await backend.uow.run((tx) => tx.enqueue([note(9, 'other')], T))).toHaveLength(1);
    expect(await settlesWithin(second, 300)).toBe(false);
    expect(await backend.storage.pending('chat-7', 10)).toEqual([]);
    release();
    const [firstIds, secondIds] = await Promise.all([first, second]);
    expect(Math.max(...firstIds)).toBeLessThan(Math.min(...secondIds));
    const pending = await backend.storage.pending('chat-7', 10);
    expect(pending.map((row) => textOf(row.message))).toEqual(['a1', 'a2', 'b1']);
    expect(pending.map((row) => row.id)).toEqual([firstIds[0], firstIds[2], secondIds[0]]);
  });

  it('lets units writing the same streams in opposite orders through without a deadlock', async () => {
    const backend = await openPostgresStorage(await freshDatabase(), { poolSize: 8 });
    backends.push(backend);
    let attempts = 0;
    const unit = (chats: number[]) =>
      backend.uow.run(async (tx) => {
        attempts += 1;
        return tx.enqueue(
          chats.map((chat) => note(chat, 'x')),
          T,
        );
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => unit(i % 2 === 0 ? [1, 2, 3, 4] : [4, 3, 2, 1])));
    expect(attempts).toBe(40);
  });

  it('counts a history entry once on /metrics when its unit commits after one with a later id', async () => {
    const backend = await openPostgresStorage(await freshDatabase(), { poolSize: 4 });
    backends.push(backend);
    const { theCase: a } = await backend.uow.run((tx) => clientWithCase(tx, 1));
    const { theCase: b } = await backend.uow.run((tx) => clientWithCase(tx, 2));
    const event = (caseId: number, kind: CaseEventKind): NewCaseEvent => ({ caseId, at: T, kind, authorKind: 'system', authorId: null, authorName: null, text: null, data: null });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let appended!: () => void;
    const didAppend = new Promise<void>((resolve) => (appended = resolve));
    const slow = backend.uow.run(async (tx) => {
      await tx.appendEvent(event(a.id, 'closed'));
      appended();
      await gate;
    });
    await didAppend;
    const quick = backend.uow.run((tx) => tx.appendEvent(event(b.id, 'case-opened')));
    await settlesWithin(quick, 300);
    // A reader remembering the last id it saw, as bots/repka-metrics.ts does.
    const counted = new Map<number, number>();
    let lastId = 0;
    const readOn = async () => {
      for (const entry of await backend.reports.eventsAfter(lastId, 100)) {
        counted.set(entry.id, (counted.get(entry.id) ?? 0) + 1);
        lastId = entry.id;
      }
    };
    await readOn();
    release();
    await Promise.all([slow, quick]);
    await readOn();
    expect([...counted.values()]).toEqual([1, 1]);
    // Entries that move no metric do not wait for one another.
    let released!: () => void;
    const noteGate = new Promise<void>((resolve) => (released = resolve));
    const noting = backend.uow.run(async (tx) => {
      await tx.appendEvent(event(a.id, 'note'));
      await noteGate;
    });
    expect(await settlesWithin(backend.uow.run((tx) => tx.appendEvent(event(b.id, 'client-message'))), 1_000)).toBe(true);
    released();
    await noting;
  });

  it('rejects when the database cannot be reached', async () => {
    await expect(openPostgresStorage(databaseUrl('repka_test_missing_database'))).rejects.toThrow(/does not exist/);
  });
});
