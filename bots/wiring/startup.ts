import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../src/ports.js';
import { StartupError } from '../startup-error.js';

/** A wiring step's way out: undoes what the step set up. */
export type Stop = () => Promise<void> | void;

/** Collects the stops of the steps started so far and runs them in reverse order, each once. */
export class Stops {
  private readonly steps: Stop[] = [];

  constructor(private readonly log: Logger) {}

  push(stop: Stop): void {
    this.steps.push(stop);
  }

  /** Runs every stop, last first; a failing one is logged and the rest still run. */
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        this.log.warn('shutdown step failed', { error: (error as Error).message });
      }
    }
  }
}

/**
 * Bolt's and the WebClient's logger on Repka's: each line at Bolt's level, with `component: "bolt"`;
 * an Error among the arguments goes into `error` (pino serialises it: type, message, stack).
 */
export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const line = (args: unknown[]): [string, Record<string, unknown>] => {
    const error = args.find((a) => a instanceof Error);
    const text = args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    return [text, error === undefined ? { component: 'bolt' } : { component: 'bolt', error }];
  };
  return {
    // Bolt's and the WebClient's debug output carries whole request and response bodies: every
    // client's message in full (phone and card numbers). It is never passed on, at any LOG_LEVEL.
    debug: () => undefined,
    info: (...args) => log.info(...line(args)),
    // A failed HTTP request is reported by whoever made it (withRetries, the drainer): not twice.
    warn: (...args) => {
      const [text, fields] = line(args);
      if (!text.startsWith('http request failed')) log.warn(text, fields);
    },
    error: (...args) => log.error(...line(args)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** Runs a start-up call, retrying transient failures with backoff; the last failure stops start-up in one line. */
export async function withRetries<T>(what: string, attempts: number, work: () => Promise<T>, isFatal: (error: unknown) => boolean, log: Logger): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      // Already worded for the operator (a rejected credential): retrying cannot help.
      if (error instanceof StartupError) throw error;
      const message = (error as Error).message;
      if (isFatal(error) || attempt >= attempts) throw new StartupError(`${what} failed: ${message}`);
      // Once, not once per attempt: the final failure, if it comes, is the error itself.
      if (attempt === 1) log.warn(`${what} failed, retrying`, { attempts, error: message });
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)));
    }
  }
}

/**
 * Wraps an expensive computation: a call within `maxAgeMs` of the last result gets that result,
 * and calls while one computation runs share it. 0: always computed afresh.
 */
export function latestWithin<T>(maxAgeMs: number, compute: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (last !== undefined && now - last.at < maxAgeMs) return last.value;
    const value = compute();
    last = { at: now, value };
    // A failed computation is not kept: the next call tries again.
    value.catch(() => (last = undefined));
    return value;
  };
}
