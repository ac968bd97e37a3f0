import { describe, expect, it } from 'vitest';
import { agentCommandNames } from '../../../../src/cases/agent-command.js';
import { caseCommands } from '../../../../src/cases/commands/index.js';

describe('the command modules', () => {
  it('each is registered under its own name, and says whether it needs an agent as the contract does', () => {
    for (const [key, module] of Object.entries(caseCommands)) expect(module.name).toBe(key);
    // Contract, SLACK_AGENTS: these act on a case, a client or a department.
    const forAgents = Object.values(caseCommands)
      .filter((m) => m.needsAgent)
      .map((m) => m.name)
      .sort();
    expect(forAgents).toEqual(['ask', 'assign', 'cancel', 'close', 'link', 'reopen', 'reply']);
  });

  it('help lists every typed command once, in order, without the !r alias', () => {
    expect(agentCommandNames).toEqual(['reply', 'close', 'reopen', 'assign', 'history', 'help', 'ask', 'cancel', 'link']);
  });
});
