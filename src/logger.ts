import type { LogLevel } from './config.js';
import type { Logger } from './ports.js';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A JSON-lines logger. Every occurrence of a known secret (tokens, signing secret) is replaced
 * by "[redacted]" before a line is written, wherever it appears.
 */
export function createLogger(options: { level: LogLevel; secrets?: readonly string[]; write?: (line: string) => void; name?: string }): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const secrets = (options.secrets ?? []).filter((s) => s.length > 0);
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (order[level] < order[options.level]) return;
    let line = JSON.stringify({ time: new Date().toISOString(), level, ...(options.name ? { name: options.name } : {}), msg: message, ...fields }, (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message } : value,
    );
    for (const secret of secrets) line = line.split(secret).join('[redacted]');
    write(line);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
