import { caseClosedNotice } from '../rating.js';
import type { CaseCommand } from './command.js';

/**
 * `!close [summary]` (or the card's Close): the case closes, the client is told and asked for a
 * rating, stops counting as waiting, and every open department question is settled (contract:
 * each department thread told, no reminder or overdue notice afterwards). Their settling
 * follows the close in the history, which is how `!reopen` names them.
 */
export const close: CaseCommand<'close'> = {
  name: 'close',
  needsAgent: true,
  async run({ theCase, client, message, fx, tx, asks, record, refuse }, command) {
    if (theCase.status === 'closed') return refuse({ type: 'already-closed', caseId: theCase.id }, 'already closed');
    const summary = command.summary === '' ? null : command.summary;
    await record('closed', summary);
    await tx.updateCase(theCase.id, { status: 'closed', closedAt: fx.now, closeSummary: summary, clientWaitingSince: null });
    const settled = (await asks.settleForClose(theCase, message, fx)).map((a) => a.id);
    fx.send({ to: 'case-thread', caseId: theCase.id, post: { type: 'closed', by: message.user, summary: summary ?? undefined, ...(settled.length > 0 ? { settledAskIds: settled } : {}) } });
    fx.send(caseClosedNotice(client.chatId, theCase.id));
    return { outcome: 'done', caseId: theCase.id };
  },
};
