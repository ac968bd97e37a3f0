import type { CaseEvent } from '../../ports.js';
import { closedReason } from '../../asks/case-closed-reason.js';
import type { CaseCommand } from './command.js';

/**
 * `!reopen` (or the card's Reopen): the case opens again and the client is told. The thread post
 * names the department questions the close settled: they stay settled; ask again if still needed.
 */
export const reopen: CaseCommand<'reopen'> = {
  name: 'reopen',
  needsAgent: true,
  async run({ theCase, client, message, fx, tx, record, refuse }) {
    if (theCase.status === 'open') return refuse({ type: 'already-open', caseId: theCase.id }, 'already open');
    const settledAskIds = settledByLastClose(await tx.listEvents(theCase.id));
    await record('reopened', null, settledAskIds.length > 0 ? { settledAskIds } : null);
    await tx.updateCase(theCase.id, { status: 'open', closedAt: null });
    fx.send({ to: 'case-thread', caseId: theCase.id, post: { type: 'reopened', by: message.user, ...(settledAskIds.length > 0 ? { settledAskIds } : {}) } });
    fx.send({ to: 'client', chatId: client.chatId, caseId: theCase.id, notice: { type: 'case-reopened', caseId: theCase.id } });
    return { outcome: 'done', caseId: theCase.id };
  },
};

/** The questions the case's last close settled: its "case closed" cancellations, which follow it in the history. */
function settledByLastClose(events: readonly CaseEvent[]): number[] {
  const closedAt = events.findLastIndex((e) => e.kind === 'closed');
  if (closedAt < 0) return [];
  return events
    .slice(closedAt + 1)
    .filter((e) => e.kind === 'ask-cancelled' && e.text === closedReason)
    .map((e) => e.data?.askId)
    .filter((id): id is number => typeof id === 'number');
}
