import type { CaseCommand } from './command.js';

/** `!history`: the whole case history posted into the thread as a file. */
export const history: CaseCommand<'history'> = {
  name: 'history',
  needsAgent: false,
  async run({ fx, theCase }) {
    fx.send({ to: 'case-thread', caseId: theCase.id, post: { type: 'history' } });
    return { outcome: 'done', caseId: theCase.id };
  },
};
