/** Per signal, what its one listener calls when it aborts (see {@link onAbort}). */
const subscribers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `listener` once when `signal` aborts (at once when it already has), and returns what
 * unsubscribes it. However many subscribe, the signal gets one listener: thousands of drains wait
 * with the process's one shutdown signal, and an EventTarget walks its listeners on every add and
 * remove (Node's lib/internal/event_target.js checks each for a duplicate), so a listener each
 * was quadratic.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    listener();
    return () => undefined;
  }
  let listeners = subscribers.get(signal);
  if (listeners === undefined) {
    const all = new Set<() => void>();
    subscribers.set(signal, all);
    signal.addEventListener('abort', () => [...all].forEach((call) => call()), { once: true });
    listeners = all;
  }
  const subscribed = listeners;
  subscribed.add(listener);
  return () => subscribed.delete(listener);
}
