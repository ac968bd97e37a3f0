import type { PendingMessage } from '../ports.js';

export type { PendingMessage } from '../ports.js';

/**
 * Sends outbox messages to a platform. Given the oldest pending messages of one stream (at least
 * one), it delivers a prefix of them, possibly combined into one platform call, and returns how
 * many it delivered (≥ 1). Errors tell the drainer what to do:
 * - {@link RetryLaterError}: the platform asked us to wait (429); retried after exactly that long.
 * - {@link PermanentDeliveryError}: retrying cannot help (channel gone, bot blocked); the first
 *   message is marked failed and the agent told.
 * - anything else: transient (5xx, timeout, connection refused); retried with backoff.
 */
export interface Deliverer {
  deliver(messages: readonly PendingMessage[], signal: AbortSignal): Promise<number>;
  /**
   * Optional: resolves once the platform's rate limit lets a call for `head` go out, without using
   * that turn. The drainer waits for it before reading what to deliver, so messages that arrive
   * while a busy channel waits its turn are combined into the same post.
   */
  ready?(head: PendingMessage, signal: AbortSignal): Promise<void>;
}

/** The platform asked us to wait `afterMs` milliseconds (an HTTP Retry-After, a retry_after in the answer). */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
  constructor(
    readonly afterMs: number,
    message: string,
  ) {
    super(message);
  }
}

/** Delivery can never succeed; `reason` is shown to agents (e.g. "the client blocked the bot"). */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when aborted first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
