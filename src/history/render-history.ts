import type { ClientContent } from '../outgoing.js';
import type { Case, CaseEvent, Client } from '../ports.js';
import { clientName } from '../client-name.js';
import { ratingStars } from '../cases/rating.js';
import { dateFormat } from '../text/date-format.js';

/** Formats an instant as "2026-11-22 14:05" in `timeZone`. */
export function formatTeamTime(epochMs: number, timeZone: string): string {
  const parts = dateFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(epochMs);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** What the client sent, in a few words, for history lines ("photo: receipt.jpg — caption"). */
export function describeContent(content: ClientContent): string {
  switch (content.type) {
    case 'text':
      return content.text;
    case 'sticker':
      return `[sticker${content.emoji ? ` ${content.emoji}` : ''}]`;
    case 'location':
      return `[location ${content.latitude}, ${content.longitude}]`;
    case 'contact':
      return `[contact ${[content.firstName, content.lastName].filter(Boolean).join(' ')}, ${content.phoneNumber}]`;
    case 'other':
      return `[${content.what}]`;
    default:
      return `[${content.type.replace('_', ' ')}: ${content.file.fileName}]${content.caption ? ` ${content.caption}` : ''}`;
  }
}

/** Staff user ID → display name, as a case's history knows them. */
export type KnownNames = ReadonlyMap<string, string>;

/**
 * The names a history records for the staff it mentions: every agent's and department
 * member's `authorName`, and the `assigneeName` stored with an assignment. The latest name of an
 * ID wins. Pure.
 */
export function knownNames(events: readonly CaseEvent[]): KnownNames {
  const names = new Map<string, string>();
  for (const e of events) {
    if (e.authorKind !== 'client' && e.authorId !== null && e.authorName !== null) names.set(e.authorId, e.authorName);
    const { assignee, assigneeName } = e.data ?? {};
    if (typeof assignee === 'string' && typeof assigneeName === 'string' && assigneeName !== '') names.set(assignee, assigneeName);
  }
  return names;
}

/**
 * One history entry as a line of plain text, without its time. People are named by the name the
 * entry stored, else by `names` (see {@link knownNames}), and by their user ID only when no
 * name is known.
 */
export function describeEvent(event: CaseEvent, timeZone = 'UTC', names: KnownNames = new Map()): string {
  const at = (value: unknown) => (typeof value === 'number' ? formatTeamTime(value, timeZone) : '?');
  const nameOf = (id: unknown) => (typeof id === 'string' ? (names.get(id) ?? id) : '?');
  const who = event.authorName ?? (event.authorId === null ? 'system' : nameOf(event.authorId));
  const data = event.data ?? {};
  switch (event.kind) {
    case 'case-opened':
      return data.previousCaseId ? `Case opened (follow-up to #${String(data.previousCaseId)})` : 'Case opened';
    case 'client-message':
      return `Client ${who}: ${data.content ? describeContent(data.content as ClientContent) : (event.text ?? '')}`;
    case 'agent-reply':
      return `Reply to client by ${who}: ${event.text ?? ''}${filesOf(data)}`;
    case 'note':
      return `Note by ${who}: ${event.text ?? ''}${filesOf(data)}`;
    case 'client-edited':
      return `Client ${who} edited a message: ${event.text ?? ''}${typeof data.previousText === 'string' ? ` (before: ${data.previousText})` : ''}`;
    case 'agent-reply-edited':
      return `Reply edited by ${who}, the client's message changed to: ${event.text ?? ''}${typeof data.previousText === 'string' ? ` (before: ${data.previousText})` : ''}`;
    case 'reply-delivered':
      return 'Reply delivered to the client';
    case 'closed':
      return `Closed by ${who}${event.text ? `: ${event.text}` : ''}`;
    case 'reopened':
      return `Reopened by ${who}`;
    case 'assigned':
      return `Assigned to ${typeof data.assigneeName === 'string' && data.assigneeName !== '' ? data.assigneeName : nameOf(data.assignee)} by ${who}`;
    case 'delivery-failed':
      return `Delivery failed (${String(data.what ?? 'message')}): ${event.text ?? ''}`;
    case 'card-reposted':
      return 'The case card was deleted and posted again; the case went on in the new thread';
    case 'card-carried': {
      const n = Array.isArray(data.eventIds) ? data.eventIds.length : 0;
      return `The case card showed the client's next ${n === 1 ? 'message' : `${n} messages`} too (written before it was posted)`;
    }
    case 'ask-opened':
      return `Question Q${String(data.askId)} to ${String(data.department ?? data.departmentId)} by ${who}, reply by ${at(data.deadlineAt)}: ${event.text ?? ''}`;
    case 'ask-answered':
      return `Answer to Q${String(data.askId)} from ${String(data.department ?? data.departmentId)} by ${who}: ${event.text ?? ''}${filesOf(data)}`;
    case 'department-message':
      return `More from ${String(data.department ?? data.departmentId)} on Q${String(data.askId)} by ${who}: ${event.text ?? ''}${filesOf(data)}`;
    case 'ask-reminder':
      return `Reminder ${Number(data.index) + 1} sent for Q${String(data.askId)}`;
    case 'ask-overdue':
      return `Q${String(data.askId)} to ${String(data.department ?? data.departmentId)} overdue; escalated`;
    case 'ask-escalated':
      return `Q${String(data.askId)} escalated to the support lead`;
    case 'ask-extended':
      return `Q${String(data.askId)} extended by ${who} to ${at(data.deadlineAt)}: ${event.text ?? ''}`;
    case 'ask-declined':
      return `Q${String(data.askId)} declined by ${who}: ${event.text ?? ''}`;
    case 'ask-cancelled':
      return `Q${String(data.askId)} cancelled by ${who}`;
    case 'client-waiting':
      return 'Client waited too long for a first reply; agents alerted';
    case 'linked':
      return data.followUp ? `The client opened follow-up case #${String(data.otherCaseId)}` : `Linked with case #${String(data.otherCaseId)} by ${who}`;
    case 'rated':
      return `Rated by the client: ${typeof data.score === 'number' ? `${ratingStars(data.score)} (${data.score}/5)` : '?'}`;
    case 'rating-comment':
      return `Rating comment from ${who}: ${event.text ?? ''}`;
    case 'rating-comment-invited':
      return 'Client invited to comment on the rating';
  }
}

/** " [files: a.pdf, b.png; not sent, too big: c.mp4]" for an entry that carried files, else "". */
function filesOf(data: Record<string, unknown>): string {
  const names = (list: unknown) => (Array.isArray(list) ? list.map((f) => (f as { name?: unknown }).name).filter((n): n is string => typeof n === 'string') : []);
  const sent = names(data.files);
  const notSent = names(data.filesNotSent);
  if (sent.length === 0 && notSent.length === 0) return '';
  return ` [${[sent.length > 0 ? `files: ${sent.join(', ')}` : '', notSent.length > 0 ? `not sent, too big: ${notSent.join(', ')}` : ''].filter(Boolean).join('; ')}]`;
}

/** The whole case history as plain text (for `!history` and the Markdown export). */
export function renderHistoryText(theCase: Case, client: Client, events: readonly CaseEvent[], timeZone: string): string {
  const header = [
    `Case #${theCase.id}: ${clientName(client)}, ${theCase.status}`,
    `Opened ${formatTeamTime(theCase.openedAt, timeZone)}${theCase.closedAt ? `, closed ${formatTeamTime(theCase.closedAt, timeZone)}` : ''} (${timeZone})`,
  ];
  const names = knownNames(events);
  const lines = events.map((e) => `${formatTeamTime(e.at, timeZone)}  ${describeEvent(e, timeZone, names)}`);
  return [...header, '', ...lines].join('\n');
}
