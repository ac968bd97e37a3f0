import type { PrivateNotice, ThreadPost } from '../../../src/outgoing.js';
import { agentCommandNames } from '../../../src/cases/agent-command.js';
import { formatSpan } from '../../../src/duration.js';
import { formatBytes } from '../../../src/files.js';
import { ratingStars } from '../../../src/cases/rating.js';
import { escapeWithLinks } from './escape-with-links.js';
import { escapeMrkdwn } from './mrkdwn.js';

const commandHelp: Record<string, string> = {
  reply: '`!reply <text>` (or `!r`): send <text> to the client',
  close: '`!close [summary]`: close the case and tell the client',
  reopen: '`!reopen`: open a closed case again',
  assign: '`!assign @someone` or `!assign me`: set who owns the case',
  history: '`!history`: post the whole case history here, as a file',
  ask: '`!ask <department> [in <duration>] <question>`: ask a department, with a reply-by time',
  cancel: '`!cancel <question number>`: withdraw a department question',
  link: '`!link <case number>`: link this case with another (same cause, follow-up); both show the link',
  help: '`!help`: this list',
};

/** The list of thread commands, one per line. */
export function helpText(): string {
  const lines = agentCommandNames.map((name) => `• ${commandHelp[name] ?? `\`!${name}\``}`);
  return ['Commands in a case thread:', ...lines, 'Anything else you write here is an internal note: it stays in the history and never reaches the client.'].join('\n');
}

/** Text of a private answer to one person in Slack. `renderAskProblem` renders the ask-specific ones. Pure. */
export function renderEphemeral(notice: PrivateNotice, renderAskProblem: (notice: Extract<PrivateNotice, { type: 'unknown-department' | 'ask-usage' }>) => string): string {
  switch (notice.type) {
    case 'help':
      return notice.unknownCommand ? `\`${notice.unknownCommand}\` is not a command; nothing was sent.\n${helpText()}` : helpText();
    case 'usage':
      return `Usage: ${commandHelp[notice.command.slice(1)] ?? notice.command}. Nothing was sent.`;
    case 'not-agent':
      return notice.via === 'message'
        ? `Only support agents can use \`${notice.command}\`; nothing was done. Your message stays in the thread as a note.`
        : `Only support agents can use this button (\`${notice.command}\`); nothing was done.`;
    case 'case-closed':
      return `This case is closed, so \`${notice.command}\` was not sent. Use \`!reopen\` first.`;
    case 'already-closed':
      return `Case #${notice.caseId} is already closed.`;
    case 'already-open':
      return `Case #${notice.caseId} is already open.`;
    case 'no-such-case':
      return `There is no case #${notice.caseId}; nothing was linked.`;
    case 'link-to-itself':
      return `A case cannot be linked with itself (this is case #${notice.caseId}).`;
    case 'already-linked':
      return `Cases #${notice.caseId} and #${notice.otherCaseId} are already linked.`;
    case 'no-open-questions':
      return `Case #${notice.caseId} has no open department questions.`;
    case 'which-question':
      return `Say which question to cancel: \`!cancel <number>\`. Open: ${notice.open.map((q) => `Q${q.askId} (${escapeMrkdwn(q.department)})`).join(', ')}.`;
    case 'reply-edit-refused':
      return notice.reason === 'files'
        ? 'The client still has your reply as first sent: a reply with files cannot be edited. Send a correction with `!reply`.'
        : notice.reason === 'split'
          ? 'The client still has your reply as first sent: it reached them as several messages (it was long), which cannot be edited. Send a correction with `!reply`.'
          : notice.reason === 'too-old'
          ? `The client still has your reply as first sent: replies can be edited for ${notice.maxAgeHours} hours. Send a correction with \`!reply\`.`
          : 'The client still has your reply as first sent: the edit no longer reads as `!reply <text>`. Keep `!reply` at the start to change what they see.';
    case 'reply-not-unsent':
      return 'Deleting your message in Slack does not unsend it: the client still has the reply. Send a correction with `!reply` if needed.';
    case 'question-not-open':
      return `Q${notice.askId} is no longer open; nothing was done.`;
    case 'unknown-department':
    case 'ask-usage':
      return renderAskProblem(notice);
  }
}

/** Text of a notice posted by Repka into a case thread (client messages are rendered elsewhere). Pure. */
export function renderThreadNotice(post: Exclude<ThreadPost, { type: 'client-message' } | { type: 'history' } | { askId: number }>, c: { assignee: string | null; now: number }): string {
  switch (post.type) {
    case 'closed':
      return `:lock: Case closed by <@${post.by}>${post.summary ? `: ${escapeWithLinks(post.summary)}` : ''}. The client was told.${
        post.settledAskIds && post.settledAskIds.length > 0 ? ` Open questions settled by the close, their departments told: ${post.settledAskIds.map((id) => `Q${id}`).join(', ')}.` : ''
      }`;
    case 'reopened':
      return `:unlock: Case reopened by <@${post.by}>. The client was told.${
        post.settledAskIds && post.settledAskIds.length > 0
          ? ` The close had settled ${post.settledAskIds.map((id) => `Q${id}`).join(', ')}: ${post.settledAskIds.length === 1 ? 'it stays' : 'they stay'} settled, so \`!ask\` again if the answer is still needed.`
          : ''
      }`;
    case 'assigned':
      return `:bust_in_silhouette: Assigned to <@${post.assignee}> by <@${post.by}>.`;
    case 'delivery-failed':
      return `:warning: Could not deliver ${post.what}: ${post.reason}.`;
    case 'client-new-case':
      return `:arrow_right: The client opened a new case: #${post.newCaseId}.`;
    case 'linked':
      return `:link: Linked with case #${post.otherCaseId} by <@${post.by}>; each shows the other in its card and history.`;
    case 'reply-sent': {
      const files = post.files && post.files.length > 0 ? `${post.text === '' ? '' : '\n'}:paperclip: ${post.files.map((name) => escapeMrkdwn(name)).join(', ')}` : '';
      const quoted = post.text === '' ? '' : `>${escapeWithLinks(post.text).replace(/\n/g, '\n>')}`;
      return `:outbox_tray: <@${post.by}> replied to the client (delivered):\n${quoted}${files}`;
    }
    case 'client-edited':
      return `:pencil2: The client edited a message (edited): ${escapeMrkdwn(post.text)}${post.previousText ? `\n>Before: ${escapeMrkdwn(post.previousText).replace(/\n/g, '\n>')}` : ''}`;
    case 'reply-edited':
      return `:pencil2: <@${post.by}> edited their reply; the client's message now reads:\n>${escapeWithLinks(post.text).replace(/\n/g, '\n>')}`;
    case 'files-not-sent':
      return `:warning: Not sent to the client, over the ${formatBytes(post.limitBytes)} a bot may send on Telegram: ${post.files.map((f) => `${escapeMrkdwn(f.name)} (${formatBytes(f.size)})`).join(', ')}. Share a link instead, or a smaller file.`;
    case 'client-waiting':
      return `:hourglass_flowing_sand: The client has been waiting ${formatSpan(c.now - post.sinceMs, 'down')} for a first reply. ${c.assignee ? `<@${c.assignee}>` : 'Nobody is assigned: `!assign me`?'}`;
    case 'rated':
      return `:star: The client rated this case ${ratingStars(post.score)} (${post.score}/5).${post.mention ? ` <@${post.mention}>: a low rating, please take a look.` : ''}`;
    case 'rating-comment':
      return `:speech_balloon: The client's comment on their rating${post.score === undefined ? '' : ` (${post.score}/5)`}: ${escapeMrkdwn(post.text)}`;
  }
}

/** The first post in the thread of a case card posted again because the old one was deleted in Slack. Pure. */
export function renderCardReposted(caseId: number): string {
  return `:recycle: The card of case #${caseId} was deleted in Slack, so it was posted again: the case goes on in this thread. Earlier posts of the old thread are in \`!history\`.`;
}
