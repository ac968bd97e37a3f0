import type { CaseCommand } from './command.js';

/** `!cancel <question number or department>`, or the "Cancel question" button: the agent withdraws a question. */
export const cancel: CaseCommand<'cancel'> = {
  name: 'cancel',
  needsAgent: true,
  async run({ theCase, message, fx, asks }, command) {
    return asks.cancelFromThread(theCase, message, command.askId === undefined ? command.args : { askId: command.askId }, fx);
  },
};
