import type { Outgoing } from './outgoing.js';

/** Where time comes from; tests inject a fixed or stepping clock. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Structured logger; `fields` never contain secrets (the adapter redacts known ones anyway). */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type Language = 'ru' | 'uk' | 'en';
export type CaseStatus = 'open' | 'closed';
export type AuthorKind = 'client' | 'agent' | 'department' | 'system';

/**
 * Where something lives on the staff's chat platform: a conversation (a channel) and in it the
 * root message of a thread. `platform` is the adapter's name for itself; the core only carries it,
 * so a second staff platform plugs in beside the first.
 */
export interface ThreadRef {
  readonly platform: string;
  readonly conversation: string;
  /** The thread's root message; null until it is posted. */
  readonly thread: string | null;
}

/** A client, as their chat platform knows them: `chatId` is the private chat with the bot, `userId` the person. */
export interface Client {
  readonly id: number;
  readonly chatId: number;
  readonly userId: number;
  readonly firstName: string;
  readonly lastName: string | null;
  readonly username: string | null;
  readonly language: Language;
  readonly languageChosen: boolean;
}

export interface Case {
  readonly id: number;
  readonly clientId: number;
  readonly status: CaseStatus;
  readonly assignee: string | null;
  /** The case's thread in the support channel; its `thread` is null until the card is posted. */
  readonly thread: ThreadRef;
  readonly previousCaseId: number | null;
  readonly openedAt: number;
  readonly closedAt: number | null;
  readonly closeSummary: string | null;
  readonly clientWaitingSince: number | null;
  readonly firstReplyAt: number | null;
  readonly waitAlertedAt: number | null;
}

/** Kinds of history entries. `data` carries the kind-specific details. */
export type CaseEventKind =
  | 'case-opened'
  | 'client-message'
  | 'agent-reply'
  | 'note'
  | 'closed'
  | 'reopened'
  | 'assigned'
  | 'delivery-failed'
  /** The case card was deleted on the staff platform and posted again; `data`: `previousTs`, `ts` (the new thread). */
  | 'card-reposted'
  /**
   * The case card, when posted, also showed client messages written before it went out, which
   * then got no thread post of their own; `data.eventIds`: those messages' history entries.
   */
  | 'card-carried'
  | 'ask-opened'
  | 'ask-answered'
  | 'department-message'
  | 'ask-reminder'
  | 'ask-overdue'
  | 'ask-escalated'
  | 'ask-extended'
  | 'ask-declined'
  | 'ask-cancelled'
  | 'client-waiting'
  | 'linked'
  | 'rated'
  | 'rating-comment'
  | 'rating-comment-invited'
  /** The client edited a message they sent; `text`: the new text; `data`: `messageId`, `previousText`, `eventId` (the original). */
  | 'client-edited'
  /** An agent edited a delivered `!reply`; `text`: the new text; `data`: `ts`, `previousText`. */
  | 'agent-reply-edited'
  /** A `!reply` reached the client; `data`: `ts` (the agent's message on the staff platform), `messageIds` (the client chat's). */
  | 'reply-delivered';

export interface CaseEvent {
  readonly id: number;
  readonly caseId: number;
  readonly at: number;
  readonly kind: CaseEventKind;
  readonly authorKind: AuthorKind;
  readonly authorId: string | null;
  readonly authorName: string | null;
  readonly text: string | null;
  readonly data: Record<string, unknown> | null;
}

export type NewCaseEvent = Omit<CaseEvent, 'id'>;

export interface ClientProfile {
  readonly chatId: number;
  readonly userId: number;
  readonly firstName: string;
  readonly lastName?: string;
  readonly username?: string;
  /** The language the client's app reports (an IETF tag such as "uk-UA"), if any. */
  readonly languageCode?: string;
}

/**
 * Storage for clients, cases and their history, inside one unit of work (see {@link UnitOfWork}):
 * every call joins that unit's transaction. Asynchronous, so one port serves SQLite and PostgreSQL.
 */
export interface CaseStore {
  /** Records an inbound delivery key; false when it was recorded before (a duplicate). */
  markInbound(key: string, at: number): Promise<boolean>;
  upsertClient(profile: ClientProfile, language: Language, at: number): Promise<Client>;
  /**
   * `upsertClient` and then `findOpenCase` of that client, as one: a client message's first step.
   * Where the client has an open case, one read finds (and in a unit locks) both.
   */
  upsertClientWithOpenCase(profile: ClientProfile, language: Language, at: number): Promise<{ client: Client; openCase: Case | undefined }>;
  setClientLanguage(clientId: number, language: Language): Promise<void>;
  findClientByChat(chatId: number): Promise<Client | undefined>;
  getClient(id: number): Promise<Client | undefined>;
  createCase(input: { clientId: number; thread: ThreadRef; previousCaseId: number | null; openedAt: number }): Promise<Case>;
  getCase(id: number): Promise<Case | undefined>;
  /** A case with its client, in one read (delivery needs both for every post). */
  getCaseWithClient(id: number): Promise<{ theCase: Case; client: Client } | undefined>;
  /** The case whose card is the root of `thread`. */
  findCaseByThread(thread: ThreadRef & { readonly thread: string }): Promise<Case | undefined>;
  /** The client's most recently opened case that is still open. */
  findOpenCase(clientId: number): Promise<Case | undefined>;
  listOpenCases(clientId: number): Promise<Case[]>;
  findLatestCase(clientId: number): Promise<Case | undefined>;
  updateCase(id: number, patch: Partial<Omit<Case, 'id' | 'clientId'>>): Promise<Case>;
  appendEvent(event: NewCaseEvent): Promise<CaseEvent>;
  listEvents(caseId: number): Promise<CaseEvent[]>;
  /** Every history entry of `kind` in any of the client's cases, oldest first. */
  listClientEvents(clientId: number, kind: CaseEventKind): Promise<CaseEvent[]>;
}

/** Durable outbound messages; `enqueue` joins the current unit of work. */
export interface Outbox {
  /**
   * Stores the messages for delivery, in order, and returns their outbox ids. Within a stream, ids
   * follow the order in which units of work commit (what delivery relies on for order): a unit
   * writing to a stream waits for another unit still writing to it.
   */
  enqueue(messages: readonly Outgoing[], at: number): Promise<number[]>;
}

/** One outbox row waiting for delivery. */
export interface PendingMessage {
  readonly id: number;
  readonly stream: string;
  readonly message: Outgoing;
  readonly attempts: number;
  readonly caseId: number | null;
  readonly createdAt: number;
}

/** The outbox as delivery reads and settles it. */
export interface OutboxLedger extends Outbox {
  /** The oldest pending rows of `stream`, in order; never rows of a unit not yet durable. */
  pending(stream: string, limit: number): Promise<PendingMessage[]>;
  markSent(ids: readonly number[], at: number): Promise<void>;
  markFailed(ids: readonly number[], error: string): Promise<void>;
  recordAttempt(ids: readonly number[], error: string): Promise<void>;
  /** Every stream with pending rows and its oldest pending id, for rebuilding the queue on start. */
  pendingStreams(): Promise<{ stream: string; firstId: number }[]>;
}

/** Everything one unit of work may read and write. */
export interface Storage extends CaseStore, AskStore, OutboxLedger {
  /** Deletes inbound keys older than `before` (epoch ms); returns how many. */
  forgetInboundBefore(before: number): Promise<number>;
}

/**
 * Runs work against storage atomically. `run` resolves with the work's result once its writes
 * are durable, and rejects with nothing kept when the work throws or the commit fails: nothing may
 * leave the process on a unit's behalf before `run` resolves. Inside `work` only storage calls are
 * awaited (no network): on SQLite the units of one process take turns.
 */
export interface UnitOfWork {
  run<T>(work: (tx: Storage) => Promise<T>): Promise<T>;
  /** Reads outside any transaction (each call sees what was committed when it runs); `work` must not write. */
  read<T>(work: (tx: Storage) => Promise<T>): Promise<T>;
  /**
   * Work that writes with a single statement, atomic by itself: durable once it resolves, as with
   * `run`, but a backend may run it without a transaction around it (on PostgreSQL that saves the
   * BEGIN and COMMIT round trips). `work` must issue at most one statement.
   */
  runStatement<T>(work: (tx: Storage) => Promise<T>): Promise<T>;
}

/** An outbox row woken for delivery: its id and its stream. */
export interface WokenRow {
  readonly id: number;
  readonly stream: string;
}

/** Wakes delivery after a unit of work with outbox writes has committed. Never throws. */
export interface DeliveryTrigger {
  wake(rows: readonly WokenRow[]): void;
}

/** Looks up how staff are known on their platform (display names). */
export interface Directory {
  /** The person's display name, or their ID when it cannot be found. */
  displayName(userId: string): Promise<string>;
}

export type AskStatus = 'open' | 'answered' | 'declined' | 'cancelled';

/** A question to a department about a case. */
export interface Ask {
  readonly id: number;
  readonly caseId: number;
  readonly departmentId: string;
  readonly question: string;
  readonly askedBy: string;
  readonly askedByName: string;
  readonly askedAt: number;
  /** Reply-by instant, epoch ms. */
  readonly deadlineAt: number;
  readonly status: AskStatus;
  /** Bumped when the deadline changes; jobs carry it so stale ones do nothing. */
  readonly version: number;
  /** Start of the current reply window (the ask or its last extension), epoch ms. */
  readonly windowStartAt: number;
  /** The question's post in the department's channel; its `thread` is null until posted (department replies go in that thread). */
  readonly post: ThreadRef;
  /** The confirmation's message in the case thread (it carries the "Cancel question" button); null until posted. */
  readonly confirmation: string | null;
  readonly answeredAt: number | null;
  readonly answeredBy: string | null;
  readonly answeredByName: string | null;
  readonly remindersSent: number;
  readonly overdueAt: number | null;
  readonly escalatedAgainAt: number | null;
  readonly closedReason: string | null;
}

export type NewAsk = Pick<Ask, 'caseId' | 'departmentId' | 'question' | 'askedBy' | 'askedByName' | 'askedAt' | 'deadlineAt' | 'post'>;

/** Storage for asks, inside a unit of work as {@link CaseStore}. */
export interface AskStore {
  createAsk(input: NewAsk): Promise<Ask>;
  getAsk(id: number): Promise<Ask | undefined>;
  /** The ask whose question post is the root of `thread`. */
  findAskByThread(thread: ThreadRef & { readonly thread: string }): Promise<Ask | undefined>;
  listAsks(caseId: number): Promise<Ask[]>;
  listOpenAsks(): Promise<Ask[]>;
  updateAsk(id: number, patch: Partial<Omit<Ask, 'id' | 'caseId'>>): Promise<Ask>;
  /** Records reminder `index` (0-based) of `version` as sent; false when it already was, or the ask moved on. */
  claimReminder(id: number, version: number, index: number): Promise<boolean>;
  /** Records the overdue notice of `version`; false when it already fired, or the ask moved on. */
  claimOverdue(id: number, version: number, at: number): Promise<boolean>;
  /** Records the second escalation of `version`; false when it already fired, or the ask moved on. */
  claimEscalatedAgain(id: number, version: number, at: number): Promise<boolean>;
  /** Records the client-wait alert of a case; false when it already fired or no longer applies. */
  claimWaitAlert(caseId: number, waitingSince: number, at: number): Promise<boolean>;
  /** Open cases whose client still waits for a first reply and was not alerted yet. */
  listCasesAwaitingFirstReply(): Promise<Case[]>;
}

/** Time points of an open ask, epoch ms, for the deadline jobs. */
export interface AskSchedule {
  readonly askId: number;
  readonly version: number;
  readonly reminders: readonly number[];
  readonly dueAt: number;
  /** Second escalation; undefined: none. */
  readonly againAt?: number;
}

/** Delayed deadline jobs. Calls never throw (failures are logged; storage is rebuilt from on start). */
export interface DeadlineScheduler {
  /**
   * `rebuild`: on start-up, from storage. Points already past get fresh job ids then, so a job a
   * killed process left active (its id taken until BullMQ's stall check) cannot delay them.
   */
  scheduleAsk(schedule: AskSchedule, rebuild?: boolean): void;
  unscheduleAsk(askId: number, version: number, reminderCount: number): void;
  scheduleClientWait(caseId: number, waitingSince: number, at: number, rebuild?: boolean): void;
}

/** A staff member's display name as stored, with when it was fetched (epoch ms). */
export interface StoredName {
  readonly name: string;
  readonly fetchedAt: number;
}

/** Storage of staff display names, a cache of the platform's directory kept across restarts. */
export interface NameStore {
  /** The stored name of `userId`, however old; undefined when none is stored. */
  storedName(userId: string): Promise<StoredName | undefined>;
  /** Stores `name` for `userId`, fetched at `fetchedAt` (epoch ms), replacing any earlier one. */
  saveName(userId: string, name: string, fetchedAt: number): Promise<void>;
}

/** A history entry that moves a metric, read in id order (see {@link MetricsSource.eventsAfter}). */
export interface MetricEvent {
  readonly id: number;
  /** One of 'case-opened', 'closed', 'ask-opened', 'ask-answered', 'ask-overdue'. */
  readonly kind: string;
  /** Epoch ms. */
  readonly at: number;
  readonly departmentId: string | null;
  /** For 'ask-answered': when the question was asked, epoch ms. */
  readonly askedAt: number | null;
}

/** What `/metrics` reads from storage. Read-only. */
export interface MetricsSource {
  /**
   * Up to `limit` history entries that move a metric with an id above `afterId`, in id order.
   * Ids only grow, so a reader that remembers the last id it saw counts each entry once.
   */
  eventsAfter(afterId: number, limit: number): Promise<MetricEvent[]>;
  /** Cases open now. */
  openCases(): Promise<number>;
  /** Open questions per department: all, and those past their deadline at `now` (epoch ms). */
  openAsksByDepartment(now: number): Promise<{ departmentId: string; open: number; overdue: number }[]>;
}

/** How much of the outbox waits for delivery (for metrics). Read-only. */
export interface OutboxBacklog {
  /** Pending messages, and the creation time (epoch ms) of the oldest; null when none is pending. */
  backlog(): Promise<{ pending: number; oldestCreatedAt: number | null }>;
}
