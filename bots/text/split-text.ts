import { isHighSurrogate } from './truncate-plain.js';

/**
 * Markup that must never be cut: Slack's tokens (<@U…>, <#C…|name>, <!subteam^S…>, <https://…|label>,
 * <mailto:…>) and HTML-style entities (&amp; &lt; &gt;, &#NN;), which Slack's escaped text is full of.
 */
const markupToken = /<[@#!][^<>\s]*(?:\|[^<>]*)?>|<(?:https?:\/\/|mailto:|tel:)[^<>\s]*(?:\|[^<>]*)?>|&(?:[A-Za-z]{2,8}|#\d{1,7});/g;
const fence = '```';

/** Spans [start, end) of markup tokens in `text`. */
function tokenSpans(text: string): [number, number][] {
  return [...text.matchAll(markupToken)].map((m) => [m.index, m.index + m[0].length]);
}

/** Moves `cut` back so it is not inside a token or between a surrogate pair; never below `min`. */
function safeCut(text: string, cut: number, min: number, spans: [number, number][]): number {
  let at = cut;
  for (const [start, end] of spans) if (start < at && at < end && start > min) at = start;
  if (at > min && isHighSurrogate(text.charCodeAt(at - 1))) at -= 1;
  return at;
}

/** Where to cut `rest` so the first part has at most `room` code units. */
function cutPoint(rest: string, room: number): number {
  const spans = tokenSpans(rest.slice(0, Math.min(rest.length, room + 400)));
  for (const separator of ['\n\n', '\n', ' ']) {
    let at = rest.lastIndexOf(separator, room);
    while (at > room / 4 && spans.some(([start, end]) => start < at && at < end)) at = rest.lastIndexOf(separator, at - 1);
    if (at > room / 4) return at;
  }
  let cut = safeCut(rest, room, 0, spans);
  if (cut <= 0) cut = room;
  if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
  return cut;
}

/**
 * Splits `text` into chunks of at most `limit` UTF-16 code units. Cuts at a paragraph break, else a
 * line break, else a space, and only inside a word when one word is longer than the limit. Never
 * splits a surrogate pair, a Slack markup token (<@U…>, <#C…|…>, <!subteam^…>, <https://…|…>) or an
 * entity (&amp;, &lt;, &gt;).
 * The whitespace at each cut point is dropped; nothing else is lost or reordered. A ``` code block
 * that has to be split is closed at the end of one chunk and reopened at the start of the next.
 * Returns [text] when it fits ('' gives ['']).
 * @throws RangeError when `limit` < 16.
 */
export function splitText(text: string, limit: number): string[] {
  if (limit < 16) throw new RangeError(`limit ${limit} is too small (at least 16)`);
  if (text.length <= limit) return [text];
  const chunks: string[] = [];
  let rest = text;
  let reopen = false;
  while (rest.length > 0) {
    const prefix: string = reopen ? `${fence}\n` : '';
    if (prefix.length + rest.length <= limit) {
      chunks.push(prefix + rest);
      break;
    }
    let cut = cutPoint(rest, limit - prefix.length);
    let open: boolean = (prefix + rest.slice(0, cut)).split(fence).length % 2 === 0;
    // Ending inside a code block: leave room to close it.
    if (open) {
      cut = cutPoint(rest, limit - prefix.length - fence.length - 1);
      open = (prefix + rest.slice(0, cut)).split(fence).length % 2 === 0;
    }
    const chunk = rest.slice(0, cut).replace(/[ \n]+$/, '');
    rest = rest.slice(cut).replace(/^[ \n]+/, '');
    chunks.push(open ? `${prefix}${chunk}\n${fence}` : prefix + chunk);
    reopen = open;
  }
  return chunks;
}
