import { isHighSurrogate } from '../../text/truncate-plain.js';

/**
 * Slack mrkdwn text on its way out: escaping what people supplied, and cutting or splitting text
 * that is already escaped without breaking it. Slack's limits count the final, escaped string
 * (see bots/platform-limits.ts), so text is escaped first and cut afterwards, and a cut never
 * lands inside an entity (`&amp;`), a Slack token (`<@U…>`, `<https://…|label>`) or a UTF-16
 * surrogate pair.
 */

/**
 * Escapes `&`, `<` and `>` as Slack requires for text someone supplied, so it shows as typed and
 * can never mention anyone, ping a channel or plant a link. Use it in blocks and in the fallback
 * `text` alike. https://api.slack.com/reference/surfaces/formatting#escaping
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The longest entity an escaped string can hold (`&amp;`). */
const longestEntity = 5;

/**
 * The largest index `≤ max` at which `escaped` can be cut without splitting an entity, a `<…>`
 * token or a surrogate pair. 0 when no such place exists above 0 (a token longer than `max` at the
 * start: then the caller has to cut it, see {@link splitEscaped}).
 */
export function safeCutIndex(escaped: string, max: number): number {
  if (max >= escaped.length) return escaped.length;
  let at = Math.max(0, max);
  const amp = escaped.lastIndexOf('&', at - 1);
  if (amp !== -1 && at - amp < longestEntity && !escaped.slice(amp, at).includes(';')) at = amp;
  const open = escaped.lastIndexOf('<', at - 1);
  if (open !== -1 && escaped.lastIndexOf('>', at - 1) < open) at = open;
  if (at > 0 && isHighSurrogate(escaped.charCodeAt(at - 1))) at -= 1;
  return at;
}

/**
 * Shortens already-escaped mrkdwn to at most `max` UTF-16 code units, ending with `marker` when
 * cut (default `…`). The cut lands at a safe place ({@link safeCutIndex}); text that fits is
 * returned as it is.
 * @throws RangeError when `max` is shorter than `marker`.
 */
export function truncateEscaped(escaped: string, max: number, marker = '…'): string {
  if (escaped.length <= max) return escaped;
  if (max < marker.length) throw new RangeError(`max ${max} leaves no room for the marker`);
  return `${escaped.slice(0, safeCutIndex(escaped, max - marker.length))}${marker}`;
}

/**
 * Where to end the first of several parts of `escaped`, at most `max` code units in: after the
 * last line break or space in the second half of the room, else at the last safe place; inside a
 * token only when one token alone is longer than `max`. `escaped.length` when it all fits.
 */
export function breakIndex(escaped: string, max: number): number {
  if (escaped.length <= max) return escaped.length;
  const safe = safeCutIndex(escaped, max);
  for (const separator of ['\n', ' ']) {
    const at = escaped.lastIndexOf(separator, safe - 1);
    if (at >= max / 2) return safeCutIndex(escaped, at + 1);
  }
  // A single token longer than `max` cannot be kept whole; cut it (not between a surrogate pair).
  if (safe > 0) return safe;
  return isHighSurrogate(escaped.charCodeAt(max - 1)) ? max - 1 : max;
}

/**
 * Splits already-escaped mrkdwn into parts of at most `max` UTF-16 code units whose concatenation
 * is exactly `escaped`: nothing is dropped, not even whitespace. Prefers to cut after a line break,
 * else after a space, and never inside an entity, a `<…>` token (unless one token alone is longer
 * than `max`) or a surrogate pair. '' gives [''].
 * @throws RangeError when `max` < 16.
 */
export function splitEscaped(escaped: string, max: number): string[] {
  if (max < 16) throw new RangeError(`max ${max} is too small (at least 16)`);
  const parts: string[] = [];
  let rest = escaped;
  while (rest.length > max) {
    const at = breakIndex(rest, max);
    parts.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  parts.push(rest);
  return parts;
}
