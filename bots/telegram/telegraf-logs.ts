import { createRequire } from 'node:module';
import type { LogLevel } from '../config.js';
import type { Logger } from '../../src/ports.js';

/** A logger of the `debug` package: `this` when it calls `log` and `formatArgs`. */
interface Debugger {
  readonly namespace: string;
}

/** What Repka uses of the `debug` package (https://github.com/debug-js/debug, src/common.js and src/node.js). */
interface DebugModule {
  log: (this: Debugger, ...args: unknown[]) => void;
  formatArgs: (this: Debugger, args: unknown[]) => void;
  enable(namespaces: string): void;
  /** Disables every namespace; returns the ones that were enabled, comma-separated. */
  disable(): string;
}

/**
 * The `debug` package Telegraf itself loads (resolved from Telegraf's own folder, so it is the same
 * module instance whatever else in node_modules depends on another version).
 */
function telegrafsDebug(): DebugModule {
  const telegraf = createRequire(import.meta.url).resolve('telegraf');
  return createRequire(telegraf)('debug') as DebugModule;
}

/**
 * Routes Telegraf's logging into Repka's logger. Telegraf 4 logs only through the `debug` package
 * (namespaces `telegraf:main`, `telegraf:client`, `telegraf:polling`, …; node_modules/telegraf/lib),
 * which has no levels: every line is debug output, so it becomes `log.debug` with `component` set
 * to the namespace, and the namespaces are enabled only at LOG_LEVEL=debug. Its other output, the
 * `console.error` of an unhandled update error, never runs: `createTelegramBot` sets `bot.catch`.
 *
 * Kept of a line: Telegraf's text (with its `%s`/`%d` values filled in), the plain values after it
 * (method names, URLs, update ids) and an Error's message; left out: objects, which are whole
 * request payloads and updates (`debug('HTTP call', method, payload)`), carrying what clients and
 * agents wrote, as Bolt's debug output is left out. (Telegraf 4.16 never formats an object into its
 * text: none of its `debug` calls uses `%o`, `%O` or `%j`.)
 *
 * The `debug` package is one per process (the build leaves it in node_modules, not in the bundle,
 * for that), so this is for the process's composition root
 * (`bots/main.ts`); namespaces enabled by the operator's `DEBUG` variable stay enabled and come
 * out the same way. Returns how to undo it.
 */
export function routeTelegrafLogs(log: Logger, level: LogLevel): () => void {
  const debug = telegrafsDebug();
  const { log: previousLog, formatArgs: previousFormatArgs } = debug;
  const previouslyEnabled = debug.disable();
  // Unformatted: no namespace, colour or date prefix in the text; the line carries them as fields.
  debug.formatArgs = () => undefined;
  debug.log = function (this: Debugger, ...args: unknown[]) {
    const error = args.find((a) => a instanceof Error);
    const text = args
      .map((a) => (a instanceof Error ? a.message : typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean' ? String(a) : undefined))
      .filter((part) => part !== undefined)
      .join(' ');
    log.debug(text, error === undefined ? { component: this.namespace } : { component: this.namespace, error });
  };
  debug.enable([previouslyEnabled, level === 'debug' ? 'telegraf:*' : ''].filter((n) => n !== '').join(','));
  return () => {
    debug.log = previousLog;
    debug.formatArgs = previousFormatArgs;
    debug.disable();
    debug.enable(previouslyEnabled);
  };
}
