import { cardAffectedBy, type Outgoing } from './outgoing.js';
import type { CaseStore, Clock, DeliveryTrigger, Outbox } from './ports.js';

/** What an inbound delivery did; `duplicate` when its key was seen before and nothing happened. */
export type InboundResult =
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'ignored'; readonly reason: string }
  | { readonly outcome: 'done'; readonly caseId?: number; readonly opened?: boolean };

/** The effects a piece of domain work may have besides writing the store. */
export interface Effects {
  /** The instant the work happens at, epoch ms. */
  readonly now: number;
  /** Queues a message in the outbox, in the same transaction. */
  send(message: Outgoing): void;
  /** Runs after the transaction commits (e.g. scheduling jobs); never inside it. */
  later(effect: () => void): void;
}

export interface UnitOfWorkDeps {
  readonly store: Pick<CaseStore, 'transaction' | 'markInbound' | 'afterCommit'>;
  readonly outbox: Outbox;
  readonly trigger: DeliveryTrigger;
  readonly clock: Clock;
}

/**
 * Runs `work` in one store transaction, after recording `inboundKey` (null: not an inbound
 * delivery, no dedup); once that is committed, wakes delivery for what it queued and runs its
 * `later` effects.
 */
export function runUnitOfWork(deps: UnitOfWorkDeps, inboundKey: string | null, work: (fx: Effects) => InboundResult): InboundResult {
  const queued: number[] = [];
  const after: (() => void)[] = [];
  const now = deps.clock.now();
  const result = deps.store.transaction(() => {
    if (inboundKey !== null && !deps.store.markInbound(inboundKey, now)) return { outcome: 'duplicate' } as const;
    // Every change that shows on a case card queues one card update per case.
    const cards = new Set<number>();
    const updated = new Set<number>();
    const send = (message: Outgoing) => {
      queued.push(deps.outbox.enqueue(message, now));
      if (message.to === 'case-card') updated.add(message.caseId);
      const affected = cardAffectedBy(message);
      if (affected !== undefined) cards.add(affected);
    };
    const outcome = work({ now, send, later: (effect) => after.push(effect) });
    for (const caseId of cards) if (!updated.has(caseId)) queued.push(deps.outbox.enqueue({ to: 'case-card', caseId, op: 'update' }, now));
    return outcome;
  });
  if (queued.length > 0 || after.length > 0)
    deps.store.afterCommit(() => {
      if (queued.length > 0) deps.trigger.wake(queued);
      for (const effect of after) effect();
    });
  return result;
}
