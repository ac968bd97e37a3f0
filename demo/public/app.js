// The playground page: renders what the fake Telegram and Slack recorded (GET /api/state, polled)
// and sends the visitor's actions to the playground server, which turns them into platform calls.
// Every piece of text goes into the page through textContent or createTextNode, never as HTML.

const pollEveryMs = 500;
const emoji = {
  question: '❓',
  alarm_clock: '⏰',
  rotating_light: '🚨',
  inbox_tray: '📥',
  outbox_tray: '📤',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  hourglass: '⌛',
  no_entry_sign: '🚫',
  speech_balloon: '💬',
  point_right: '👉',
  warning: '⚠️',
  leftwards_arrow_with_hook: '↩️',
  lock: '🔒',
  unlock: '🔓',
  paperclip: '📎',
  bust_in_silhouette: '👤',
  memo: '📝',
  x: '❌',
  eyes: '👀',
  tada: '🎉',
  star: '⭐',
};

let names = {};
let lastJson = '';
/** Who the visitor posts as, per channel ID. */
const postingAs = {};
/** The modal on screen, by id; rebuilt only when another modal opens. */
let shownModal = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const decode = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const nameOf = (id) => names[id] ?? id;

/** Slack's `<!date^seconds^format>`, in the reader's time zone, as Slack shows it. */
function slackDate(target) {
  const [, seconds, format = '{date_short} {time}'] = target.split('^');
  const at = new Date(Number(seconds) * 1000);
  const minutes = Math.round((Date.now() - at.getTime()) / 60000);
  const ago = Math.abs(minutes) < 1 ? 'just now' : Math.abs(minutes) < 60 ? `${Math.abs(minutes)} min ${minutes > 0 ? 'ago' : 'from now'}` : `${Math.round(Math.abs(minutes) / 60)} h ${minutes > 0 ? 'ago' : 'from now'}`;
  const tokens = {
    '{date_short_pretty}': at.toDateString() === new Date().toDateString() ? 'Today' : at.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }),
    '{date_short}': at.toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: 'numeric' }),
    '{date}': at.toLocaleDateString(undefined, { month: 'long', day: 'numeric', year: 'numeric' }),
    '{date_num}': at.toISOString().slice(0, 10),
    '{time}': at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
    '{ago}': ago,
  };
  return format.replace(/\{[a-z_]+\}/g, (token) => tokens[token] ?? token);
}

/** Slack's `<…>` markup: user and group mentions, channels, links, dates. */
function angle(inner) {
  const [target, label] = inner.split('|', 2);
  if (target.startsWith('@')) return el('span', { class: 'mention', text: `@${nameOf(target.slice(1))}` });
  if (target.startsWith('!date^')) return el('span', { class: 'date', text: slackDate(target) });
  if (target.startsWith('!subteam^')) return el('span', { class: 'mention', text: `@${label ?? target.slice(9)}` });
  if (target.startsWith('!')) return el('span', { class: 'mention', text: `@${target.slice(1)}` });
  if (target.startsWith('#')) return el('span', { class: 'mention', text: `#${label ?? target.slice(1)}` });
  if (/^https?:\/\//i.test(target)) return el('a', { href: decode(target), target: '_blank', rel: 'noopener noreferrer', text: decode(label ?? target) });
  return document.createTextNode(decode(label ?? target));
}

/** One line of mrkdwn: *bold*, _italic_, ~strike~, `code`, :emoji:, <mentions|links>. */
function inline(text) {
  const out = document.createDocumentFragment();
  const pattern = /<([^<>\n]+)>|\*([^*\n]+)\*|_([^_\n]+)_|~([^~\n]+)~|`([^`\n]+)`|:([a-z0-9_+-]+):/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.append(decode(text.slice(last, match.index)));
    const [whole, link, bold, italic, strike, code, shortcode] = match;
    if (link !== undefined) out.append(angle(link));
    else if (bold !== undefined) out.append(el('strong', {}, inline(bold)));
    else if (italic !== undefined) out.append(el('em', {}, inline(italic)));
    else if (strike !== undefined) out.append(el('s', {}, inline(strike)));
    else if (code !== undefined) out.append(el('code', { text: decode(code) }));
    else out.append(emoji[shortcode] ?? whole);
    last = match.index + whole.length;
  }
  if (last < text.length) out.append(decode(text.slice(last)));
  return out;
}

/** Slack mrkdwn, minimally: inline markup per line, `>` lines as quotes. */
function mrkdwn(text) {
  const box = el('div', { class: 'mrkdwn' });
  let quote = null;
  for (const line of String(text ?? '').split('\n')) {
    const quoted = line.startsWith('>') || line.startsWith('&gt;');
    const body = quoted ? line.replace(/^(>|&gt;)\s?/, '') : line;
    if (quoted) {
      if (quote === null) box.append((quote = el('blockquote')));
      quote.append(el('div', {}, inline(body)));
    } else {
      quote = null;
      box.append(el('div', { class: body === '' ? 'blank' : undefined }, inline(body)));
    }
  }
  return box;
}

const textObject = (t) => (t?.type === 'mrkdwn' ? mrkdwn(t.text) : el('div', { text: t?.text ?? '' }));

function renderBlocks(blocks, onButton) {
  const box = el('div', { class: 'blocks' });
  for (const block of blocks) {
    if (block.type === 'header') box.append(el('div', { class: 'block-header', text: block.text?.text ?? '' }));
    else if (block.type === 'section') {
      const section = el('div', { class: 'block-section' });
      if (block.text) section.append(textObject(block.text));
      if (Array.isArray(block.fields)) section.append(el('div', { class: 'fields' }, ...block.fields.map(textObject)));
      box.append(section);
    } else if (block.type === 'context') {
      box.append(el('div', { class: 'block-context' }, ...(block.elements ?? []).filter((e) => e.type !== 'image').map(textObject)));
    } else if (block.type === 'divider') box.append(el('hr'));
    else if (block.type === 'actions') {
      const buttons = (block.elements ?? []).filter((e) => e.type === 'button');
      box.append(el('div', { class: 'block-actions' }, ...buttons.map((b) => el('button', { type: 'button', class: `slack-button ${b.style ?? ''}`, 'data-action': b.action_id, text: b.text?.text ?? b.action_id, onclick: () => onButton(b.action_id) }))));
    }
  }
  return box;
}

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.error ?? `HTTP ${res.status}`);
  void poll();
  return answer;
}

const report = (error) => console.error('playground:', error);

// ---- Telegram ----

function renderChat(state) {
  document.getElementById('tg-title').textContent = `${state.client.name} ↔ Repka bot`;
  const chat = document.getElementById('tg-chat');
  const lines = state.chat.map((line) => {
    const bubble = el('div', { class: `tg-msg ${line.from}`, 'data-message-id': line.messageId });
    bubble.append(el('div', { class: 'tg-text', text: line.text }));
    for (const row of line.buttons ?? []) {
      bubble.append(el('div', { class: 'tg-keyboard' }, ...row.map((b) => el('button', { type: 'button', class: 'tg-button', text: b.text, onclick: () => post('/api/client/press', { messageId: line.messageId, data: b.data }).catch(report) }))));
    }
    bubble.append(el('div', { class: 'tg-time', text: clock(line.time) }));
    return bubble;
  });
  if (lines.length === 0) lines.push(el('p', { class: 'empty', text: 'No messages yet. Write to the bot as the client below.' }));
  chat.replaceChildren(...lines);
}

document.getElementById('tg-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('tg-input');
  const text = input.value.trim();
  if (text === '') return;
  input.value = '';
  post('/api/client/message', { text }).catch(report);
});
for (const button of document.querySelectorAll('[data-command]')) {
  button.addEventListener('click', () => post('/api/client/message', { text: button.dataset.command }).catch(report));
}

// ---- Slack ----

function slackMessage(channel, message) {
  const author = message.bot ? 'Repka' : nameOf(message.user);
  const head = el('div', { class: 'msg-head' }, el('strong', { text: author }), message.bot ? el('span', { class: 'app-tag', text: 'APP' }) : null, el('span', { class: 'muted', text: clock(message.time) }));
  const node = el('div', { class: `slack-msg${message.onlyFor ? ' ephemeral' : ''}`, 'data-ts': message.ts }, head);
  if (message.onlyFor) node.append(el('div', { class: 'only-you', text: `Only visible to ${nameOf(message.onlyFor)}` }));
  const click = (actionId) => post('/api/slack/click', { channel, ts: message.ts, user: postingAs[channel], actionId }).catch(report);
  if (Array.isArray(message.blocks) && message.blocks.length > 0) node.append(renderBlocks(message.blocks, click));
  else node.append(mrkdwn(message.text));
  for (const file of message.files ?? []) node.append(el('div', { class: 'file', text: `📎 ${file.title ?? file.name ?? file.id}` }));
  if (message.reactions?.length) node.append(el('div', { class: 'reactions' }, ...message.reactions.map((r) => el('span', { class: 'reaction', title: `:${r}:`, text: emoji[r] ?? `:${r}:` }))));
  return node;
}

function threadNode(channel, thread) {
  const node = el('article', { class: 'thread', 'data-ts': thread.ts }, slackMessage(channel, thread));
  const replies = el('div', { class: 'replies' }, ...thread.replies.map((r) => slackMessage(channel, r)));
  const input = el('input', { type: 'text', class: 'reply-input', autocomplete: 'off', 'data-key': `${channel}:${thread.ts}`, placeholder: `Reply in thread as ${nameOf(postingAs[channel])}…`, 'aria-label': 'Reply in thread' });
  const form = el('form', { class: 'composer reply' }, input, el('button', { type: 'submit', class: 'reply-send', text: 'Reply' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text === '') return;
    input.value = '';
    post('/api/slack/message', { channel, user: postingAs[channel], text, threadTs: thread.ts }).catch(report);
  });
  node.append(replies, form);
  return node;
}

function channelNode(channel, title, subtitle, people, threads) {
  if (!postingAs[channel] || !people.some((p) => p.id === postingAs[channel])) postingAs[channel] = people[0]?.id;
  const select = el('select', { class: 'post-as', 'data-channel': channel, 'aria-label': `Post in #${title} as` }, ...people.map((p) => el('option', { value: p.id, selected: p.id === postingAs[channel], text: `${p.name} (${p.role})` })));
  select.addEventListener('change', () => {
    postingAs[channel] = select.value;
    lastJson = '';
    void poll();
  });
  const head = el('header', { class: 'column-head' }, el('strong', { text: `# ${title}` }), subtitle ? el('span', { class: 'muted', text: subtitle }) : null, el('label', { class: 'as' }, 'as ', select));
  const body = threads.length > 0 ? threads.map((t) => threadNode(channel, t)) : [el('p', { class: 'empty', text: 'Nothing here yet.' })];
  return el('div', { class: 'channel', 'data-channel': channel }, head, el('div', { class: 'channel-body' }, ...body));
}

function renderSlack(state) {
  const support = state.support;
  document.getElementById('support-column').replaceChildren(
    el('div', { class: 'scroll' }, channelNode(support.id, support.name, 'Slack · one thread per case', support.people, support.threads)),
  );
  document.getElementById('departments-column').replaceChildren(
    el('div', { class: 'scroll' }, ...state.departments.map((d) => channelNode(d.channel, d.id, `Slack · ${d.name}`, d.people, d.threads))),
  );
}

// ---- Modals (views.open) ----

function renderModal(state) {
  const modal = state.modals[state.modals.length - 1];
  const root = document.getElementById('modal-root');
  if (modal === undefined) {
    shownModal = null;
    root.replaceChildren();
    return;
  }
  if (shownModal === modal.id) return;
  shownModal = modal.id;
  const view = modal.view;
  const fields = {};
  const errors = {};
  const form = el('form', { class: 'modal', 'data-modal': modal.id });
  form.append(el('header', { class: 'modal-head' }, el('strong', { text: view.title?.text ?? 'Modal' }), el('span', { class: 'muted', text: `opened by ${nameOf(modal.user)}` })));
  for (const block of view.blocks ?? []) {
    if (block.type === 'input') {
      const element = block.element ?? {};
      let control;
      if (element.type === 'static_select') {
        control = el('select', { name: block.block_id }, el('option', { value: '', text: element.placeholder?.text ?? 'Choose…' }), ...(element.options ?? []).map((o) => el('option', { value: o.value, text: o.text?.text ?? o.value })));
      } else if (element.multiline) control = el('textarea', { name: block.block_id, rows: 3, placeholder: element.placeholder?.text });
      else control = el('input', { type: 'text', name: block.block_id, autocomplete: 'off', placeholder: element.placeholder?.text });
      fields[block.block_id] = control;
      errors[block.block_id] = el('div', { class: 'field-error' });
      form.append(el('label', { class: 'field' }, el('span', { text: `${block.label?.text ?? block.block_id}${block.optional ? ' (optional)' : ''}` }), control, errors[block.block_id]));
    } else if (block.type === 'section' && block.text) form.append(textObject(block.text));
  }
  const cancel = el('button', { type: 'button', text: view.close?.text ?? 'Cancel', onclick: () => post('/api/slack/dismiss', { modalId: modal.id }).catch(report) });
  form.append(el('footer', { class: 'modal-foot' }, cancel, el('button', { type: 'submit', class: 'primary', text: view.submit?.text ?? 'Submit' })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = Object.fromEntries(Object.entries(fields).map(([id, control]) => [id, control.value]));
    post('/api/slack/submit', { modalId: modal.id, values })
      .then((answer) => {
        for (const [id, box] of Object.entries(errors)) box.textContent = answer.errors?.[id] ?? '';
      })
      .catch(report);
  });
  root.replaceChildren(el('div', { class: 'overlay' }, form));
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

async function poll() {
  const connection = document.getElementById('connection');
  try {
    const res = await fetch('/api/state', { cache: 'no-store' });
    const json = await res.text();
    connection.hidden = true;
    if (json === lastJson) return;
    lastJson = json;
    const state = JSON.parse(json);
    names = state.names;
    keepInputs(() => {
      renderChat(state);
      renderSlack(state);
    });
    renderModal(state);
  } catch (error) {
    connection.hidden = false;
    report(error);
  }
}

void poll();
setInterval(poll, pollEveryMs);
