import type { Department, DepartmentsConfig } from '../../config.js';
import type { DepartmentPost, PrivateNotice, ThreadPost } from '../../../src/outgoing.js';
import type { Ask, Case, Client } from '../../../src/ports.js';
import { clientName } from '../../../src/client-name.js';
import { formatDuration, formatSpan } from '../../../src/duration.js';
import { escapeWithLinks } from './escape-with-links.js';
import { escapeMrkdwn, truncateEscaped } from './mrkdwn.js';
import { slackLimits } from '../../platform-limits.js';
import { dateFormat } from '../../../src/text/date-format.js';
import { closedReason } from '../../../src/asks/case-closed-reason.js';

/** Action ids of the buttons on asks. */
export const askActions = { extend: 'ask_extend', decline: 'ask_decline', cancel: 'ask_cancel' } as const;

export interface SlackPost {
  readonly text: string;
  readonly blocks?: readonly Record<string, unknown>[];
}

/** `<@U…>` for users, `<!subteam^S…>` for user groups. */
export function mention(id: string): string {
  return id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`;
}

/**
 * "Mon 23 Nov 15:30 (Europe/Moscow), in 1h30m" — the deadline in the department's zone and relative
 * to now, to the second when it is near ("in 45s", "12s ago", "just now").
 */
export function formatDeadline(deadlineAt: number, now: number, department: Department | undefined): string {
  const zone = department?.hours?.timezone ?? 'UTC';
  const local = dateFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(deadlineAt);
  const left = deadlineAt - now;
  const relative = left > 0 ? `in ${formatSpan(left, 'up')}` : -left < 1000 ? 'just now' : `${formatSpan(-left, 'down')} ago`;
  return `${local.replace(',', '')} (${zone}), ${relative}`;
}

const askLabel = (ask: Ask, department: Department | undefined) => `Q${ask.id} to *${escapeMrkdwn(department?.name ?? ask.departmentId)}*`;
/** Said once each time a case's last open question is settled (see ThreadPost `allSettled`). */
const settledPrompt = (allSettled: boolean) => (allSettled ? '\n:point_right: Every department question of this case is settled: time to update the client with `!reply`.' : '');

export interface AskContext {
  readonly ask: Ask;
  readonly theCase: Case;
  readonly client: Client;
  readonly department: Department | undefined;
  readonly departments: DepartmentsConfig;
  readonly now: number;
  /** Link to the case thread, when Slack gave one. */
  readonly permalink?: string;
}

/** How a settled question ended, as the question (`department`) and its confirmation (`thread`) say it; undefined while it is open. */
function outcomeOf(ask: Ask): { readonly department: string; readonly thread: string } | undefined {
  switch (ask.status) {
    case 'open':
      return undefined;
    case 'answered': {
      const by = escapeMrkdwn(ask.answeredByName ?? 'the department');
      const took = ask.answeredAt === null ? '' : ` (took ${formatSpan(ask.answeredAt - ask.askedAt, 'down')})`;
      return { department: `:white_check_mark: *Answered* by ${by}${took}.`, thread: `answered by ${by}${took}.` };
    }
    case 'declined': {
      const why = ask.closedReason ? `: ${escapeMrkdwn(ask.closedReason)}` : '';
      return { department: `:leftwards_arrow_with_hook: *Not ours*${why}. No answer needed.`, thread: `not theirs${why}.` };
    }
    case 'cancelled':
      return ask.closedReason === closedReason
        ? { department: `:lock: *Case #${ask.caseId} closed*: no answer needed.`, thread: 'settled by the close of the case.' }
        : { department: ':no_entry_sign: *Cancelled* by support: no answer needed.', thread: 'cancelled.' };
  }
}

/**
 * The question in the department channel as it is now: open, with its reply-by time and the
 * "Need more time" and "Not ours" buttons; settled, with how it ended and no buttons. Pure.
 */
export function renderQuestion(c: AskContext): SlackPost {
  const { ask, department } = c;
  const pings = (department?.mention ?? []).map(mention).join(' ');
  const outcome = outcomeOf(ask);
  const link = c.permalink ? `<${c.permalink}|Open the case thread>` : '';
  const lines = [
    `:question: *Question from support* · case #${c.theCase.id} · Q${ask.id}${pings ? `  ${pings}` : ''}`,
    `*Client:* ${escapeMrkdwn(clientName(c.client))}   *Asked by:* <@${ask.askedBy}>`,
    `>${escapeWithLinks(ask.question).replace(/\n/g, '\n>')}`,
    ...(outcome === undefined
      ? [`*Reply by:* ${formatDeadline(ask.deadlineAt, c.now, department)}`, `${link ? `${link} · ` : ''}Reply in this thread to answer.`]
      : [outcome.department, ...(link ? [link] : [])]),
  ];
  const text = lines.join('\n');
  const section = { type: 'section', text: { type: 'mrkdwn', text: truncateEscaped(text, slackLimits.sectionText) } };
  if (outcome !== undefined) return { text, blocks: [section] };
  return {
    text,
    blocks: [
      section,
      {
        type: 'actions',
        block_id: `ask-${ask.id}`,
        elements: [
          { type: 'button', action_id: askActions.extend, text: { type: 'plain_text', text: 'Need more time' }, value: String(ask.id) },
          { type: 'button', action_id: askActions.decline, text: { type: 'plain_text', text: 'Not ours' }, value: String(ask.id), style: 'danger' },
        ],
      },
    ],
  };
}

/**
 * The question's confirmation in the case thread as it is now: open, with its reply-by time and
 * the "Cancel question" button; settled, with how it ended and no button. Pure.
 */
export function renderConfirmation(c: AskContext): SlackPost {
  const { ask, department } = c;
  const told = department?.tellClient ? ' The client was told we are checking with the department.' : '';
  const outcome = outcomeOf(ask);
  const label = askLabel(ask, department);
  if (outcome !== undefined) {
    const text = `:outbox_tray: Asked ${label}: ${outcome.thread}${told}`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const text = `:outbox_tray: Asked ${label}: reply by ${formatDeadline(ask.deadlineAt, c.now, department)}.${told}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'actions', block_id: `ask-cancel-${ask.id}`, elements: [{ type: 'button', action_id: askActions.cancel, text: { type: 'plain_text', text: 'Cancel question' }, value: String(ask.id) }] },
    ],
  };
}

/** A post in the department channel: the question (with buttons) or a notice in its thread. Pure. */
export function renderDepartmentPost(post: DepartmentPost, c: AskContext): SlackPost {
  const { ask, department } = c;
  const due = formatDeadline(ask.deadlineAt, c.now, department);
  switch (post.type) {
    case 'question':
      return renderQuestion(c);
    case 'reminder':
      return { text: `:alarm_clock: Reminder: support is waiting for your answer to Q${ask.id}. Reply by ${due}. ${(department?.mention ?? []).map(mention).join(' ')}`.trim() };
    case 'overdue': {
      const leads = (department?.escalateTo ?? []).map(mention).join(' ');
      return { text: `:rotating_light: Q${ask.id} is overdue: no answer by ${due}.${leads ? ` Escalated to ${leads}.` : ''} Please reply in this thread.` };
    }
    case 'escalated-again':
      return { text: `:rotating_light: Q${ask.id} is still unanswered (deadline was ${due}). Support lead: ${c.departments.supportLead.map(mention).join(' ') || 'not configured'}.` };
    case 'extended':
      return { text: `:hourglass: New reply-by time for Q${ask.id}: ${due}, set by ${escapeMrkdwn(post.byName)}. Reason: ${escapeMrkdwn(post.reason)}` };
    case 'cancelled':
      return { text: `:no_entry_sign: Support (<@${post.by}>) cancelled Q${ask.id}: no answer needed any more.` };
    case 'settled':
      return { text: `:white_check_mark: Q${ask.id} is settled.` };
    case 'case-closed':
      return { text: `:lock: Support (<@${post.by}>) closed case #${ask.caseId}: Q${ask.id} needs no answer any more.` };
  }
}

type AskThreadPost = Extract<ThreadPost, { askId: number }>;

/** A notice about an ask in the case thread. Pure. */
export function renderAskThreadPost(post: AskThreadPost, c: AskContext): SlackPost {
  const { ask, department } = c;
  const label = askLabel(ask, department);
  const due = formatDeadline(ask.deadlineAt, c.now, department);
  switch (post.type) {
    case 'ask-created':
      return renderConfirmation(c);
    case 'ask-answered': {
      const name = escapeMrkdwn(department?.name ?? ask.departmentId);
      const head = post.followUp ? `:speech_balloon: More from *${name}*` : `:inbox_tray: *${name}* answered Q${ask.id}`;
      return { text: `${head} (${escapeMrkdwn(post.byName)}), <@${ask.askedBy}>:\n${escapeWithLinks(post.text)}${settledPrompt(post.allSettled)}` };
    }
    case 'ask-overdue': {
      const leads = (department?.escalateTo ?? []).map(mention).join(' ');
      return { text: `:rotating_light: ${label} is overdue: no answer by ${due}.${leads ? ` Escalated to ${leads}.` : ''} <@${ask.askedBy}>` };
    }
    case 'ask-escalated':
      return { text: `:rotating_light: ${label} is still unanswered long after its deadline; the support lead was told.` };
    case 'ask-extended':
      return { text: `:hourglass: *${escapeMrkdwn(department?.name ?? ask.departmentId)}* needs more time for Q${ask.id} (${escapeMrkdwn(post.byName)}): new reply-by ${due}. Reason: ${escapeMrkdwn(post.reason)}` };
    case 'ask-declined':
      return {
        text: `:leftwards_arrow_with_hook: *${escapeMrkdwn(department?.name ?? ask.departmentId)}* says Q${ask.id} is not theirs (${escapeMrkdwn(post.byName)}): ${escapeMrkdwn(post.reason)}. <@${ask.askedBy}>, ask another department with \`!ask\`.${settledPrompt(post.allSettled)}`,
      };
    case 'ask-cancelled':
      return { text: `:no_entry_sign: ${label} cancelled by <@${post.by}>.${settledPrompt(post.allSettled === true)}` };
    case 'department-files':
      return { text: `:paperclip: *${escapeMrkdwn(department?.name ?? ask.departmentId)}* (${escapeMrkdwn(post.byName)}) shared with the answer to Q${ask.id}: ${post.files.map((f) => escapeMrkdwn(f.name)).join(', ')}` };
  }
}

const askUsage = 'Usage: `!ask <department> [in <duration>] <question>`';

/**
 * The private answer to an `!ask` that sent nothing: the list of departments after an unknown one,
 * else what was wrong and how to write it. A first word "in" always starts the deadline, so a
 * question that starts with "in" is shown how to give the deadline first. Pure.
 */
export function renderAskProblem(notice: Extract<PrivateNotice, { type: 'unknown-department' | 'ask-usage' }>, departments: DepartmentsConfig): string {
  if (notice.type === 'unknown-department') return renderDepartmentList(departments, notice.given);
  if (notice.problem === 'no-question') return `${askUsage}: the question is missing. Nothing was sent.`;
  const department = departments.departments.find((d) => d.id === notice.department);
  const id = department?.id ?? '<department>';
  const usual = department === undefined ? '2h' : formatDuration(department.replyWithinMs);
  const given = notice.given ?? '';
  const what = given === '' ? '`in` must be followed by a reply-by time' : `"${escapeMrkdwn(given)}" is not a duration`;
  return [
    `${what}: after the department, \`in\` starts the deadline (\`in 30m\`, \`in 2h\`, \`in 1d\`). Nothing was sent.`,
    `A question that starts with "in" gives the deadline first: \`!ask ${escapeMrkdwn(id)} in ${usual} in ${escapeMrkdwn(given === '' ? '…' : `${given}…`)}\`${department === undefined ? '' : ` (${usual} is ${escapeMrkdwn(department.name)}'s usual reply time)`}.`,
  ].join('\n');
}

/** The private list of departments shown after an unknown `!ask` department. */
export function renderDepartmentList(departments: DepartmentsConfig, given?: string): string {
  const head = given ? `There is no department "${escapeMrkdwn(given)}"; nothing was sent.` : 'Say which department to ask; nothing was sent.';
  if (departments.departments.length === 0) return `${head} No departments are configured (see DEPARTMENTS_FILE).`;
  const list = departments.departments.map((d) => `• \`${d.id}\`${d.aliases.length ? ` (${d.aliases.map((a) => `\`${a}\``).join(', ')})` : ''}: ${escapeMrkdwn(d.name)}, replies within ${formatDuration(d.replyWithinMs)}`);
  return [head, 'Departments:', ...list, askUsage].join('\n');
}
