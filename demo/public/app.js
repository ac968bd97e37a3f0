// The playground page: renders what the fake Telegram and Slack recorded (GET /api/state, polled)
// and sends the visitor's actions to the playground server, which turns them into platform calls.
// Nothing typed is lost: the server holds what comes before Repka is up and shows it "sending…";
// what the server itself did not take (it is down, or restarting) stays here as "not sent" with Retry.

import { context, el, mrkdwn, nameOf, renderBlocks, textObject, withEmoji } from './slack-render.js';

const pollEveryMs = 500;

let lastJson = '';
let state = null;
/** Who the visitor posts as, per channel ID. */
const postingAs = {};
/** The modal on screen: its id and hash; rebuilt when another modal opens or Repka updates it. */
let shownModal = null;
/** The bot message the client is replying to (Telegram's reply), or null. */
let replyingTo = null;
/** The thread a workspace link pointed to, marked for a moment: { channel, ts, until }. */
let highlighted = null;
/** What the playground server did not take: { key, path, body, text, problem }, shown where it was typed. */
const unsent = [];

const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const report = (error) => console.error('playground:', error);

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.error ?? `HTTP ${res.status}`);
  void poll();
  return answer;
}

/** The problem in an answer that carries Repka's status (a click, a slash command), or undefined when Repka took it. */
const refusal = (answer) => (typeof answer.status === 'number' && (answer.status < 200 || answer.status >= 300) ? `Repka answered HTTP ${answer.status}` : undefined);

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

/** A click or a form sent to Repka: when it does not arrive, says so with a Retry button, so no press is silently lost. */
async function act(what, path, body) {
  let problem;
  let answer = {};
  try {
    answer = await post(path, body);
    problem = refusal(answer);
  } catch (error) {
    problem = error.message;
  }
  const toast = document.getElementById('toast');
  if (problem === undefined) return answer;
  toast.replaceChildren(
    el('span', { text: `${what} did not reach Repka (${problem}). ` }),
    el('button', { type: 'button', class: 'retry', text: 'Retry', onclick: () => (toast.replaceChildren(), void act(what, path, body)) }),
    el('button', { type: 'button', class: 'toast-close', text: '✕', onclick: () => toast.replaceChildren() }),
  );
  return answer;
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

// ---- The Repka app's Home tab ----

async function openHome(user) {
  const root = document.getElementById('home-root');
  const closeButton = el('button', { type: 'button', class: 'home-close', text: 'Close', onclick: () => root.replaceChildren() });
  const panel = el('section', { class: 'modal home', 'data-user': user, 'aria-label': `Repka Home of ${nameOf(user)}` }, el('header', { class: 'modal-head' }, el('strong', { text: `Repka · Home of ${nameOf(user)}` }), closeButton));
  const body = el('div', { class: 'home-body', text: 'Opening…' });
  panel.append(body);
  root.replaceChildren(el('div', { class: 'overlay' }, panel));
  try {
    const answer = await post('/api/slack/home', { user });
    if (answer.view === undefined) body.textContent = `Repka published no Home (HTTP ${answer.status}).`;
    else body.replaceChildren(renderBlocks(answer.view.blocks ?? [], () => undefined));
  } catch (error) {
    body.textContent = `Not opened: ${error.message}`;
  }
}

// ---- Modals (views.open, views.update) ----

/** Whether typing in an input block sends block_actions (dispatch_action), and on what. */
const dispatchesOnTyping = (block) => block.dispatch_action === true && (block.element?.dispatch_action_config?.trigger_actions_on ?? ['on_enter_pressed']).includes('on_character_entered');

/** The values of the modal on screen, by block_id: what Slack puts in view.state. */
const modalValues = () => Object.fromEntries([...document.querySelectorAll('#modal-root form.modal [name]')].map((control) => [control.name, control.value]));

/** One typing sender per modal input, kept across re-renders of the modal, so an old one never sends stale text. */
const typingSenders = new Map();

/** Typing in a dispatching input: one block_actions at a time, then the newest text, as Slack coalesces keystrokes. */
function typingSender(modalId, blockId) {
  const key = `${modalId}:${blockId}`;
  if (typingSenders.has(key)) return typingSenders.get(key);
  let busy = false;
  let again = false;
  const run = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    do {
      again = false;
      await post('/api/slack/type', { modalId, blockId, values: modalValues() }).catch(report);
    } while (again);
    busy = false;
  };
  typingSenders.set(key, run);
  return run;
}

function renderModal() {
  const modal = state.modals[state.modals.length - 1];
  const root = document.getElementById('modal-root');
  if (modal === undefined) {
    shownModal = null;
    root.replaceChildren();
    return;
  }
  if (shownModal?.id === modal.id && shownModal.hash === modal.hash) return;
  // Slack keeps what was typed when the app updates the view: the fields keep their values and focus.
  const kept = shownModal?.id === modal.id ? shownModal : null;
  const focused = kept ? document.activeElement?.getAttribute('name') : null;
  const selection = focused ? [document.activeElement.selectionStart, document.activeElement.selectionEnd] : null;
  const view = modal.view;
  const fields = {};
  const errors = {};
  const form = el('form', { class: 'modal', 'data-modal': modal.id });
  const values = () => Object.fromEntries(Object.entries(fields).map(([id, control]) => [id, control.value]));
  form.append(el('header', { class: 'modal-head' }, el('strong', { text: withEmoji(view.title?.text ?? 'Modal') }), el('span', { class: 'muted', text: `opened by ${nameOf(modal.user)}` })));
  for (const block of view.blocks ?? []) {
    if (block.type === 'input') {
      const element = block.element ?? {};
      let control;
      if (element.type === 'file_input') {
        form.append(el('div', { class: 'field' }, el('span', { text: block.label?.text ?? block.block_id }), el('span', { class: 'muted', text: 'Uploading files is not part of the playground: this stays empty.' })));
        continue;
      }
      if (element.type === 'static_select') {
        control = el('select', { name: block.block_id }, el('option', { value: '', text: element.placeholder?.text ?? 'Choose…' }), ...(element.options ?? []).map((o) => el('option', { value: o.value, text: o.text?.text ?? o.value })));
      } else if (element.multiline) control = el('textarea', { name: block.block_id, rows: 3, placeholder: element.placeholder?.text, maxlength: element.max_length });
      else control = el('input', { type: 'text', name: block.block_id, autocomplete: 'off', placeholder: element.placeholder?.text, maxlength: element.max_length });
      control.value = kept?.values[block.block_id] ?? element.initial_value ?? element.initial_option?.value ?? '';
      if (dispatchesOnTyping(block)) control.addEventListener('input', typingSender(modal.id, block.block_id));
      fields[block.block_id] = control;
      errors[block.block_id] = el('div', { class: 'field-error', text: kept?.errors[block.block_id] ?? '' });
      form.append(el('label', { class: 'field' }, el('span', { text: `${block.label?.text ?? block.block_id}${block.optional ? ' (optional)' : ''}` }), control, errors[block.block_id]));
    } else if (block.type === 'section' && block.text) form.append(el('div', { class: 'block-section', 'data-block': block.block_id }, textObject(block.text)));
    else if (block.type === 'context' || block.type === 'header' || block.type === 'divider') form.append(renderBlocks([block], () => undefined));
  }
  const cancel = el('button', { type: 'button', text: view.close?.text ?? 'Cancel', onclick: () => post('/api/slack/dismiss', { modalId: modal.id }).catch(report) });
  form.append(el('footer', { class: 'modal-foot' }, cancel, el('button', { type: 'submit', class: 'primary', text: view.submit?.text ?? 'Submit' })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act('The form', '/api/slack/submit', { modalId: modal.id, values: values() }).then((answer) => {
      for (const [id, box] of Object.entries(errors)) box.textContent = answer.errors?.[id] ?? '';
      if (shownModal?.id === modal.id) shownModal.errors = answer.errors ?? {};
    });
  });
  root.replaceChildren(el('div', { class: 'overlay' }, form));
  shownModal = {
    id: modal.id,
    hash: modal.hash,
    errors: kept?.errors ?? {},
    get values() {
      return values();
    },
  };
  const refocus = focused ? fields[focused] : null;
  if (refocus) {
    refocus.focus();
    if (selection && typeof refocus.setSelectionRange === 'function') refocus.setSelectionRange(selection[0], selection[1]);
  }
}

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
  renderModal();
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

void poll();
setInterval(poll, pollEveryMs);
