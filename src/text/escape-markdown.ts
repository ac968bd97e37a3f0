/**
 * Characters that start or end a Markdown construct anywhere in a line (CommonMark 0.31 §2.4:
 * any ASCII punctuation may be backslash-escaped, and an escaped one is a literal character):
 * emphasis, code, links and images (`[`), raw HTML and autolinks (`<`), entities (`&`), table
 * cells (GFM `|`), strikethrough (`~`). Others (`#`, `-`, `+`, `=`, `1.`) matter only at a line's start.
 */
const inline = /[\\`*_[\]<>|~&]/g;

/**
 * Plain text as Markdown that shows exactly this text and nothing else: no heading, list item,
 * quote, table cell, link, HTML or emphasis can be formed by what it contains. Line breaks stay
 * (the caller indents continuation lines as its structure needs). Pure.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(inline, (c) => `\\${c}`)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) =>
      line
        // Four spaces would make an indented code block.
        .replace(/^\s+/, '')
        // A heading, list item or setext underline ("#", "-", "+", "="), or an ordered-list marker ("1." / "1)").
        .replace(/^([#+=-])/, '\\$1')
        .replace(/^(\d{1,9})([.)])/, '$1\\$2'),
    )
    .join('\n');
}
