import type { CaseCommand } from './command.js';

/** Anything written in a case thread that is not a command: an internal note, never sent to the client. */
export const note: CaseCommand<'note'> = {
  name: 'note',
  needsAgent: false,
  run({ record, theCase, message }, command) {
    record('note', command.text, { ts: message.ts });
    return { outcome: 'done', caseId: theCase.id };
  },
};
