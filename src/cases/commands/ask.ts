import type { CaseCommand } from './command.js';

/**
 * `!ask <department> [in <duration>] <question>`, or the card's "Ask a department" form (already
 * validated): a question to a department with a reply-by time. Not on a closed case.
 */
export const ask: CaseCommand<'ask'> = {
  name: 'ask',
  needsAgent: true,
  async run({ theCase, message, fx, asks, refuse }, command) {
    if (command.form === undefined) return asks.ask(theCase, message, command.args, fx);
    if (theCase.status === 'closed') return refuse({ type: 'case-closed', command: '!ask' }, 'case closed');
    await asks.create(theCase, command.form.department, command.form.question, command.form.durationMs, message, fx);
    return { outcome: 'done', caseId: theCase.id };
  },
};
