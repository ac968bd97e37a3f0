import type { CaseCommand } from './command.js';

/** `!help`: the command list, privately. */
export const help: CaseCommand<'help'> = {
  name: 'help',
  needsAgent: false,
  async run({ tellPrivately, theCase }) {
    tellPrivately({ type: 'help' });
    return { outcome: 'done', caseId: theCase.id };
  },
};

/** `!word` that is no command: the command list, privately, naming the word; nothing is recorded. */
export const unknown: CaseCommand<'unknown'> = {
  name: 'unknown',
  needsAgent: false,
  async run({ tellPrivately }, command) {
    tellPrivately({ type: 'help', unknownCommand: command.word });
    return { outcome: 'ignored', reason: 'unknown command' };
  },
};
