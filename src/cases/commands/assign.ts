import type { CaseCommand } from './command.js';

/** `!assign @someone` / `!assign me` (or the card's "Assign to me"): who owns the case. */
export const assign: CaseCommand<'assign'> = {
  name: 'assign',
  needsAgent: true,
  async run({ theCase, message, fx, tx, record, refuse }, command) {
    if (command.target === undefined) return refuse({ type: 'usage', command: '!assign' }, 'no assignee');
    const [assignee, assigneeName] = command.target === 'me' ? [message.user, message.userName] : [command.target.id, command.target.name];
    // The name too: histories and exports read "assigned to Boris", not a user ID.
    await record('assigned', null, { assignee, assigneeName });
    await tx.updateCase(theCase.id, { assignee });
    fx.send({ to: 'case-thread', caseId: theCase.id, post: { type: 'assigned', by: message.user, assignee } });
    return { outcome: 'done', caseId: theCase.id };
  },
};
