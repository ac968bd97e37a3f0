/** Whether a UTF-16 code unit starts a surrogate pair: a cut right after it would split a character. */
export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Shortens plain text (shown as it is: a Slack `plain_text` object, a Telegram placeholder) to at
 * most `max` UTF-16 code units, ending with `marker` when cut (default `…`), never between a
 * surrogate pair. Text that fits is returned as it is.
 * @throws RangeError when `max` is shorter than `marker`.
 */
export function truncatePlain(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  if (max < marker.length) throw new RangeError(`max ${max} leaves no room for the marker`);
  let at = max - marker.length;
  if (at > 0 && isHighSurrogate(text.charCodeAt(at - 1))) at -= 1;
  return `${text.slice(0, at)}${marker}`;
}
