import { describeFiles } from '../../files.js';
import type { CaseCommand } from './command.js';

/** Anything written in a case thread that is not a command, files included: an internal note, never sent to the client. */
export const note: CaseCommand<'note'> = {
  name: 'note',
  needsAgent: false,
  async run({ record, theCase, message }, command) {
    const files = describeFiles(message.files ?? []);
    await record('note', command.text, { ts: message.ts, ...(files.length > 0 ? { files } : {}) });
    return { outcome: 'done', caseId: theCase.id };
  },
};
