import type { ClientContent } from '../../../src/outgoing.js';
import type { Case, CaseEvent, Client } from '../../../src/ports.js';
import { clientName } from '../../../src/cases/case-service.js';
import { describeContent } from '../../../src/history/render-history.js';
import { messagesFor } from '../../../src/i18n/messages.js';

/** Slack section text limit is 3,000 characters; keep room for the quote marks. */
const sectionLimit = 2900;

export interface CardView {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** Escapes &, < and > as Slack's mrkdwn requires for user text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Action ids of the card's buttons. */
export const cardActions = { ask: 'case_ask' } as const;

/** The root message of a case thread: who, what, status, assignee; "Ask a department" when there are departments. Pure. */
export function renderCaseCard(theCase: Case, client: Client, events: readonly CaseEvent[], options: { canAsk: boolean }): CardView {
  const first = events.find((e) => e.kind === 'client-message');
  const firstText = first?.data?.content ? describeContent(first.data.content as ClientContent) : '(no message yet)';
  const status = theCase.status === 'open' ? 'Open' : 'Closed';
  const name = clientName(client);
  const fields = [
    `*Client*\n${escapeMrkdwn(name)}`,
    `*Language*\n${messagesFor(client.language).languageName}`,
    `*Assignee*\n${theCase.assignee ? `<@${theCase.assignee}>` : 'unassigned'}`,
    `*Status*\n${status}${theCase.closeSummary ? `: ${escapeMrkdwn(truncate(theCase.closeSummary, 200))}` : ''}`,
  ];
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: `Case #${theCase.id} · ${status}` } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
    { type: 'section', text: { type: 'mrkdwn', text: `>${escapeMrkdwn(truncate(firstText, sectionLimit)).replace(/\n/g, '\n>')}` } },
  ];
  const context: string[] = [`Telegram chat ${client.telegramChatId}`];
  if (theCase.previousCaseId !== null) context.push(`follow-up to #${theCase.previousCaseId}`);
  context.push('Reply with `!reply <text>`; anything else is an internal note. `!help` for commands.');
  blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) });
  if (options.canAsk && theCase.status === 'open') {
    blocks.push({
      type: 'actions',
      block_id: `case-${theCase.id}`,
      elements: [{ type: 'button', action_id: cardActions.ask, text: { type: 'plain_text', text: 'Ask a department' }, value: String(theCase.id) }],
    });
  }
  const text = `Case #${theCase.id} (${status.toLowerCase()}) from ${name}: ${truncate(firstText, 300)}`;
  return { text, blocks };
}
