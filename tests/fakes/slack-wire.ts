import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';

/**
 * What Slack sends for text a person typed in the Slack client: the message event's `text` in
 * Slack's wire format and the `blocks` rich-text copy beside it
 * (https://api.slack.com/reference/surfaces/formatting, "Escaping text", "Linking to URLs",
 * "Mentioning users", "Emoji"; https://api.slack.com/reference/block-kit/blocks#rich_text).
 * Tests send agents' and departments' messages through this, never as raw typed text.
 *
 * What was typed is read as the Slack client reads it: `&` `<` `>` are escaped; a bare
 * `http(s)://` address becomes `<url>`; `@Name` of a known user becomes `<@U…>`; `@here`,
 * `@channel`, `@everyone` become `<!here>` …; an emoji becomes its `:shortcode:` from Slack's set
 * (iamcal, via emojibase-data), a skin tone as `:name::skin-tone-N:`. A control sequence already
 * in the typed text (`<@U0AGENT2>`, `<#C…|name>`, `<!here>`, `<https://…|label>`) is taken as
 * written, so a test can send exact wire markup.
 */

/** One element of a rich_text_section, as Slack sends it. */
type RichElement =
  | { type: 'text'; text: string }
  | { type: 'link'; url: string; text?: string }
  | { type: 'user'; user_id: string }
  | { type: 'channel'; channel_id: string }
  | { type: 'usergroup'; usergroup_id: string }
  | { type: 'broadcast'; range: string }
  | { type: 'emoji'; name: string; unicode?: string; skin_tone?: number };

/** A message event's `text` and `blocks` for what was typed. */
export interface SlackWireMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

let shortcodeByEmoji: Map<string, { name: string; hexcode: string }> | undefined;

/** Emoji (U+FE0F removed) → Slack's first iamcal shortcode and the hexcode. */
function emojiNames(): Map<string, { name: string; hexcode: string }> {
  if (shortcodeByEmoji !== undefined) return shortcodeByEmoji;
  const require = createRequire(import.meta.url);
  const shortcodes = require('emojibase-data/en/shortcodes/iamcal.json') as Record<string, string | string[]>;
  const compact = require('emojibase-data/en/compact.json') as { hexcode: string; unicode: string }[];
  shortcodeByEmoji = new Map();
  for (const emoji of compact) {
    const names = shortcodes[emoji.hexcode];
    const name = typeof names === 'string' ? names : names?.[0];
    if (name !== undefined) shortcodeByEmoji.set(emoji.unicode.replace(/\uFE0F/g, ''), { name, hexcode: emoji.hexcode });
  }
  return shortcodeByEmoji;
}

const skinTones = ['\u{1F3FB}', '\u{1F3FC}', '\u{1F3FD}', '\u{1F3FE}', '\u{1F3FF}'];
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A piece of the message: its rich-text element and its wire text (as written, for markup given as such). */
interface Piece {
  readonly rich: RichElement;
  wire: string;
}

/** Splits typed text into pieces, as the Slack client reads it. */
function parseTyped(typed: string, users: ReadonlyMap<string, string>): Piece[] {
  const names = [...users.keys()].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const person = names.length ? `@(?:${names.join('|')})(?![\\p{L}\\p{N}_])|` : '';
  // v flag: \p{RGI_Emoji} matches whole emoji sequences (ZWJ, flags, skin tones). TS targets ES2022, so built at run time.
  const token = new RegExp(`<(?:[@#!]|https?:|mailto:)[^<>\\s\\|]*(?:\\|[^<>]*)?>|${person}@(?:here|channel|everyone)\\b|https?://[^\\s<>]+|\\p{RGI_Emoji}`, 'gv');
  const pieces: Piece[] = [];
  const push = (rich: RichElement, wire = wireOf(rich)) => pieces.push({ rich, wire });
  const plain = (text: string) => {
    if (text === '') return;
    const last = pieces[pieces.length - 1];
    if (last?.rich.type === 'text') {
      last.rich.text += text;
      last.wire += escape(text);
    } else push({ type: 'text', text });
  };
  let at = 0;
  for (const match of typed.matchAll(token)) {
    plain(typed.slice(at, match.index));
    at = match.index + match[0].length;
    const found = match[0];
    if (found.startsWith('<')) push(richOf(found.slice(1, -1)), found);
    else if (found.startsWith('@')) {
      const id = users.get(found.slice(1));
      push(id === undefined ? { type: 'broadcast', range: found.slice(1) } : { type: 'user', user_id: id });
    } else if (/^https?:/.test(found)) {
      const url = found.replace(/[.,;:!?)]+$/, '');
      push({ type: 'link', url });
      at -= found.length - url.length;
    } else {
      const tone = skinTones.findIndex((t) => found.includes(t));
      const base = found.replace(/[\u{1F3FB}-\u{1F3FF}]/gu, '').replace(/\uFE0F/g, '');
      const known = emojiNames().get(base);
      if (known === undefined) plain(found);
      else push({ type: 'emoji', name: known.name, unicode: known.hexcode.toLowerCase(), ...(tone === -1 ? {} : { skin_tone: tone + 2 }) });
    }
  }
  plain(typed.slice(at));
  return pieces;
}

/** A control sequence written in the test, as the rich-text element Slack would send with it. */
function richOf(body: string): RichElement {
  const [head = '', label] = body.split('|');
  if (head.startsWith('@')) return { type: 'user', user_id: head.slice(1) };
  if (head.startsWith('#')) return { type: 'channel', channel_id: head.slice(1) };
  if (head.startsWith('!subteam^')) return { type: 'usergroup', usergroup_id: head.slice('!subteam^'.length) };
  if (head.startsWith('!')) return { type: 'broadcast', range: head.slice(1) };
  return { type: 'link', url: head, ...(label === undefined ? {} : { text: label }) };
}

/** The wire `text` of one element. */
function wireOf(element: RichElement): string {
  switch (element.type) {
    case 'text':
      return escape(element.text);
    case 'link':
      return `<${escape(element.url)}${element.text === undefined ? '' : `|${element.text}`}>`;
    case 'user':
      return `<@${element.user_id}>`;
    case 'channel':
      return `<#${element.channel_id}>`;
    case 'usergroup':
      return `<!subteam^${element.usergroup_id}>`;
    case 'broadcast':
      return `<!${element.range}>`;
    case 'emoji':
      return `:${element.name}:${element.skin_tone === undefined ? '' : `:skin-tone-${element.skin_tone}:`}`;
  }
}

/**
 * Slack's wire `text` for what a person typed. `users`: display name → user ID of the people an
 * `@Name` can mention (default: none).
 */
export function toSlackWire(typed: string, users: ReadonlyMap<string, string> = new Map()): string {
  return parseTyped(typed, users).map((p) => p.wire).join('');
}

/** The wire `text` and a minimal `blocks` rich-text copy (one rich_text_section) for what was typed. */
export function slackWireMessage(typed: string, users: ReadonlyMap<string, string> = new Map()): SlackWireMessage {
  const pieces = parseTyped(typed, users);
  return {
    text: pieces.map((p) => p.wire).join(''),
    blocks: [{ type: 'rich_text', block_id: randomUUID().slice(0, 5), elements: [{ type: 'rich_text_section', elements: pieces.map((p) => p.rich) }] }],
  };
}
