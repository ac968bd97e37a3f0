import type { Outgoing } from '../src/outgoing.js';
import type { Ask, AskStatus, AuthorKind, Case, CaseEvent, CaseEventKind, Client, Language, PendingMessage } from '../src/ports.js';

/**
 * Rows as both schemas (db/sqlite/schema.ts, db/postgres/schema.ts) read them, turned into the
 * domain's values: the same columns and JS types on either database (text for the enumerations
 * and for JSON).
 */
type Row<T, Text extends keyof T> = Omit<T, Text> & { [K in Text]: string };

export const toClient = (row: Row<Client, 'language'>): Client => ({ ...row, language: row.language as Language });

export const toCase = (row: Row<Case, 'status'>): Case => ({ ...row, status: row.status as Case['status'] });

export const toEvent = (row: Omit<Row<CaseEvent, 'kind' | 'authorKind'>, 'data'> & { data: string | null }): CaseEvent => ({
  ...row,
  kind: row.kind as CaseEventKind,
  authorKind: row.authorKind as AuthorKind,
  data: row.data === null ? null : (JSON.parse(row.data) as Record<string, unknown>),
});

export const toAsk = (row: Row<Ask, 'status'>): Ask => ({ ...row, status: row.status as AskStatus });

/** An outbox row waiting for delivery, its payload parsed. */
export const toPending = (row: { id: number; stream: string; payload: string; attempts: number; caseId: number | null; createdAt: number }): PendingMessage => ({
  id: row.id,
  stream: row.stream,
  message: JSON.parse(row.payload) as Outgoing,
  attempts: row.attempts,
  caseId: row.caseId,
  createdAt: row.createdAt,
});
