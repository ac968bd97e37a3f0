import type { Mention } from '../../../src/cases/agent-command.js';
import type { Directory } from '../../../src/ports.js';
import { emojiForShortcode } from './slack-emoji.js';

/**
 * Slack message text as the person saw it. Slack sends message text (and slash command text) in
 * its wire format: `&`, `<`, `>` escaped as `&amp;` `&lt;` `&gt;` and every link, mention and
 * special word as a `<…>` control sequence, emoji as `:shortcode:`
 * (https://api.slack.com/reference/surfaces/formatting, "Escaping text", "Linking to URLs",
 * "Mentioning users", "Mentioning groups", "Linking to channels", "Formatting dates", "Emoji").
 * Decoding happens once, where the text enters Repka; the history keeps the decoded text and the
 * renderers in bots/slack/render escape it again, once, on its way back into Slack.
 *
 * Modal values (`view.state.values`) arrive raw: they are never decoded.
 */

/** Decoded text and the people it names. */
export interface DecodedSlackText {
  /** The text as shown in Slack: `@Boris`, `#general`, `label (https://…)`, `👋`. */
  readonly text: string;
  /** Users mentioned (`<@U…>`), in order of first appearance, each shown in `text` as `@name`. */
  readonly mentions: readonly Mention[];
}

/** `<…>` control sequences; a literal `<` or `>` always arrives as `&lt;` / `&gt;`. */
const controlSequence = /<([^<>]*)>/g;
const userMention = /^@([UW][A-Z0-9]+)(?:\|(.*))?$/s;
const shortcode = /:([a-z0-9_+-]+):(?::(skin-tone-[2-6]):)?/g;
/** Code spans and blocks, where Slack shows `:name:` as typed, not as an emoji. */
const code = /```[\s\S]*?```|`[^`\n]+`/g;

/** `&amp;` `&lt;` `&gt;`: the only entities Slack writes ("only the specific characters shown above"). */
function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}

/** `:wave:` → 👋, `:+1::skin-tone-2:` → 👍🏻; unknown names (custom emoji) stay `:name:`. */
function decodeEmoji(text: string): string {
  return text.replace(shortcode, (whole, name: string, tone: string | undefined) => emojiForShortcode(name, tone) ?? whole);
}

function withoutScheme(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:(\/\/)?/i, '');
}

/** `<!here>`, `<!subteam^S…|@team>`, `<!date^…|fallback>` and other `<!…>` sequences. */
function special(body: string, label: string | undefined): string {
  const [word = '', ...args] = body.split('^');
  switch (word) {
    case 'here':
    case 'channel':
    case 'everyone':
      return `@${word}`;
    case 'subteam': {
      const handle = label ?? `@${args[0] ?? 'subteam'}`;
      return handle.startsWith('@') ? handle : `@${handle}`;
    }
    case 'date': {
      if (label !== undefined) return label;
      const seconds = Number(args[0]);
      return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : body;
    }
    default:
      return label ?? `@${word}`;
  }
}

/** A link as text: the address, or `label (address)` when the label says something else. */
function link(target: string, label: string | undefined): string {
  const address = target.startsWith('mailto:') ? target.slice('mailto:'.length) : target;
  if (label === undefined || label === '' || label === target || label === address) return address;
  // Slack links a typed "shop.example" as <http://shop.example|shop.example>: show what was typed.
  if (label === withoutScheme(target)) return label;
  return `${label} (${address})`;
}

/**
 * The user IDs `wire` mentions (`<@U…>`, `<@W…>`), each once, in order of first appearance.
 */
export function mentionedUserIds(wire: string): string[] {
  const ids = new Set<string>();
  for (const match of wire.matchAll(controlSequence)) {
    const user = userMention.exec(match[1] ?? '');
    if (user?.[1] !== undefined) ids.add(user[1]);
  }
  return [...ids];
}

/**
 * Decodes Slack wire text once into what the person saw (pure). `names` gives display names by
 * user ID; a user missing there is shown by the name in the sequence (`<@U…|boris>`), else the ID.
 * Entities, links, mentions and specials are decoded everywhere; emoji everywhere but in code
 * spans and blocks, where Slack shows `:name:` as text. Never throws.
 */
export function decodeSlackTextWith(wire: string, names: ReadonlyMap<string, string>): DecodedSlackText {
  const mentions = new Map<string, Mention>();
  const decodeSequence = (body: string): string => {
    const bar = body.indexOf('|');
    const head = bar === -1 ? body : body.slice(0, bar);
    const label = bar === -1 ? undefined : decodeEntities(body.slice(bar + 1));
    const user = userMention.exec(body);
    if (user?.[1] !== undefined) {
      const id = user[1];
      const known = names.get(id);
      const name = known !== undefined && known !== id ? known : label || id;
      if (!mentions.has(id)) mentions.set(id, { id, name });
      return `@${name}`;
    }
    if (head.startsWith('#')) return `#${label || head.slice(1)}`;
    if (head.startsWith('!')) return special(head.slice(1), label || undefined);
    return link(decodeEntities(head), label);
  };
  const decodeSegment = (segment: string, emoji: boolean): string => {
    const plain = (part: string) => (emoji ? decodeEmoji(decodeEntities(part)) : decodeEntities(part));
    let out = '';
    let at = 0;
    for (const match of segment.matchAll(controlSequence)) {
      out += plain(segment.slice(at, match.index)) + decodeSequence(match[1] ?? '');
      at = match.index + match[0].length;
    }
    return out + plain(segment.slice(at));
  };
  let text = '';
  let at = 0;
  for (const match of wire.matchAll(code)) {
    text += decodeSegment(wire.slice(at, match.index), true) + decodeSegment(match[0], false);
    at = match.index + match[0].length;
  }
  text += decodeSegment(wire.slice(at), true);
  return { text, mentions: [...mentions.values()] };
}

/**
 * {@link decodeSlackTextWith}, with the display names of every mentioned user looked up in the
 * directory (all of one text in parallel). Never throws: the directory falls back to the ID.
 */
export async function decodeSlackText(wire: string, directory: Pick<Directory, 'displayName'>): Promise<DecodedSlackText> {
  const ids = mentionedUserIds(wire);
  const names = await Promise.all(ids.map(async (id) => [id, await directory.displayName(id)] as const));
  return decodeSlackTextWith(wire, new Map(names));
}
