// The playground page: renders what the fake Telegram and Slack recorded (GET /api/state, polled)
// and sends the visitor's actions to the playground server, which turns them into platform calls.
// Nothing typed is lost: the server holds what comes before Repka is up and shows it "sending…";
// what the server itself did not take (it is down, or restarting) stays here as "not sent" with Retry.

import { openHome, renderModal } from './overlays.js';
import { act, post, refusal, report, requests } from './requests.js';
import { context, el, mrkdwn, nameOf, renderBlocks } from './slack-render.js';

const pollEveryMs = 500;

let lastJson = '';
let state = null;
/** Who the visitor posts as, per channel ID. */
const postingAs = {};
/** The bot message the client is replying to (Telegram's reply), or null. */
let replyingTo = null;
/** The thread a workspace link pointed to, marked for a moment: { channel, ts, until }. */
let highlighted = null;
/** What the playground server did not take: { key, path, body, text, problem }, shown where it was typed. */
const unsent = [];

const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Sends what the visitor typed; when the playground server or Repka does not take it, keeps it on the page as "not sent". */
async function send(key, path, body, text) {
  let problem;
  try {
    problem = refusal(await post(path, body));
  } catch (error) {
    problem = error.message;
  }
  if (problem === undefined) return;
  unsent.push({ key, path, body, text, problem });
  lastJson = '';
  // Shown at once, also when the server is down and the next poll gets nothing to render.
  render();
  void poll();
}

function retryUnsent(item) {
  unsent.splice(unsent.indexOf(item), 1);
  lastJson = '';
  render();
  void send(item.key, item.path, item.body, item.text);
}

/** "sending…", or "not delivered" with Retry, for an input the server holds (`delivery` from the state). */
function deliveryNote(delivery) {
  if (delivery === undefined || delivery === null || delivery.delivery === 'sent') return null;
  if (delivery.delivery === 'sending') return el('span', { class: 'delivery sending', text: state?.repka === 'up' ? 'sending…' : 'sending… (Repka is starting)' });
  return el(
    'span',
    { class: 'delivery failed', title: delivery.problem ?? '' },
    'not delivered ',
    el('button', { type: 'button', class: 'retry', text: 'Retry', onclick: () => post('/api/retry', { id: delivery.id }).catch(report) }),
  );
}

function unsentNode(item, className) {
  return el(
    'div',
    { class: `${className} unsent` },
    el('div', { class: 'tg-text', text: item.text }),
    el('span', { class: 'delivery failed', title: item.problem }, 'not sent: the playground server did not answer ', el('button', { type: 'button', class: 'retry', text: 'Retry', onclick: () => retryUnsent(item) })),
  );
}

// ---- Telegram ----

function renderChat() {
  document.getElementById('tg-title').textContent = `${state.client.name} ↔ Repka bot`;
  const chat = document.getElementById('tg-chat');
  const lines = state.chat.map((line) => {
    const bubble = el('div', { class: `tg-msg ${line.from}`, 'data-message-id': line.messageId });
    if (line.replyTo) bubble.append(el('div', { class: 'tg-quote', text: line.replyTo.text }));
    bubble.append(el('div', { class: 'tg-text', text: line.text }));
    for (const row of line.buttons ?? []) {
      bubble.append(el('div', { class: 'tg-keyboard' }, ...row.map((b) => el('button', { type: 'button', class: 'tg-button', text: b.text, onclick: () => void act(`“${b.text}”`, '/api/client/press', { messageId: line.messageId, data: b.data }) }))));
    }
    const foot = el('div', { class: 'tg-time' }, deliveryNote(line.delivery), clock(line.time));
    if (line.from === 'bot') foot.prepend(el('button', { type: 'button', class: 'tg-reply', title: 'Reply to this message', text: '↩ Reply', onclick: () => startReply(line) }));
    bubble.append(foot);
    return bubble;
  });
  lines.push(...unsent.filter((u) => u.key === 'tg').map((u) => unsentNode(u, 'tg-msg client')));
  if (lines.length === 0) lines.push(el('p', { class: 'empty', text: 'No messages yet. Write to the bot as the client below.' }));
  chat.replaceChildren(...lines);
}

function startReply(line) {
  replyingTo = { messageId: line.messageId, text: line.text };
  showReplying();
  document.getElementById('tg-input').focus();
}

function showReplying() {
  const bar = document.getElementById('tg-replying');
  bar.hidden = replyingTo === null;
  bar.replaceChildren(
    ...(replyingTo === null
      ? []
      : [el('span', { class: 'tg-quote', text: `Reply to: ${replyingTo.text}` }), el('button', { type: 'button', class: 'tg-reply-cancel', title: 'Cancel the reply', text: '✕', onclick: () => ((replyingTo = null), showReplying()) })]),
  );
}

document.getElementById('tg-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('tg-input');
  const text = input.value.trim();
  if (text === '') return;
  input.value = '';
  const body = { text, ...(replyingTo === null ? {} : { replyTo: replyingTo.messageId }) };
  replyingTo = null;
  showReplying();
  void send('tg', '/api/client/message', body, text);
});
for (const button of document.querySelectorAll('[data-command]')) {
  button.addEventListener('click', () => void send('tg', '/api/client/message', { text: button.dataset.command }, button.dataset.command));
}

// ---- Slack ----

function slackMessage(channel, message) {
  const author = message.bot ? 'Repka' : nameOf(message.user);
  const head = el('div', { class: 'msg-head' }, el('strong', { text: author }), message.bot ? el('span', { class: 'app-tag', text: 'APP' }) : null, el('span', { class: 'muted', text: clock(message.time) }), deliveryNote(message.delivery));
  const node = el('div', { class: `slack-msg${message.onlyFor ? ' ephemeral' : ''}`, 'data-ts': message.ts }, head);
  if (message.onlyFor) node.append(el('div', { class: 'only-you', text: `Only visible to ${nameOf(message.onlyFor)}` }));
  const click = (actionId) => void act('The click', '/api/slack/click', { channel, ts: message.ts, user: postingAs[channel], actionId });
  if (Array.isArray(message.blocks) && message.blocks.length > 0) node.append(renderBlocks(message.blocks, click));
  else node.append(mrkdwn(message.text));
  for (const file of message.files ?? []) {
    node.append(el('a', { class: 'file', href: `/api/slack/files/${encodeURIComponent(file.id)}`, target: '_blank', rel: 'noopener', text: `📎 ${file.title ?? file.name ?? file.id}` }));
  }
  if (message.reactions?.length) node.append(el('div', { class: 'reactions' }, ...message.reactions.map((r) => el('span', { class: 'reaction', title: `:${r}:`, text: context.emoji[r] ?? `:${r}:` }))));
  return node;
}

/** A composer: a message, or a slash command (`/repka stats`) when it starts with "/". */
function composer(channel, threadTs, placeholder, label) {
  const key = `${channel}:${threadTs ?? '-'}`;
  const input = el('input', { type: 'text', class: threadTs ? 'reply-input' : 'channel-input', autocomplete: 'off', 'data-key': key, placeholder, 'aria-label': label });
  const form = el('form', { class: `composer ${threadTs ? 'reply' : 'channel-composer'}` }, input, el('button', { type: 'submit', class: threadTs ? 'reply-send' : 'channel-send', text: threadTs ? 'Reply' : 'Send' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text === '') return;
    input.value = '';
    const command = text.startsWith('/');
    const body = { channel, user: postingAs[channel], text, ...(threadTs ? { threadTs } : {}) };
    void send(key, command ? '/api/slack/command' : '/api/slack/message', body, text);
  });
  return form;
}

function threadNode(channel, thread) {
  const marked = highlighted?.channel === channel && highlighted.ts === thread.ts && Date.now() < highlighted.until;
  const node = el('article', { class: `thread${marked ? ' highlight' : ''}`, 'data-ts': thread.ts }, slackMessage(channel, thread));
  const key = `${channel}:${thread.ts}`;
  const replies = el('div', { class: 'replies' }, ...thread.replies.map((r) => slackMessage(channel, r)), ...unsent.filter((u) => u.key === key).map((u) => unsentNode(u, 'slack-msg')));
  node.append(replies, composer(channel, thread.ts, `Reply in thread as ${nameOf(postingAs[channel])}… (or /repka stats)`, 'Reply in thread'));
  return node;
}

function channelNode(channel, title, subtitle, people, threads, notes) {
  if (!postingAs[channel] || !people.some((p) => p.id === postingAs[channel])) postingAs[channel] = people[0]?.id;
  const select = el('select', { class: 'post-as', 'data-channel': channel, 'aria-label': `Post in #${title} as` }, ...people.map((p) => el('option', { value: p.id, selected: p.id === postingAs[channel], text: `${p.name} (${p.role})` })));
  select.addEventListener('change', () => {
    postingAs[channel] = select.value;
    lastJson = '';
    void poll();
  });
  const home = el('button', { type: 'button', class: 'open-home', title: 'The Repka app’s Home tab, as this person sees it', text: 'Home', onclick: () => void openHome(postingAs[channel]) });
  const head = el('header', { class: 'column-head' }, el('strong', { text: `# ${title}` }), subtitle ? el('span', { class: 'muted', text: subtitle }) : null, el('label', { class: 'as' }, 'as ', select), home);
  const body = threads.length > 0 ? threads.map((t) => threadNode(channel, t)) : [el('p', { class: 'empty', text: 'Nothing here yet.' })];
  const channelNotes = [...notes.map((n) => slackMessage(channel, n)), ...unsent.filter((u) => u.key === `${channel}:-`).map((u) => unsentNode(u, 'slack-msg'))];
  const foot = el('div', { class: 'channel-foot' }, ...channelNotes, composer(channel, undefined, `Message #${title} as ${nameOf(postingAs[channel])}… (/repka stats)`, `Message #${title}`));
  return el('div', { class: 'channel', 'data-channel': channel }, head, el('div', { class: 'channel-body' }, ...body), foot);
}

function renderSlack() {
  const support = state.support;
  document.getElementById('support-column').replaceChildren(
    el('div', { class: 'scroll' }, channelNode(support.id, support.name, 'Slack · one thread per case', support.people, support.threads, support.notes)),
  );
  document.getElementById('departments-column').replaceChildren(
    el('div', { class: 'scroll' }, ...state.departments.map((d) => channelNode(d.channel, d.id, `Slack · ${d.name}`, d.people, d.threads, d.notes))),
  );
}

/** Shows the message a workspace link points to (an "Open the case thread" link, a Home link): scrolled to and marked. */
context.openMessage = (channel, digits) => {
  document.getElementById('home-root').replaceChildren();
  const target = [...document.querySelectorAll(`.channel[data-channel="${channel}"] [data-ts]`)].find((node) => node.dataset.ts.replace('.', '') === digits);
  if (target === undefined) return;
  const thread = target.closest('article.thread') ?? target;
  thread.scrollIntoView({ block: 'start', behavior: 'smooth' });
  thread.classList.add('highlight');
  // Kept across re-renders while the mark fades (style.css), so a poll does not take it away at once.
  highlighted = { channel, ts: thread.dataset.ts, until: Date.now() + 2500 };
};

// ---- Polling, keeping what the visitor is typing and where they scrolled ----

function keepInputs(render) {
  const active = document.activeElement;
  const focusedKey = active?.dataset?.key;
  const selection = focusedKey ? [active.selectionStart, active.selectionEnd] : null;
  const values = new Map([...document.querySelectorAll('[data-key]')].map((input) => [input.dataset.key, input.value]));
  const scrolls = [...document.querySelectorAll('.scroll')].map((box) => ({ id: box.id || box.parentElement.id, top: box.scrollTop, atBottom: box.scrollHeight - box.scrollTop - box.clientHeight < 40 }));
  render();
  for (const input of document.querySelectorAll('[data-key]')) {
    if (values.has(input.dataset.key)) input.value = values.get(input.dataset.key);
    if (input.dataset.key === focusedKey) {
      input.focus();
      if (selection) input.setSelectionRange(selection[0], selection[1]);
    }
  }
  for (const box of document.querySelectorAll('.scroll')) {
    const before = scrolls.find((s) => s.id === (box.id || box.parentElement.id));
    box.scrollTop = before === undefined || before.atBottom ? box.scrollHeight : before.top;
  }
}

/** The page from the last state the server gave, and what it did not take. */
function render() {
  if (state === null) return;
  keepInputs(() => {
    renderChat();
    renderSlack();
  });
  renderModal(state);
}

async function poll() {
  const connection = document.getElementById('connection');
  const starting = document.getElementById('starting');
  try {
    const res = await fetch('/api/state', { cache: 'no-store' });
    const json = await res.text();
    connection.hidden = true;
    if (json === lastJson) return;
    lastJson = json;
    state = JSON.parse(json);
    Object.assign(context, { names: state.names, emoji: state.emoji, exportCommand: state.exportCommand });
    starting.hidden = state.repka === 'up';
    render();
  } catch (error) {
    connection.hidden = false;
    report(error);
  }
}

requests.afterPost = () => void poll();
void poll();
setInterval(poll, pollEveryMs);
