import { escapeMrkdwn } from './mrkdwn.js';

/** Web addresses in decoded text: up to the next space or `<` `>`, trailing punctuation trimmed. */
const address = /\b(?:https?|ftp):\/\/[^\s<>]+/gi;

/** The address without the sentence punctuation after it; a `)` stays when it closes one in it. */
function trimAddress(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if (last !== undefined && '.,;:!?\'"'.includes(last)) end -= 1;
    else if (last === ')' && (url.slice(0, end).match(/\(/g) ?? []).length < (url.slice(0, end).match(/\)/g) ?? []).length) end -= 1;
    else return url.slice(0, end);
  }
}

/**
 * Staff text mirrored into Slack (a department's answer, an `!ask` question, a close summary), as
 * the person wrote it: escaped once with {@link escapeMrkdwn}, and every web address a link again
 * (`<https://…>`, its `&` escaped as Slack writes it; a `|` percent-encoded, as it would end the
 * address). `text` is decoded text (see bots/slack/text/decode-slack-text.ts): a decoded `@Boris`
 * stays plain text and pings nobody. Pure.
 */
export function escapeWithLinks(text: string): string {
  let out = '';
  let at = 0;
  for (const match of text.matchAll(address)) {
    const url = trimAddress(match[0]);
    out += `${escapeMrkdwn(text.slice(at, match.index))}<${escapeMrkdwn(url.replace(/\|/g, '%7C'))}>`;
    at = match.index + url.length;
  }
  return out + escapeMrkdwn(text.slice(at));
}
