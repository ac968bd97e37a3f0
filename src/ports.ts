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

export interface Client {
  readonly id: number;
  readonly telegramChatId: number;
  readonly telegramUserId: number;
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
  readonly slackChannel: string;
  readonly slackThreadTs: string | null;
  readonly previousCaseId: number | null;
  readonly openedAt: number;
  readonly closedAt: number | null;
  readonly closeSummary: string | null;
  readonly clientWaitingSince: number | null;
  readonly firstReplyAt: number | null;
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
  | 'delivery-failed';

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
  readonly telegramChatId: number;
  readonly telegramUserId: number;
  readonly firstName: string;
  readonly lastName?: string;
  readonly username?: string;
  /** Telegram's language_code, if any. */
  readonly languageCode?: string;
}

/**
 * Storage for cases and their history. Synchronous: every call runs inside `transaction`,
 * which commits all or nothing (outbox writes included).
 */
export interface CaseStore {
  transaction<T>(work: () => T): T;
  /** Records an inbound delivery key; false when it was recorded before (a duplicate). */
  markInbound(key: string, at: number): boolean;
  upsertClient(profile: ClientProfile, language: Language, at: number): Client;
  setClientLanguage(clientId: number, language: Language): void;
  findClientByChat(telegramChatId: number): Client | undefined;
  getClient(id: number): Client | undefined;
  createCase(input: { clientId: number; slackChannel: string; previousCaseId: number | null; openedAt: number }): Case;
  getCase(id: number): Case | undefined;
  findCaseByThread(slackChannel: string, threadTs: string): Case | undefined;
  /** The client's most recently opened case that is still open. */
  findOpenCase(clientId: number): Case | undefined;
  listOpenCases(clientId: number): Case[];
  findLatestCase(clientId: number): Case | undefined;
  updateCase(id: number, patch: Partial<Omit<Case, 'id' | 'clientId'>>): Case;
  appendEvent(event: NewCaseEvent): CaseEvent;
  listEvents(caseId: number): CaseEvent[];
}

/** Durable outbound messages; `enqueue` joins the current transaction. */
export interface Outbox {
  /** Stores the message for delivery; returns its outbox id. */
  enqueue(message: Outgoing, at: number): number;
}

/** Wakes delivery after a transaction with outbox writes has committed. Never throws. */
export interface DeliveryTrigger {
  wake(outboxIds: readonly number[]): void;
}

/** Looks up how people are known on Slack (display names). */
export interface Directory {
  /** The person's display name, or their ID when it cannot be found. */
  slackName(userId: string): Promise<string>;
}
