/**
 * The domain on its ports, without Redis or any process: CaseService, AskService and
 * RatingService over real storage and its unit of work (SQLite `:memory:` with its group commit,
 * or PostgreSQL when the suite runs with DATABASE_URL, so claims and dedup behave as in production), with a stepping clock, a scheduler fake that fires
 * due deadline jobs through the BullMQ processor when time moves, and readers of what was queued
 * for users. Every use-case test builds its services through {@link createDomain}.
 */
import type { StorageBackend } from '../../db/open-storage.js';
import { openTestStorage } from './test-storage.js';
import { deadlineJobId, processDeadlineJob, type DeadlineJobData } from '../../jobs/deadline-queue.js';
import { AskService } from '../../src/asks/ask-service.js';
import { AccessPolicy } from '../../src/cases/access-policy.js';
import type { Mention } from '../../src/cases/agent-command.js';
import { CaseService, type AgentMessage, type InboundResult } from '../../src/cases/case-service.js';
import { RatingService } from '../../src/cases/rating-service.js';
import { parseDepartments, type DepartmentsConfig } from '../../bots/config.js';
import type { ClientNotice, DepartmentPost, PrivateNotice, Outgoing, ThreadPost } from '../../src/outgoing.js';
import type { Ask, AskSchedule, Case, ClientProfile, Clock, DeadlineScheduler, DeliveryTrigger, Logger, Storage, UnitOfWork, WokenRow } from '../../src/ports.js';
import type { SharedFile } from '../../src/files.js';
import { slackPlatform } from '../../bots/slack/platform-name.js';
import { telegramFileLimits } from '../../bots/telegram/telegram-deliverer.js';

export const second = 1000;
export const minute = 60 * second;
export const hour = 60 * minute;
export const day = 24 * hour;

/** The support channel of every test domain. */
export const supportChannel = 'C0SUPPORT';

/**
 * Departments used by the use-case tests. accounting: 1 h, reminders at 50% and 90%, escalation to
 * the support lead 30 min after the deadline, 24/7. legal: 2 h in Moscow office hours (Mon–Fri
 * 09:00–18:00), one reminder at 50%, no second escalation, the client is not told.
 */
export const testDepartments = {
  clientFirstReplyWithin: '15m',
  supportLead: ['U0LEAD'],
  departments: [
    {
      id: 'accounting',
      name: 'Accounting',
      aliases: ['acc', 'billing'],
      slackChannel: 'C0ACCOUNTING',
      replyWithin: '1h',
      mention: ['S0ACCOUNTING'],
      remindAt: ['50%', '90%'],
      escalateTo: ['U0ACCLEAD'],
      escalateAgainAfter: '30m',
    },
    {
      id: 'legal',
      name: 'Legal',
      aliases: ['law'],
      slackChannel: 'C0LEGAL',
      replyWithin: '2h',
      remindAt: ['50%'],
      tellClient: false,
      hours: { timezone: 'Europe/Moscow', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' },
    },
  ],
};

/** Moscow is UTC+3 all year: local wall time in Moscow as epoch ms. */
export const msk = (y: number, m: number, d: number, h: number, min = 0): number => Date.UTC(y, m - 1, d, h - 3, min);

/** A Monday, 10:00 in Moscow: inside the legal department's hours. */
export const mondayMorning = msk(2026, 11, 23, 10);

/** A clock that moves only when told. */
export class SteppingClock implements Clock {
  constructor(private at: number) {}

  now(): number {
    return this.at;
  }

  /** Sets the time; never backwards. */
  set(at: number): void {
    if (at < this.at) throw new Error(`the clock does not go back (${at} < ${this.at})`);
    this.at = at;
  }
}

/** A delayed job as BullMQ would hold it. */
export interface FakeJob {
  readonly id: string;
  readonly data: DeadlineJobData;
  readonly at: number;
  /** Order of adding: jobs due at the same instant run in this order. */
  readonly seq: number;
}

/**
 * DeadlineScheduler as BullMQ behaves for Repka: deterministic job ids (an add with an id already
 * queued adds nothing), removal by id, and on a rebuild points already past get fresh ids. Records
 * every call; {@link Domain.advance} runs the due jobs.
 */
export class FakeScheduler implements DeadlineScheduler {
  readonly jobs = new Map<string, FakeJob>();
  /** Ids removed by unscheduleAsk, in order (whether or not a job was there). */
  readonly removed: string[] = [];
  /** Every schedule received, in order. */
  readonly asks: { schedule: AskSchedule; rebuild: boolean }[] = [];
  readonly waits: { caseId: number; waitingSince: number; at: number; rebuild: boolean }[] = [];
  private seq = 0;
  private restarts = 0;

  constructor(private readonly clock: Clock) {}

  scheduleAsk(schedule: AskSchedule, rebuild = false): void {
    this.asks.push({ schedule, rebuild });
    const base = { type: 'ask' as const, askId: schedule.askId, version: schedule.version };
    schedule.reminders.forEach((at, index) => this.add({ ...base, which: { kind: 'reminder', index } }, at, rebuild));
    this.add({ ...base, which: { kind: 'due' } }, schedule.dueAt, rebuild);
    if (schedule.againAt !== undefined) this.add({ ...base, which: { kind: 'again' } }, schedule.againAt, rebuild);
  }

  unscheduleAsk(askId: number, version: number, reminderCount: number): void {
    const base = { type: 'ask' as const, askId, version };
    const ids = [
      ...Array.from({ length: reminderCount }, (_, index) => deadlineJobId({ ...base, which: { kind: 'reminder', index } })),
      deadlineJobId({ ...base, which: { kind: 'due' } }),
      deadlineJobId({ ...base, which: { kind: 'again' } }),
    ];
    for (const id of ids) {
      this.removed.push(id);
      this.jobs.delete(id);
    }
  }

  scheduleClientWait(caseId: number, waitingSince: number, at: number, rebuild = false): void {
    this.waits.push({ caseId, waitingSince, at, rebuild });
    this.add({ type: 'client-wait', caseId, waitingSince }, at, rebuild);
  }

  /** Redis emptied (or a new Redis): every queued job is gone; the next rebuild tags past points anew. */
  clear(): void {
    this.jobs.clear();
    this.restarts++;
  }

  /** The queued jobs of one ask, by kind: "r0", "r1", "due", "again". */
  kindsOf(askId: number): string[] {
    return this.ordered()
      .filter((j) => j.data.type === 'ask' && j.data.askId === askId)
      .map((j) => (j.data.type === 'ask' ? (j.data.which.kind === 'reminder' ? `r${j.data.which.index}` : j.data.which.kind) : ''));
  }

  /** Queued jobs in the order BullMQ would run them. */
  ordered(): FakeJob[] {
    return [...this.jobs.values()].sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /** Takes the next job due at or before `until`, if any. */
  takeDue(until: number): FakeJob | undefined {
    const next = this.ordered()[0];
    if (next === undefined || next.at > until) return undefined;
    this.jobs.delete(next.id);
    return next;
  }

  private add(data: DeadlineJobData, at: number, rebuild: boolean): void {
    const past = rebuild && at <= this.clock.now();
    const id = past ? `${deadlineJobId(data)}-start${this.restarts}` : deadlineJobId(data);
    if (this.jobs.has(id)) return;
    this.jobs.set(id, { id, data, at, seq: this.seq++ });
  }
}

/** Records every wake-up of delivery. */
export class RecordingTrigger implements DeliveryTrigger {
  /** Outbox ids woken, in order. */
  readonly woken: number[] = [];
  /** Their streams, in the same order. */
  readonly streams: string[] = [];
  wake(rows: readonly WokenRow[]): void {
    for (const row of rows) {
      this.woken.push(row.id);
      this.streams.push(row.stream);
    }
  }
}

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

/** Keeps every line logged. */
export class RecordingLogger implements Logger {
  readonly lines: LogLine[] = [];
  debug(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, fields });
  }
}

type DepartmentMessage = Extract<Outgoing, { to: 'department' }>;
type ThreadMessage = Extract<Outgoing, { to: 'case-thread' }>;
type ClientMessage = Extract<Outgoing, { to: 'client' }>;
type EphemeralMessage = Extract<Outgoing, { to: 'staff-private' }>;

/** What was queued in the outbox for users, oldest first; `since(mark)` reads only what came after. */
export class OutboxReader {
  constructor(private readonly rows: (afterId: number) => { id: number; message: Outgoing }[]) {}

  /** The id of the last row queued so far: a mark for {@link since}. */
  mark(): number {
    return this.rows(0).at(-1)?.id ?? 0;
  }

  /** Every message queued after `mark` (default: all). */
  all(mark = 0): Outgoing[] {
    return this.rows(mark).map((r) => r.message);
  }

  since(mark: number): OutboxReader {
    return new OutboxReader((afterId) => this.rows(Math.max(afterId, mark)));
  }

  /** Destinations in order, e.g. ['department', 'case-thread', 'case-card']. */
  to(): Outgoing['to'][] {
    return this.all().map((m) => m.to);
  }

  department(askId?: number): DepartmentMessage[] {
    return this.all().filter((m): m is DepartmentMessage => m.to === 'department' && (askId === undefined || m.askId === askId));
  }

  /** Department post types in order, e.g. ['question', 'reminder', 'overdue']. */
  departmentPosts(askId?: number): DepartmentPost['type'][] {
    return this.department(askId).map((m) => m.post.type);
  }

  thread(caseId?: number): ThreadMessage[] {
    return this.all().filter((m): m is ThreadMessage => m.to === 'case-thread' && (caseId === undefined || m.caseId === caseId));
  }

  threadPosts(caseId?: number): ThreadPost['type'][] {
    return this.thread(caseId).map((m) => m.post.type);
  }

  client(chatId?: number): ClientMessage[] {
    return this.all().filter((m): m is ClientMessage => m.to === 'client' && (chatId === undefined || m.chatId === chatId));
  }

  clientNotices(chatId?: number): ClientNotice['type'][] {
    return this.client(chatId).map((m) => m.notice.type);
  }

  ephemeral(user?: string): EphemeralMessage[] {
    return this.all().filter((m): m is EphemeralMessage => m.to === 'staff-private' && (user === undefined || m.user === user));
  }

  notices(user?: string): PrivateNotice[] {
    return this.ephemeral(user).map((m) => m.notice);
  }
}

export interface DomainOptions {
  /** The departments file as JSON text or object (default {@link testDepartments}). */
  readonly departments?: unknown;
  /** SLACK_AGENTS; undefined: every human in the support channel. */
  readonly agents?: readonly string[];
  /** Support channel members, for buttons when SLACK_AGENTS is unset (default: Anna). */
  readonly members?: readonly string[];
  /** The clock's start, epoch ms (default {@link mondayMorning}). */
  readonly start?: number;
  readonly maxOpenCasesPerClient?: number;
}

/** The agent who acts unless a test says otherwise. */
export const anna = { user: 'U0ANNA', userName: 'Anna' } as const;

/** A client's Telegram profile; chat and user id `chatId`. */
export const clientProfile = (chatId = 1001, firstName = 'Olga'): ClientProfile => ({ chatId: chatId, userId: chatId, firstName, languageCode: 'en' });

export type Domain = ReturnType<typeof createDomain>;

/**
 * Storage that opens in the background (PostgreSQL needs a round trip): each call waits for it.
 * Every outbox row a unit of work wrote is logged once that unit is durable, in id order, so
 * what was queued can be read synchronously on either backend.
 */
function lazyStorage(ready: Promise<StorageBackend>) {
  const committed: { id: number; message: Outgoing }[] = [];
  const recordingTx = (tx: Storage, queued: { id: number; message: Outgoing }[]): Storage =>
    new Proxy(tx, {
      get(target, property) {
        if (property === 'enqueue')
          return async (messages: readonly Outgoing[], at: number) => {
            const ids = await target.enqueue(messages, at);
            messages.forEach((message, index) => queued.push({ id: ids[index] as number, message }));
            return ids;
          };
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  const uow: UnitOfWork = {
    async run(work) {
      const { uow: real } = await ready;
      const queued: { id: number; message: Outgoing }[] = [];
      const result = await real.run((tx) => {
        // A unit PostgreSQL runs again starts over.
        queued.length = 0;
        return work(recordingTx(tx, queued));
      });
      committed.push(...queued);
      committed.sort((x, y) => x.id - y.id);
      return result;
    },
    read: async (work) => (await ready).uow.read(work),
    // A single statement queues nothing (the drainer marks rows sent with it).
    runStatement: async (work) => (await ready).uow.runStatement(work),
  };
  /** Storage outside any unit of work, for tests to read (and to write what adapters would). */
  const store = new Proxy({} as Storage, {
    get: (_, property) =>
      async (...args: unknown[]) => {
        const { storage } = await ready;
        return (storage[property as keyof Storage] as (...a: unknown[]) => Promise<unknown>).apply(storage, args);
      },
  });
  return { uow, store, committed };
}

/** Builds the services on the test storage (SQLite `:memory:`, or PostgreSQL, see test-storage.ts) and the fakes above. */
export function createDomain(options: DomainOptions = {}) {
  const ready = openTestStorage();
  // A storage that failed to open fails the first call that waits for it, not the process.
  ready.catch(() => undefined);
  const { uow, store, committed } = lazyStorage(ready);
  const clock = new SteppingClock(options.start ?? mondayMorning);
  const trigger = new RecordingTrigger();
  const scheduler = new FakeScheduler(clock);
  const log = new RecordingLogger();
  const file = options.departments ?? testDepartments;
  const departments: DepartmentsConfig = parseDepartments(typeof file === 'string' ? file : JSON.stringify(file), 'departments.json');
  const members = new Set(options.members ?? [anna.user]);
  const policy = new AccessPolicy({ agents: options.agents, members: { has: async (user) => members.has(user) }, supportChannel });
  const asks = new AskService({ uow, trigger, scheduler, clock, log, departments });
  const ratings = new RatingService({ uow, trigger, clock, log });
  const cases = new CaseService({ uow, trigger, clock, log, support: { platform: slackPlatform, conversation: supportChannel }, policy, asks, clientFileLimits: telegramFileLimits, maxOpenCasesPerClient: options.maxOpenCasesPerClient, comments: ratings });
  const sent = new OutboxReader((afterId) => committed.filter((r) => r.id > afterId));
  let keys = 0;
  let ts = 0;
  const nextTs = () => `1700000000.${String(++ts).padStart(6, '0')}`;

  /** Lets a group commit still open end (a service call's unit of work is durable once it resolved). */
  const settle = async (): Promise<void> => {
    await uow.run(async () => undefined);
  };

  /** What Slack's deliverer writes back once the posts landed: case thread ts and question ts. */
  const landPosts = (): Promise<void> =>
    uow.run(async (tx) => {
      for (const m of sent.all()) {
        if (m.to === 'case-card' && m.op === 'post') {
          const c = await tx.getCase(m.caseId);
          if (c !== undefined && c.thread.thread === null) await tx.updateCase(c.id, { thread: { ...c.thread, thread: nextTs() } });
        }
        if (m.to === 'department' && m.post.type === 'question') {
          const a = await tx.getAsk(m.askId);
          if (a !== undefined && a.post.thread === null) await tx.updateAsk(a.id, { post: { ...a.post, thread: nextTs() } });
        }
      }
    });

  const domain = {
    store,
    uow,
    clock,
    trigger,
    scheduler,
    log,
    departments,
    asks,
    cases,
    ratings,
    sent,
    settle,
    /** The current instant, epoch ms. */
    now: () => clock.now(),

    /**
     * Moves time forward by `ms`, running every deadline job that comes due on the way, in time
     * order, each at its own instant, as the BullMQ worker would.
     */
    async advance(ms: number): Promise<InboundResult[]> {
      return domain.advanceTo(clock.now() + ms);
    },

    async advanceTo(target: number): Promise<InboundResult[]> {
      const results: InboundResult[] = [];
      for (let job = scheduler.takeDue(target); job !== undefined; job = scheduler.takeDue(target)) {
        if (job.at > clock.now()) clock.set(job.at);
        results.push(await domain.runJob(job.data));
      }
      clock.set(target);
      return results;
    },

    /** Moves time without running anything (the process is down), as before a restart. */
    jump(ms: number): void {
      clock.set(clock.now() + ms);
    },

    /** Starts again after being down: Redis emptied, every schedule rebuilt from SQLite; then the jobs already due run. */
    async restart(): Promise<InboundResult[]> {
      scheduler.clear();
      await asks.rebuildSchedules();
      return domain.advance(0);
    },

    /** Runs one job's processor now, whether or not it is queued (a job that was removed but still fires). */
    async runJob(data: DeadlineJobData): Promise<InboundResult> {
      let result: InboundResult | undefined;
      const recording = {
        fire: async (...args: Parameters<AskService['fire']>) => (result = await asks.fire(...args)),
        fireClientWait: async (...args: Parameters<AskService['fireClientWait']>) => (result = await asks.fireClientWait(...args)),
      } as unknown as AskService;
      await processDeadlineJob(recording)({ data });
      if (result === undefined) throw new Error('the processor called nothing');
      return result;
    },

    /** A client message from `chatId`; the case card lands in Slack. Returns the case it went to. */
    async clientSays(text: string, chatId = 1001, messageId?: number): Promise<Case> {
      const result = await cases.receiveClientMessage(`tg:${++keys}`, clientProfile(chatId), { type: 'text', text }, messageId);
      await landPosts();
      if (result.outcome !== 'done' || result.caseId === undefined) throw new Error(`client message not taken: ${JSON.stringify(result)}`);
      return (await store.getCase(result.caseId)) as Case;
    },

    /** The case as stored now. */
    async caseNow(caseId: number): Promise<Case> {
      const c = await store.getCase(caseId);
      if (c === undefined) throw new Error(`no case #${caseId}`);
      return c;
    },

    async askNow(askId: number): Promise<Ask> {
      const a = await store.getAsk(askId);
      if (a === undefined) throw new Error(`no question Q${askId}`);
      return a;
    },

    /**
     * A message in the case thread as the Slack adapter hands it over (text as the agent saw it),
     * then the commit and the posts landing. Returns what the service answered.
     */
    async agentSays(caseId: number, text: string, as: { user: string; userName: string } = anna, mentions?: readonly Mention[], files?: readonly SharedFile[]): Promise<InboundResult> {
      const c = await domain.caseNow(caseId);
      if (c.thread.thread === null) throw new Error(`case #${caseId} has no thread yet`);
      const message: AgentMessage = { inboundKey: `slack:${++keys}`, platform: 'slack', channel: c.thread.conversation, threadTs: c.thread.thread, ts: nextTs(), user: as.user, userName: as.userName, text, mentions, ...(files === undefined ? {} : { files }) };
      const result = await cases.receiveAgentMessage(message);
      await landPosts();
      return result;
    },

    /** A message in the case thread with `files` shared with it (in order), as {@link agentSays}. */
    async agentShares(caseId: number, text: string, files: readonly SharedFile[], as: { user: string; userName: string } = anna): Promise<InboundResult> {
      return domain.agentSays(caseId, text, as, undefined, files);
    },

    /** The Slack ts of the agent's last message in the case's history (a reply or a note). */
    async lastAgentTs(caseId: number): Promise<string> {
      const ts = (await store.listEvents(caseId)).filter((e) => e.authorKind === 'agent' && typeof e.data?.ts === 'string').at(-1)?.data?.ts;
      if (typeof ts !== 'string') throw new Error(`case #${caseId} has no agent message`);
      return ts;
    },

    /** The agent edited their message `ts` in the case thread to read `text`. */
    async agentEdits(caseId: number, ts: string, text: string, as: { user: string; userName: string } = anna): Promise<InboundResult> {
      const c = await domain.caseNow(caseId);
      if (c.thread.thread === null) throw new Error(`case #${caseId} has no thread yet`);
      const threadTs = c.thread.thread;
      return domain.act(() => cases.receiveAgentEdit({ inboundKey: `slack:${++keys}`, platform: 'slack', channel: c.thread.conversation, threadTs, ts, user: as.user, userName: as.userName, text }));
    },

    /** The agent deleted their message `ts` in the case thread. */
    async agentDeletes(caseId: number, ts: string, as: { user: string } = anna): Promise<InboundResult> {
      const c = await domain.caseNow(caseId);
      if (c.thread.thread === null) throw new Error(`case #${caseId} has no thread yet`);
      const threadTs = c.thread.thread;
      return domain.act(() => cases.receiveAgentDeletion({ inboundKey: `slack:${++keys}`, platform: 'slack', channel: c.thread.conversation, threadTs, ts, user: as.user }));
    },

    /** The client edited their Telegram message `messageId` to read `text`. */
    async clientEdits(messageId: number, text: string, chatId = 1001): Promise<InboundResult> {
      return domain.act(() => cases.receiveClientEdit(`tg-edit:${++keys}`, clientProfile(chatId), messageId, { type: 'text', text }));
    },

    /** What the Telegram deliverer records once the reply posted at `replyTs` reached the client: the Telegram messages carrying it. */
    async replyDelivered(caseId: number, replyTs: string, messageIds: readonly number[]): Promise<void> {
      await uow.run((tx) => tx.appendEvent({ caseId, at: clock.now(), kind: 'reply-delivered', authorKind: 'system', authorId: null, authorName: null, text: null, data: { ts: replyTs, messageIds } }));
    },

    /** What the Telegram deliverer records once an edit of the reply at `replyTs` reached the client. */
    async replyEditDelivered(caseId: number, replyTs: string, text: string, previousText: string, as: { user: string; userName: string } = anna): Promise<void> {
      await uow.run((tx) => tx.appendEvent({ caseId, at: clock.now(), kind: 'agent-reply-edited', authorKind: 'agent', authorId: as.user, authorName: as.userName, text, data: { ts: replyTs, previousText } }));
    },

    /** `!ask …` in the case thread by Anna; returns the question created. */
    async ask(caseId: number, args: string): Promise<Ask> {
      const before = new Set((await store.listAsks(caseId)).map((a) => a.id));
      const result = await domain.agentSays(caseId, `!ask ${args}`);
      const created = (await store.listAsks(caseId)).find((a) => !before.has(a.id));
      if (created === undefined) throw new Error(`no question created: ${JSON.stringify(result)}`);
      return created;
    },

    /** A human reply in the thread of the question `askId`, in the department channel. */
    async departmentReplies(askId: number, text: string, as: { user: string; userName: string } = { user: 'U0BORIS', userName: 'Boris' }): Promise<InboundResult> {
      const a = await domain.askNow(askId);
      if (a.post.thread === null) throw new Error(`question Q${askId} was not posted`);
      return asks.receiveDepartmentReply({ inboundKey: `slack:${++keys}`, platform: 'slack', channel: a.post.conversation, threadTs: a.post.thread, ts: nextTs(), text, ...as });
    },

    /** Runs a service call with its commit and the posts landing; e.g. `await fx.act(() => asks.extend(...))`. */
    async act<T>(work: () => T | Promise<T>): Promise<T> {
      const result = await work();
      await landPosts();
      return result;
    },

    /** The history kinds of a case, in order. */
    async historyKinds(caseId: number): Promise<string[]> {
      return (await store.listEvents(caseId)).map((e) => e.kind);
    },

    /** A fresh inbound key (for calls that take one). */
    key: () => `key:${++keys}`,

  };
  return domain;
}
