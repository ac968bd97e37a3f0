// Slack's formats as the page shows them: mrkdwn, Block Kit blocks, :emoji:, <links>, confirm dialogs.
// Every piece of text goes into the page through textContent or createTextNode, never as HTML.

/** What rendering needs from the page: names by user id, emoji by shortcode, where links go. */
export const context = {
  names: {},
  /** Shortcode → Unicode for the shortcodes in the current state (the server maps them as Slack does). */
  emoji: {},
  /** The operator's export command for this demo's database, up to the case number. */
  exportCommand: '',
  /** Called with (channel, ts digits) for a link into this workspace: the page shows that message. */
  openMessage: () => undefined,
};

export function el(tag, attrs = {}, ...children) {
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

export const decode = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
export const nameOf = (id) => context.names[id] ?? id;
export const emojiOf = (name) => context.emoji[name];

/** `:name:` shortcodes in plain text as Slack shows them (plain_text with `emoji: true`). */
export const withEmoji = (text) => String(text ?? '').replace(/:([a-z0-9_+-]+):/g, (whole, name) => emojiOf(name) ?? whole);

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

/** A permalink into the fake workspace (chat.getPermalink, the Home tab's links): shown on this page. */
const workspaceLink = /^https:\/\/fake\.slack\.test\/archives\/([A-Z0-9]+)\/p(\d+)/;

function link(href, label) {
  const inWorkspace = workspaceLink.exec(href);
  if (inWorkspace === null) return el('a', { href, target: '_blank', rel: 'noopener noreferrer', text: label });
  const [, channel, digits] = inWorkspace;
  return el('a', {
    href: '#',
    class: 'workspace-link',
    'data-channel': channel,
    text: label,
    onclick: (event) => {
      event.preventDefault();
      context.openMessage(channel, digits);
    },
  });
}

/** Slack's `<…>` markup: user and group mentions, channels, links, dates. */
function angle(inner) {
  const [target, label] = inner.split('|', 2);
  if (target.startsWith('@')) return el('span', { class: 'mention', text: `@${nameOf(target.slice(1))}` });
  if (target.startsWith('!date^')) return el('span', { class: 'date', text: slackDate(target) });
  if (target.startsWith('!subteam^')) return el('span', { class: 'mention', text: `@${label ?? target.slice(9)}` });
  if (target.startsWith('!')) return el('span', { class: 'mention', text: `@${target.slice(1)}` });
  if (target.startsWith('#')) return el('span', { class: 'mention', text: `#${label ?? target.slice(1)}` });
  if (/^https?:\/\//i.test(target)) return link(decode(target), decode(label ?? target));
  return document.createTextNode(decode(label ?? target));
}

/** `code`; the operator's export command gets a link that runs it on the demo's database. */
function codeSpan(code) {
  const span = el('code', { text: code });
  const exported = /^npm run cli -- export (\d+)(?: --format (md|json|html))?$/.exec(code.trim());
  if (exported === null) return span;
  const [, caseId, format = 'md'] = exported;
  const command = `${context.exportCommand} ${caseId} --format ${format}`;
  return el(
    'span',
    { class: 'export-hint' },
    span,
    ' ',
    el('a', { href: `/api/export/${caseId}?format=${format}`, target: '_blank', rel: 'noopener', class: 'export-link', title: `This demo's database: ${command}`, text: 'open it (this demo’s database)' }),
  );
}

/** One line of mrkdwn: *bold*, _italic_, ~strike~, `code`, :emoji:, <mentions|links>. */
function inline(text) {
  const out = document.createDocumentFragment();
  const pattern = /<([^<>\n]+)>|\*([^*\n]+)\*|_([^_\n]+)_|~([^~\n]+)~|`([^`\n]+)`|:([a-z0-9_+-]+):/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.append(decode(text.slice(last, match.index)));
    const [whole, linked, bold, italic, strike, code, shortcode] = match;
    if (linked !== undefined) out.append(angle(linked));
    else if (bold !== undefined) out.append(el('strong', {}, inline(bold)));
    else if (italic !== undefined) out.append(el('em', {}, inline(italic)));
    else if (strike !== undefined) out.append(el('s', {}, inline(strike)));
    else if (code !== undefined) out.append(codeSpan(decode(code)));
    else out.append(emojiOf(shortcode) ?? whole);
    last = match.index + whole.length;
  }
  if (last < text.length) out.append(decode(text.slice(last)));
  return out;
}

/** Slack mrkdwn, minimally: inline markup per line, `>` lines as quotes. */
export function mrkdwn(text) {
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

/** A text object: mrkdwn, or plain_text (its :emoji: shown when `emoji` is not false, Slack's default). */
export const textObject = (t) => (t?.type === 'mrkdwn' ? mrkdwn(t.text) : el('div', { class: 'plain', text: t?.emoji === false ? (t?.text ?? '') : withEmoji(t?.text) }));

/**
 * Slack's confirmation dialog for an element with a `confirm` object: title, text, the confirm and
 * deny buttons. Resolves true when the visitor confirms.
 */
export function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const root = el('div', { class: 'overlay confirm-overlay' });
    const done = (answer) => {
      root.remove();
      resolve(answer);
    };
    const dialog = el(
      'div',
      { class: 'modal confirm-dialog', role: 'alertdialog', 'aria-modal': 'true' },
      el('header', { class: 'modal-head' }, el('strong', { text: withEmoji(confirm.title?.text ?? 'Are you sure?') })),
      textObject(confirm.text),
      el(
        'footer',
        { class: 'modal-foot' },
        el('button', { type: 'button', class: 'confirm-deny', text: confirm.deny?.text ?? 'Cancel', onclick: () => done(false) }),
        el('button', { type: 'button', class: `confirm-yes ${confirm.style === 'danger' ? 'danger' : 'primary'}`, text: confirm.confirm?.text ?? 'Yes', onclick: () => done(true) }),
      ),
    );
    root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') done(false);
    });
    root.append(dialog);
    document.body.append(root);
    dialog.querySelector('.confirm-yes').focus();
  });
}

/** Block Kit blocks; `onButton(actionId)` runs for a button press (after its confirm dialog, if it has one). */
export function renderBlocks(blocks, onButton) {
  const box = el('div', { class: 'blocks' });
  const press = async (button) => {
    if (button.confirm && !(await confirmDialog(button.confirm))) return;
    onButton(button.action_id);
  };
  const buttonNode = (b) =>
    b.url
      ? link(b.url, withEmoji(b.text?.text ?? b.url))
      : el('button', { type: 'button', class: `slack-button ${b.style ?? ''}`, 'data-action': b.action_id, text: withEmoji(b.text?.text ?? b.action_id), onclick: () => void press(b) });
  for (const block of blocks) {
    if (block.type === 'header') box.append(el('div', { class: 'block-header', text: withEmoji(block.text?.text ?? '') }));
    else if (block.type === 'section') {
      const section = el('div', { class: 'block-section' });
      if (block.text) section.append(textObject(block.text));
      if (Array.isArray(block.fields)) section.append(el('div', { class: 'fields' }, ...block.fields.map(textObject)));
      if (block.accessory?.type === 'button') section.append(buttonNode(block.accessory));
      box.append(section);
    } else if (block.type === 'context') {
      box.append(el('div', { class: 'block-context' }, ...(block.elements ?? []).filter((e) => e.type !== 'image').map(textObject)));
    } else if (block.type === 'divider') box.append(el('hr'));
    else if (block.type === 'actions') {
      const buttons = (block.elements ?? []).filter((e) => e.type === 'button');
      box.append(el('div', { class: 'block-actions' }, ...buttons.map(buttonNode)));
    }
  }
  return box;
}
