import { createRequire } from 'node:module';
import { pino, type DestinationStream } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.js';
import type { Logger } from '../src/ports.js';
import { createRedactor } from './redactor.js';

/**
 * Fields whose whole value is a credential, wherever a log call puts them: pino's `redact` paths
 * (https://github.com/pinojs/pino/blob/main/docs/redaction.md; case-sensitive, `*` one level).
 * Secrets inside free text (a message, an error's message or stack) are scrubbed from the finished
 * line by the `streamWrite` hook instead: no path can reach into a string.
 */
const secretPaths = ['token', 'password', 'secret', 'authorization', 'Authorization', 'cookie']
  .flatMap((key) => [key, `*.${key}`, `headers.${key}`, `*.headers.${key}`])
  .filter((path, index, all) => all.indexOf(path) === index);

/** pino-pretty's line formatter, loaded only when LOG_FORMAT=pretty asks for it. */
export type PrettyFactory = typeof PinoPretty.prettyFactory;

export interface LoggerOptions {
  /** Lines below it are not written. */
  readonly level: LogLevel;
  /** This process's own secrets (tokens, signing secret): every occurrence becomes "[redacted]". */
  readonly secrets?: readonly string[];
  /** Where each line goes, without its newline. Default: stderr, written synchronously. */
  readonly write?: (line: string) => void;
  /** A `name` field on every line; default none. */
  readonly name?: string;
  /** `json` (default) or `pretty`; pretty falls back to JSON, saying so once, without pino-pretty. */
  readonly format?: LogFormat;
  /** Loads pino-pretty (default: from node_modules, when `format` is `pretty`); throws when it is not installed. */
  readonly loadPretty?: () => PrettyFactory;
}

const requirePretty = (): PrettyFactory => (createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty).prettyFactory;

/**
 * Repka's logger on pino: one JSON object per line (`level` as its name, `time` as ISO 8601, the
 * fields, `msg`), on stderr unless `write` is given. Every occurrence of a known secret and every
 * token-shaped string is replaced by "[redacted]" before a line is written, wherever it appears.
 *
 * stderr is written synchronously (pino.destination with `sync: true`): each line is written, with
 * a blocking write, as it is logged, so the line logged just before `process.exit` or a crash is
 * not lost. pino 10 has no `pino.final`; its docs/asynchronous.md say buffered (asynchronous)
 * writing may lose the most recent lines. Repka logs little on its hot path, so this costs nothing.
 */
export function createLogger(options: LoggerOptions): Logger {
  const json: DestinationStream = options.write ? lineWriter(options.write) : pino.destination({ dest: 2, sync: true });
  let stream = json;
  let prettyMissing = false;
  if (options.format === 'pretty') {
    const prettify = loadPrettifier(options.loadPretty ?? requirePretty, options.write === undefined && process.stderr.isTTY);
    if (prettify === undefined) prettyMissing = true;
    else stream = { write: (line: string) => json.write(prettify(line)) };
  }
  const logger = pino(
    {
      level: options.level,
      // No pid and hostname: the fields of a line are the log call's own.
      base: options.name === undefined ? {} : { name: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // An Error logged as `error` is serialised by pino's std serializer: type, message, stack.
      errorKey: 'error',
      redact: { paths: secretPaths, censor: '[redacted]' },
      hooks: { streamWrite: createRedactor(options.secrets) },
    },
    stream,
  );
  if (prettyMissing) logger.warn('LOG_FORMAT=pretty needs pino-pretty, a development dependency that is not installed here (npm ci --omit=dev leaves it out): logging JSON lines instead');
  return {
    debug: (message, fields) => (fields === undefined ? logger.debug(message) : logger.debug(fields, message)),
    info: (message, fields) => (fields === undefined ? logger.info(message) : logger.info(fields, message)),
    warn: (message, fields) => (fields === undefined ? logger.warn(message) : logger.warn(fields, message)),
    error: (message, fields) => (fields === undefined ? logger.error(message) : logger.error(fields, message)),
  };
}

/** A pino destination handing each line, without its newline, to `write`. */
function lineWriter(write: (line: string) => void): DestinationStream {
  return { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) };
}

/**
 * pino-pretty's formatter (its documented `prettyFactory`: one JSON line in, one readable line out,
 * synchronously), or undefined when pino-pretty is not installed.
 */
function loadPrettifier(load: () => PrettyFactory, colorize: boolean): ((line: string) => string) | undefined {
  let prettyFactory: PrettyFactory;
  try {
    prettyFactory = load();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  // "[bolt] …", "[telegraf:client] …": the component leads the line instead of following it as a field.
  const prettify = prettyFactory({ colorize, errorLikeObjectKeys: ['error', 'err'], messageFormat: '{if component}[{component}] {end}{msg}', ignore: 'component' });
  return (line) => prettify(line);
}
