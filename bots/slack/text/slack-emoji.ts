import { createRequire } from 'node:module';

/**
 * Slack's emoji shortcodes (`:wave:`, `:+1::skin-tone-2:`) as Unicode. Slack's standard set is
 * iamcal's emoji-data (https://github.com/iamcal/emoji-data); emojibase-data ships the same names
 * as its `iamcal` shortcodes, keyed by hexcode. Custom workspace emoji are not in it.
 */

interface CompactEmoji {
  readonly hexcode: string;
  readonly unicode: string;
  readonly skins?: readonly CompactEmoji[];
}

interface EmojiTable {
  /** Shortcode (without colons) → hexcode of the emoji, e.g. `wave` → `1F44B`. */
  readonly hexByName: ReadonlyMap<string, string>;
  /** Hexcode → the emoji, skin-tone variants included (`1F44D-1F3FB`). */
  readonly emojiByHex: ReadonlyMap<string, string>;
}

let table: EmojiTable | undefined;

/**
 * emojibase writes U+FE0F (emoji presentation) after every emoji, also after those that show as
 * emoji anyway (`👍️`). Unicode's fully-qualified form has it only where it changes something, so
 * it is dropped after a character with Emoji_Presentation: `👍`, but `❤️`.
 */
function fullyQualified(unicode: string): string {
  return unicode.replace(/(\p{Emoji_Presentation})\uFE0F/gu, '$1');
}

/** Loads the table on first use (about 600 kB of JSON, read once per process). */
function emojiTable(): EmojiTable {
  if (table !== undefined) return table;
  const require = createRequire(import.meta.url);
  const shortcodes = require('emojibase-data/en/shortcodes/iamcal.json') as Record<string, string | readonly string[]>;
  const compact = require('emojibase-data/en/compact.json') as readonly CompactEmoji[];
  const hexByName = new Map<string, string>();
  for (const [hexcode, names] of Object.entries(shortcodes)) {
    for (const name of typeof names === 'string' ? [names] : names) hexByName.set(name, hexcode);
  }
  const emojiByHex = new Map<string, string>();
  for (const emoji of compact) {
    for (const variant of [emoji, ...(emoji.skins ?? [])]) emojiByHex.set(variant.hexcode, fullyQualified(variant.unicode));
  }
  table = { hexByName, emojiByHex };
  return table;
}

/**
 * The emoji Slack shows for `:name:`, with the skin tone of `:skin-tone-N:` (N = 2…6) when one
 * follows. A tone the emoji cannot take gives the emoji without it. `undefined` for a name not in
 * Slack's standard set (a custom workspace emoji, or any `:word:` that is no emoji).
 */
export function emojiForShortcode(name: string, skinTone?: string): string | undefined {
  const { hexByName, emojiByHex } = emojiTable();
  const hexcode = hexByName.get(name);
  if (hexcode === undefined) return undefined;
  const toneHex = skinTone === undefined ? undefined : hexByName.get(skinTone);
  return (toneHex !== undefined ? emojiByHex.get(`${hexcode}-${toneHex}`) : undefined) ?? emojiByHex.get(hexcode);
}
