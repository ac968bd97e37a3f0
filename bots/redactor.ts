/**
 * Token shapes redacted even when they are not this process's own secrets (a token named in an
 * error text, a URL or a header): Telegram bot tokens in Bot API paths (`/bot<id>:<secret>/`),
 * Slack tokens (`xoxb-`, `xoxp-`, `xapp-`, … per https://api.slack.com/authentication/token-types)
 * bearer credentials, and the passwords of URLs with credentials.
 *
 * The text may be a serialised JSON line (the logger scrubs whole lines): no shape matches a `"`,
 * so a replacement never reaches past the end of a JSON string and the line stays valid JSON.
 */
const tokenShapes: readonly [RegExp, string][] = [
  [/\/bot\d+:[A-Za-z0-9_-]+/g, '/bot[redacted]'],
  [/\b\d{5,}:[A-Za-z0-9_-]{30,}\b/g, '[redacted]'],
  [/\bxox[abposre]-[A-Za-z0-9-]+/g, '[redacted]'],
  [/\bxapp-[A-Za-z0-9-]+/g, '[redacted]'],
  [/\b(Bearer|Basic) [A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  // The password of a URL with credentials (DATABASE_URL, REDIS_URL): postgres://repka:<password>@db/repka.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:@/\s"]*:)(?!\*+@)[^@/\s"]+@/gi, '$1[redacted]@'],
];

/**
 * Returns a function that removes every occurrence of a known secret and every token-shaped
 * string from a text. Secrets shorter than 6 characters are ignored (they would redact words).
 */
export function createRedactor(secrets: readonly string[] = []): (text: string) => string {
  const known = secrets.filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    for (const [shape, replacement] of tokenShapes) out = out.replace(shape, replacement);
    return out;
  };
}
