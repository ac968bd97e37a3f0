import type { AgentCommand } from '../agent-command.js';
import { ask } from './ask.js';
import { assign } from './assign.js';
import { cancel } from './cancel.js';
import { close } from './close.js';
import type { CaseCommand } from './command.js';
import { help, unknown } from './help.js';
import { history } from './history.js';
import { link } from './link.js';
import { note } from './note.js';
import { reopen } from './reopen.js';
import { reply } from './reply.js';

export type { AgentMessage, CaseCommand, CommandContext } from './command.js';

/** Every case-thread command by name: the one place that says who may use it and what it does. */
export const caseCommands: { readonly [N in AgentCommand['name']]: CaseCommand<N> } = { reply, close, reopen, assign, ask, cancel, link, history, help, unknown, note };

/** The module for `command`. */
export function commandFor<N extends AgentCommand['name']>(command: Extract<AgentCommand, { name: N }>): CaseCommand<N> {
  return caseCommands[command.name as N] as CaseCommand<N>;
}
