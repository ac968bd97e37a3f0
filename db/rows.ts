import type { Outgoing } from '../src/outgoing.js';
import type { Ask, AskStatus, AuthorKind, Case, CaseEvent, CaseEventKind, Client, ClientProfile, Language, PendingMessage, ThreadRef } from '../src/ports.js';

/**
 * Rows as both schemas (db/sqlite/schema.ts, db/postgres/schema.ts) read them, turned into the
 * domain's values: the same columns and JS types on either database (text for the enumerations
 * and for JSON).
 */
type Row<T, Text extends keyof T> = Omit<T, Text> & { [K in Text]: string };

export const toClient = (row: Row<Client, 'language'>): Client => ({ ...row, language: row.language as Language });

/** The name columns of a client as `profile` has them (absent parts are NULL). */
export const clientNames = (profile: ClientProfile) => ({ firstName: profile.firstName, lastName: profile.lastName ?? null, username: profile.username ?? null });

/**
 * What changes in a known client's row when they write with `profile`, their Telegram app in
 * `language`: the names when any differs, and the language unless the client chose one (by
 * command); undefined when nothing does.
 */
export function clientPatch(existing: Client, profile: ClientProfile, language: Language): Partial<Pick<Client, 'firstName' | 'lastName' | 'username' | 'language'>> | undefined {
  const names = clientNames(profile);
  const same = existing.firstName === names.firstName && existing.lastName === names.lastName && existing.username === names.username;
  if (same && (existing.languageChosen || existing.language === language)) return undefined;
  return existing.languageChosen ? names : { ...names, language };
}

/** Where a case's or a question's thread is, as both schemas store it: three columns. */
interface ThreadColumns {
  staffPlatform: string;
  conversation: string;
  thread: string | null;
}

const threadOf = ({ staffPlatform, conversation, thread }: ThreadColumns): ThreadRef => ({ platform: staffPlatform, conversation, thread });

const threadColumns = (ref: ThreadRef): ThreadColumns => ({ staffPlatform: ref.platform, conversation: ref.conversation, thread: ref.thread });

type CaseRow = Omit<Row<Case, 'status'>, 'thread'> & ThreadColumns;

export const toCase = ({ staffPlatform, conversation, thread, ...row }: CaseRow): Case => ({
  ...row,
  status: row.status as Case['status'],
  thread: threadOf({ staffPlatform, conversation, thread }),
});

/** A case's columns to write: its `thread` as the three columns it is stored in. */
export function caseColumns<T extends { readonly thread?: ThreadRef }>({ thread, ...rest }: T): Omit<T, 'thread'> & ColumnsOf<T, 'thread'> {
  return (thread === undefined ? rest : { ...rest, ...threadColumns(thread) }) as Omit<T, 'thread'> & ColumnsOf<T, 'thread'>;
}

/** The thread columns a write sets: all three when the value has its reference, else the ones given (none). */
type ColumnsOf<T, K extends string> = T extends { readonly [P in K]: ThreadRef } ? ThreadColumns : Partial<ThreadColumns>;

export const toEvent = (row: Omit<Row<CaseEvent, 'kind' | 'authorKind'>, 'data'> & { data: string | null }): CaseEvent => ({
  ...row,
  kind: row.kind as CaseEventKind,
  authorKind: row.authorKind as AuthorKind,
  data: row.data === null ? null : (JSON.parse(row.data) as Record<string, unknown>),
});

type AskRow = Omit<Row<Ask, 'status'>, 'post'> & ThreadColumns;

export const toAsk = ({ staffPlatform, conversation, thread, ...row }: AskRow): Ask => ({
  ...row,
  status: row.status as AskStatus,
  post: threadOf({ staffPlatform, conversation, thread }),
});

/** A question's columns to write: its `post` as the three columns it is stored in. */
export function askColumns<T extends { readonly post?: ThreadRef }>({ post, ...rest }: T): Omit<T, 'post'> & ColumnsOf<T, 'post'> {
  return (post === undefined ? rest : { ...rest, ...threadColumns(post) }) as Omit<T, 'post'> & ColumnsOf<T, 'post'>;
}

/** An outbox row waiting for delivery, its payload parsed. */
export const toPending = (row: { id: number; stream: string; payload: string; attempts: number; caseId: number | null; createdAt: number }): PendingMessage => ({
  id: row.id,
  stream: row.stream,
  message: upcast(JSON.parse(row.payload) as StoredOutgoing),
  attempts: row.attempts,
  caseId: row.caseId,
  createdAt: row.createdAt,
});

/**
 * Outbox payloads as versions before the platform-neutral core wrote them (pending rows survive an
 * upgrade): 'slack-ephemeral' {channel, user, threadTs, notice} and 'slack-reaction' {caseId,
 * reaction: {channel, ts, name}} (always ✅ on a delivered reply), also inside a client message's
 * `afterDelivery`. Their streams were renamed by migration (slack-… → staff-…, tg-… → chat-…).
 */
type LegacyOutgoing =
  | { readonly to: 'slack-ephemeral'; readonly channel: string; readonly user: string; readonly threadTs?: string; readonly notice: Extract<Outgoing, { to: 'staff-private' }>['notice'] }
  | { readonly to: 'slack-reaction'; readonly caseId?: number; readonly reaction: { readonly channel: string; readonly ts: string } };

type StoredOutgoing = Outgoing | LegacyOutgoing | (Extract<Outgoing, { to: 'client' }> & { readonly afterDelivery?: readonly StoredOutgoing[] });

/** Today's shape of a stored payload. */
export function upcast(message: StoredOutgoing): Outgoing {
  switch (message.to) {
    case 'slack-ephemeral': {
      const { channel, user, threadTs, notice } = message;
      return { to: 'staff-private', conversation: channel, user, ...(threadTs === undefined ? {} : { thread: threadTs }), notice };
    }
    case 'slack-reaction':
      return { to: 'staff-delivered-mark', ...(message.caseId === undefined ? {} : { caseId: message.caseId }), conversation: message.reaction.channel, message: message.reaction.ts };
    case 'client':
      return message.afterDelivery === undefined ? message : { ...message, afterDelivery: message.afterDelivery.map(upcast) };
    default:
      return message;
  }
}
