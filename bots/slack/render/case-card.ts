import type { ClientContent } from '../../../src/outgoing.js';
import type { Ask, Case, CaseEvent, Client } from '../../../src/ports.js';
import { clientName } from '../../../src/cases/case-service.js';
import { describeContent } from '../../../src/history/render-history.js';
import { messagesFor } from '../../../src/i18n/messages.js';
import { latestRating, ratingStars } from '../../../src/cases/rating.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** Slack section text limit is 3,000 characters; keep room for the quote marks. */
const sectionLimit = 2900;

export interface CardView {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
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
}

function statusLine(theCase: Case, events: readonly CaseEvent[]): string {
  if (theCase.status === 'closed') {
    const summary = theCase.closeSummary ? `: ${escapeMrkdwn(truncate(theCase.closeSummary, 200))}` : '';
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
      return `:heavy_multiplication_x: ${who}: cancelled`;
  }
}

/**
 * The root message of a case thread, kept current: who, what, status and how long the client has
 * waited, assignee, every question with its reply-by time (overdue marked), rating, linked cases,
 * and the buttons agents need. Pure.
 */
export function renderCaseCard(theCase: Case, client: Client, events: readonly CaseEvent[], options: CardContext): CardView {
  const first = events.find((e) => e.kind === 'client-message');
  const firstText = first?.data?.content ? describeContent(first.data.content as ClientContent) : '(no message yet)';
  const status = theCase.status === 'open' ? 'Open' : 'Closed';
  const name = clientName(client);
  const now = options.now ?? Date.now();
  const score = latestRating(events)?.score;
  const fields = [
    `*Client*\n${escapeMrkdwn(name)}`,
    `*Language*\n${messagesFor(client.language).languageName}`,
    `*Assignee*\n${theCase.assignee ? `<@${theCase.assignee}>` : 'unassigned'}`,
    `*Status*\n${statusLine(theCase, events)}`,
  ];
  if (score !== undefined) fields.push(`*Rating*\n${ratingStars(score)} (${score}/5)`);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: `Case #${theCase.id} · ${status}` } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
    { type: 'section', text: { type: 'mrkdwn', text: `>${escapeMrkdwn(truncate(firstText, sectionLimit)).replace(/\n/g, '\n>')}` } },
  ];
  const asks = options.asks ?? [];
  if (asks.length > 0) {
    const open = asks.filter((a) => a.status === 'open');
    const settled = asks.filter((a) => a.status !== 'open').slice(-5);
    const lines = [...open, ...settled].map((a) => askLine(a, options.departmentNames?.get(a.departmentId) ?? a.departmentId, now));
    const hidden = asks.length - open.length - settled.length;
    if (hidden > 0) lines.push(`…and ${hidden} earlier question${hidden === 1 ? '' : 's'} (see \`!history\`)`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Questions to departments*\n${lines.join('\n')}`, sectionLimit) } });
  }
  const context: string[] = [`Telegram chat ${client.telegramChatId}`];
  if (theCase.previousCaseId !== null) context.push(`follow-up to #${theCase.previousCaseId}`);
  const linked = (options.linkedCaseIds ?? []).filter((id) => id !== theCase.previousCaseId);
  if (linked.length > 0) context.push(`linked: ${linked.map((id) => `#${id}`).join(', ')}`);
  context.push('Reply with `!reply <text>`; anything else is an internal note. `!help` for commands.');
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
  const text = `Case #${theCase.id} (${status.toLowerCase()}) from ${name}: ${truncate(firstText, 300)}`;
  return { text, blocks };
}
