import type { ClientContent } from '../../../src/outgoing.js';
import type { Ask, Case, CaseEvent, Client } from '../../../src/ports.js';
import { clientName } from '../../../src/client-name.js';
import { closedReason } from '../../../src/asks/case-closed-reason.js';
import { describeContent } from '../../../src/history/render-history.js';
import { messagesFor } from '../../../src/i18n/messages.js';
import { latestRating, ratingStars } from '../../../src/cases/rating.js';
import { breakIndex, escapeMrkdwn, splitEscaped, truncateEscaped } from './mrkdwn.js';
import { slackLimits } from '../../platform-limits.js';
import { renderClientContent } from './client-message.js';

export interface CardView {
  /** Fallback text (notifications, screen readers): escaped, at most ~400 characters. */
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
  /**
   * The part of the client's first message the card has no room for, escaped, in posts of at
   * most {@link slackLimits.messageText} characters: posted into the new thread right after the
   * card, in order. The card's quoted start followed by these is the whole message. Empty when it fits.
   */
  readonly continuation: readonly string[];
}

/** Shown under the card's quote when the first message goes on in the thread. */
export const continuedNote = '\n_… continued in the thread_';
/** Characters of the first message in the notification text. */
const fallbackExcerpt = 300;

/** Escapes `text` and shortens it to `max` characters of escaped mrkdwn. */
function shortEscaped(text: string, max: number): string {
  return truncateEscaped(escapeMrkdwn(text), max);
}

/** `escaped` as a mrkdwn block quote: `>` before every line. */
function quote(escaped: string): string {
  return `>${escaped.replace(/\n/g, '\n>')}`;
}

/**
 * Splits the client's escaped first message into the quote the card shows (at most `max`
 * characters, quote marks and the continuation note included) and the rest.
 */
function splitFirstMessage(escaped: string, max: number): { shown: string; rest: string } {
  if (quote(escaped).length <= max) return { shown: quote(escaped), rest: '' };
  const room = max - continuedNote.length;
  // Each line break costs one more character in the quote (its `>`).
  let fits = 0;
  let quoted = 1;
  while (fits < escaped.length && quoted + (escaped[fits] === '\n' ? 2 : 1) <= room) {
    quoted += escaped[fits] === '\n' ? 2 : 1;
    fits += 1;
  }
  const cut = breakIndex(escaped, fits);
  return { shown: `${quote(escaped.slice(0, cut))}${continuedNote}`, rest: escaped.slice(cut) };
}

/** Action ids of the card's buttons. */
export const cardActions = { ask: 'case_ask', reply: 'case_reply', assignMe: 'case_assign_me', close: 'case_close', reopen: 'case_reopen' } as const;

/** Slack renders this in each reader's own time zone and language; `fallback` where it cannot. */
export function slackDate(epochMs: number, format: string): string {
  const fallback = new Date(epochMs).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return `<!date^${Math.floor(epochMs / 1000)}^${format}|${fallback}>`;
}

export interface CardContext {
  /** Whether any department is configured ("Ask a department"). */
  readonly canAsk: boolean;
  /** Every question of the case. */
  readonly asks?: readonly Ask[];
  /** Department id → display name. */
  readonly departmentNames?: ReadonlyMap<string, string>;
  /** Cases linked to this one (both ways), follow-ups included. */
  readonly linkedCaseIds?: readonly number[];
  readonly now?: number;
  /**
   * Client messages the card shows under the first one: those it carried when it was posted
   * (written before it went out; see {@link carriedOnCard}), or to carry now.
   */
  readonly carried?: readonly ClientContent[];
}

/** Room on a card for the messages it carries under the first one (escaped mrkdwn, of a section's 3,000). */
export const carriedRoom = 2800;

/** The carried messages' section, or undefined when there are none. */
function carriedSection(name: string, carried: readonly ClientContent[]): Record<string, unknown> | undefined {
  if (carried.length === 0) return undefined;
  const lines = carried.map((content) => renderClientContent(name, content));
  return { type: 'section', text: { type: 'mrkdwn', text: truncateEscaped(lines.join('\n'), slackLimits.sectionText) } };
}

/**
 * The client messages a posted card carried, in order, from its case's history: the ones the
 * latest 'card-carried' entry names (none when the card carried nothing).
 */
export function carriedOnCard(events: readonly CaseEvent[]): ClientContent[] {
  const entry = events.findLast((e) => e.kind === 'card-carried');
  const ids = new Set(Array.isArray(entry?.data?.eventIds) ? (entry.data.eventIds as unknown[]).map(Number) : []);
  return events.filter((e) => ids.has(e.id) && e.kind === 'client-message' && e.data?.content !== undefined).map((e) => e.data?.content as ClientContent);
}

function statusLine(theCase: Case, events: readonly CaseEvent[]): string {
  if (theCase.status === 'closed') {
    const summary = theCase.closeSummary ? `: ${shortEscaped(theCase.closeSummary, 200)}` : '';
    return `Closed${theCase.closedAt ? ` ${slackDate(theCase.closedAt, '{date_short_pretty} {time}')}` : ''}${summary}`;
  }
  if (theCase.clientWaitingSince !== null) return `:hourglass_flowing_sand: Client waiting for us since ${slackDate(theCase.clientWaitingSince, '{time} ({ago})')}`;
  const lastReply = [...events].reverse().find((e) => e.kind === 'agent-reply');
  return lastReply ? `Open · replied ${slackDate(lastReply.at, '{ago}')}` : 'Open';
}

function askLine(ask: Ask, name: string, now: number): string {
  const who = `*${escapeMrkdwn(name)}* Q${ask.id}`;
  switch (ask.status) {
    case 'open':
      return ask.deadlineAt <= now || ask.overdueAt !== null
        ? `:red_circle: ${who}: *overdue* since ${slackDate(ask.deadlineAt, '{date_short_pretty} {time}')}`
        : `:hourglass: ${who}: reply by ${slackDate(ask.deadlineAt, '{date_short_pretty} {time}')}`;
    case 'answered':
      return `:white_check_mark: ${who}: answered${ask.answeredByName ? ` by ${escapeMrkdwn(ask.answeredByName)}` : ''}${ask.answeredAt !== null && ask.answeredAt > ask.deadlineAt ? ' (late)' : ''}`;
    case 'declined':
      return `:leftwards_arrow_with_hook: ${who}: not theirs`;
    case 'cancelled':
      return ask.closedReason === closedReason ? `:heavy_multiplication_x: ${who}: settled by the close` : `:heavy_multiplication_x: ${who}: cancelled`;
  }
}

/**
 * The root message of a case thread, kept current: who, what, status and how long the client has
 * waited, assignee, every question with its reply-by time (overdue marked), rating, linked cases,
 * and the buttons agents need. Pure.
 */
export function renderCaseCard(theCase: Case, client: Client, events: readonly CaseEvent[], options: CardContext): CardView {
  const firstEvent = events.find((e) => e.kind === 'client-message');
  const firstText = firstEvent?.data?.content ? describeContent(firstEvent.data.content as ClientContent) : '(no message yet)';
  const first = splitFirstMessage(escapeMrkdwn(firstText), slackLimits.sectionText);
  const status = theCase.status === 'open' ? 'Open' : 'Closed';
  const name = clientName(client);
  const now = options.now ?? Date.now();
  const score = latestRating(events)?.score;
  const fields = [
    `*Client*\n${shortEscaped(name, slackLimits.sectionFieldText - 16)}`,
    `*Language*\n${messagesFor(client.language).languageName}`,
    `*Assignee*\n${theCase.assignee ? `<@${theCase.assignee}>` : 'unassigned'}`,
    `*Status*\n${statusLine(theCase, events)}`,
  ];
  if (score !== undefined) fields.push(`*Rating*\n${ratingStars(score)} (${score}/5)`);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: `Case #${theCase.id} · ${status}` } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
    { type: 'section', text: { type: 'mrkdwn', text: first.shown } },
  ];
  const carried = carriedSection(name, options.carried ?? []);
  if (carried !== undefined) blocks.push(carried);
  const asks = options.asks ?? [];
  if (asks.length > 0) {
    const open = asks.filter((a) => a.status === 'open');
    const settled = asks.filter((a) => a.status !== 'open').slice(-5);
    const lines = [...open, ...settled].map((a) => askLine(a, options.departmentNames?.get(a.departmentId) ?? a.departmentId, now));
    const hidden = asks.length - open.length - settled.length;
    if (hidden > 0) lines.push(`…and ${hidden} earlier question${hidden === 1 ? '' : 's'} (see \`!history\`)`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncateEscaped(`*Questions to departments*\n${lines.join('\n')}`, slackLimits.sectionText) } });
  }
  const context: string[] = [`Telegram chat ${client.chatId}`];
  if (theCase.previousCaseId !== null) context.push(`follow-up to #${theCase.previousCaseId}`);
  const linked = (options.linkedCaseIds ?? []).filter((id) => id !== theCase.previousCaseId);
  if (linked.length > 0) context.push(`linked: ${linked.map((id) => `#${id}`).join(', ')}`);
  context.push('Reply with `!reply &lt;text&gt;`; anything else is an internal note. `!help` for commands.');
  blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) });
  const button = (action: string, text: string, extra: Record<string, unknown> = {}) => ({ type: 'button', action_id: action, text: { type: 'plain_text', text }, value: String(theCase.id), ...extra });
  const elements =
    theCase.status === 'open'
      ? [
          button(cardActions.reply, 'Reply to client', { style: 'primary' }),
          ...(options.canAsk ? [button(cardActions.ask, 'Ask a department')] : []),
          button(cardActions.assignMe, 'Assign to me'),
          button(cardActions.close, 'Close', {
            confirm: {
              title: { type: 'plain_text', text: `Close case #${theCase.id}?` },
              text: { type: 'mrkdwn', text: 'The client is told the case is closed and asked to rate it.' },
              confirm: { type: 'plain_text', text: 'Close' },
              deny: { type: 'plain_text', text: 'Cancel' },
            },
          }),
        ]
      : [button(cardActions.reopen, 'Reopen')];
  blocks.push({ type: 'actions', block_id: `case-${theCase.id}`, elements });
  const text = `Case #${theCase.id} (${status.toLowerCase()}) from ${shortEscaped(name, 100)}: ${shortEscaped(firstText, fallbackExcerpt)}`;
  return { text, blocks, continuation: first.rest === '' ? [] : splitEscaped(first.rest, slackLimits.messageText) };
}
