import { bigint, boolean, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The tables of db/sqlite/schema.ts on PostgreSQL, with the same SQL names. Epoch-millisecond
 * times and Telegram ids are `bigint` (they exceed int4) read as JavaScript numbers: every one
 * is below 2^53. `case_events.data` and `outbox.payload` stay JSON in `text`, as on SQLite.
 */
const epochMs = (name: string) => bigint(name, { mode: 'number' });

/** A Telegram client: one private chat with the bot. */
export const clients = pgTable(
  'clients',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** The client's private chat with the bot on their platform (Telegram's chat id). */
    chatId: bigint('telegram_chat_id', { mode: 'number' }).notNull(),
    userId: bigint('telegram_user_id', { mode: 'number' }).notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name'),
    username: text('username'),
    /** 'ru' | 'uk' | 'en' */
    language: text('language').notNull(),
    /** Set when the client chose a language with /language; Telegram's language_code no longer overrides it. */
    languageChosen: boolean('language_chosen').notNull().default(false),
    createdAt: epochMs('created_at').notNull(),
  },
  (t) => [uniqueIndex('clients_chat').on(t.chatId)],
);

/** A case: `id` is the case number shown as #N. */
export const cases = pgTable(
  'cases',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    clientId: integer('client_id')
      .notNull()
      .references(() => clients.id),
    /** 'open' | 'closed' */
    status: text('status').notNull(),
    assignee: text('assignee'),
    /** The staff platform the case thread is on (the adapter's name; 'slack' for every case before there was a second). */
    staffPlatform: text('staff_platform').notNull().default('slack'),
    /** The support channel. */
    conversation: text('slack_channel').notNull(),
    /** The case card's message id (Slack ts): the thread. Null until the card is posted. */
    thread: text('slack_thread_ts'),
    previousCaseId: integer('previous_case_id'),
    openedAt: epochMs('opened_at').notNull(),
    closedAt: epochMs('closed_at'),
    closeSummary: text('close_summary'),
    /** When the client last wrote and has not had an answer since; null when we replied last. */
    clientWaitingSince: epochMs('client_waiting_since'),
    firstReplyAt: epochMs('first_reply_at'),
    /** When agents were alerted that the client waits too long for a first reply. */
    waitAlertedAt: epochMs('wait_alerted_at'),
  },
  (t) => [index('cases_client').on(t.clientId, t.status), uniqueIndex('cases_thread').on(t.staffPlatform, t.conversation, t.thread)],
);

/** The case history: every message, reply, note, command and status change, in order. */
export const caseEvents = pgTable(
  'case_events',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    at: epochMs('at').notNull(),
    kind: text('kind').notNull(),
    /** 'client' | 'agent' | 'department' | 'system' */
    authorKind: text('author_kind').notNull(),
    authorId: text('author_id'),
    authorName: text('author_name'),
    text: text('text'),
    /** Kind-specific details as JSON. */
    data: text('data'),
  },
  (t) => [index('case_events_case').on(t.caseId, t.id)],
);

/** Inbound deliveries already handled: 'tg:<update_id>' and 'slack:<event_id>'. */
export const processedInbound = pgTable(
  'processed_inbound',
  {
    key: text('key').primaryKey(),
    at: epochMs('at').notNull(),
  },
  (t) => [index('processed_inbound_at').on(t.at)],
);

/** Every outbound platform call, written in the transaction that caused it, delivered in order per stream. */
export const outbox = pgTable(
  'outbox',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** Ordering key (src/outgoing.ts streamOf): one case thread, one client chat, one question, … */
    stream: text('stream').notNull(),
    /** The message as JSON (see src/outgoing.ts). */
    payload: text('payload').notNull(),
    /** 'pending' | 'sent' | 'failed' */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    caseId: integer('case_id'),
    createdAt: epochMs('created_at').notNull(),
    sentAt: epochMs('sent_at'),
    lastError: text('last_error'),
  },
  (t) => [index('outbox_pending').on(t.status, t.stream, t.id)],
);

/** Slack display names, cached from users.info. */
export const slackUsers = pgTable('slack_users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  fetchedAt: epochMs('fetched_at').notNull(),
});

/** A question to a department about a case, with its reply-by time. */
export const asks = pgTable(
  'asks',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    departmentId: text('department_id').notNull(),
    question: text('question').notNull(),
    askedBy: text('asked_by').notNull(),
    askedByName: text('asked_by_name').notNull(),
    askedAt: epochMs('asked_at').notNull(),
    /** Reply-by instant, epoch ms (computed in the department's business hours). */
    deadlineAt: epochMs('deadline_at').notNull(),
    /** 'open' | 'answered' | 'declined' | 'cancelled' */
    status: text('status').notNull(),
    /** Bumped whenever the deadline changes, so jobs scheduled for an older deadline do nothing. */
    version: integer('version').notNull().default(1),
    /** Start of the current reply window (the ask, or its last extension): reminders are fractions of it. */
    windowStartAt: epochMs('window_start_at').notNull(),
    /** The staff platform the department channel is on. */
    staffPlatform: text('staff_platform').notNull().default('slack'),
    /** The department channel. */
    conversation: text('slack_channel').notNull(),
    /** The question's message id (Slack ts) in the department channel: its thread. Null until posted. */
    thread: text('slack_ts'),
    /** The confirmation's message id in the case thread (it carries the "Cancel question" button). Null until posted. */
    confirmation: text('confirmation_ts'),
    answeredAt: epochMs('answered_at'),
    answeredBy: text('answered_by'),
    answeredByName: text('answered_by_name'),
    /** How many reminder points have fired for the current version. */
    remindersSent: integer('reminders_sent').notNull().default(0),
    overdueAt: epochMs('overdue_at'),
    escalatedAgainAt: epochMs('escalated_again_at'),
    closedReason: text('closed_reason'),
  },
  (t) => [index('asks_case').on(t.caseId), index('asks_status').on(t.status), uniqueIndex('asks_thread').on(t.staffPlatform, t.conversation, t.thread)],
);
