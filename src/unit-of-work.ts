import { cardAffectedBy, streamOf, type Outgoing } from './outgoing.js';
import type { Clock, DeliveryTrigger, Storage, UnitOfWork, WokenRow } from './ports.js';

/** What an inbound delivery did; `duplicate` when its key was seen before and nothing happened. */
export type InboundResult =
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'ignored'; readonly reason: string }
  | { readonly outcome: 'done'; readonly caseId?: number; readonly opened?: boolean };

/** What a piece of domain work has besides its result: the storage of its unit, the instant, and its effects. */
export interface Effects {
  /** Storage inside the unit of work (its transaction). */
  readonly tx: Storage;
  /** The instant the work happens at, epoch ms. */
  readonly now: number;
  /** Queues a message in the outbox, in the same unit of work (in the order sent). */
  send(message: Outgoing): void;
  /** Runs once the unit of work is durable (e.g. scheduling jobs); never inside it. */
  later(effect: () => void): void;
}

export interface UnitOfWorkDeps {
  readonly uow: UnitOfWork;
  readonly trigger: DeliveryTrigger;
  readonly clock: Clock;
}

/**
 * Runs `work` in one unit of work, after recording `inboundKey` (null: not an inbound delivery,
 * no dedup); once that is durable, wakes delivery for what it queued and runs its `later` effects,
 * then resolves. Rejects, with nothing kept, sent or run, when storage fails.
 */
export async function runUnitOfWork(deps: UnitOfWorkDeps, inboundKey: string | null, work: (fx: Effects) => Promise<InboundResult> | InboundResult): Promise<InboundResult> {
  const woken: WokenRow[] = [];
  const after: (() => void)[] = [];
  const now = deps.clock.now();
  const result = await deps.uow.run(async (tx) => {
    woken.length = 0;
    after.length = 0;
    if (inboundKey !== null && !(await tx.markInbound(inboundKey, now))) return { outcome: 'duplicate' } as const;
    const messages: Outgoing[] = [];
    const outcome = await work({ tx, now, send: (message) => void messages.push(message), later: (effect) => void after.push(effect) });
    // Every change that shows on a case card queues one card update per case, after the rest.
    const cards = new Set<number>();
    const updated = new Set<number>();
    for (const message of messages) {
      if (message.to === 'case-card') updated.add(message.caseId);
      const affected = cardAffectedBy(message);
      if (affected !== undefined) cards.add(affected);
    }
    for (const caseId of cards) if (!updated.has(caseId)) messages.push({ to: 'case-card', caseId, op: 'update' });
    const ids = messages.length === 0 ? [] : await tx.enqueue(messages, now);
    messages.forEach((message, index) => woken.push({ id: ids[index] as number, stream: streamOf(message) }));
    return outcome;
  });
  if (woken.length > 0) deps.trigger.wake(woken);
  for (const effect of after) effect();
  return result;
}
