import type { LogLevel } from './config.js';
import type { Logger } from './ports.js';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Token shapes redacted even when they are not this process's own secrets (a token named in an
 * error text, a URL or a header): Telegram bot tokens in Bot API paths (`/bot<id>:<secret>/`),
 * Slack tokens (`xoxb-`, `xoxp-`, `xapp-`, … per https://api.slack.com/authentication/token-types)
 * bearer credentials, and the passwords of URLs with credentials.
 */
const tokenShapes: readonly [RegExp, string][] = [
  [/\/bot\d+:[A-Za-z0-9_-]+/g, '/bot[redacted]'],
  [/\b\d{5,}:[A-Za-z0-9_-]{30,}\b/g, '[redacted]'],
  [/\bxox[abposre]-[A-Za-z0-9-]+/g, '[redacted]'],
  [/\bxapp-[A-Za-z0-9-]+/g, '[redacted]'],
  [/\b(Bearer|Basic) [A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  // The password of a URL with credentials (DATABASE_URL, REDIS_URL): postgres://repka:<password>@db/repka.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:)(?!\*+@)[^@/\s]+@/gi, '$1[redacted]@'],
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

/**
 * A JSON-lines logger. Every occurrence of a known secret (tokens, signing secret) and every
 * token-shaped string is replaced by "[redacted]" before a line is written, wherever it appears.
 */
export function createLogger(options: { level: LogLevel; secrets?: readonly string[]; write?: (line: string) => void; name?: string }): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const redact = createRedactor(options.secrets);
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (order[level] < order[options.level]) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, ...(options.name ? { name: options.name } : {}), msg: message, ...fields }, (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message } : value,
    );
    write(redact(line));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
