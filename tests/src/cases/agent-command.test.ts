import { describe, expect, it } from 'vitest';
import { parseAgentCommand } from '../../../src/cases/agent-command.js';

describe('parseAgentCommand', () => {
  it.each([
    ['!reply Hello there', { name: 'reply', text: 'Hello there' }],
    ['!r Hello', { name: 'reply', text: 'Hello' }],
    ['!REPLY Loud', { name: 'reply', text: 'Loud' }],
    ['  !Reply  spaced  ', { name: 'reply', text: 'spaced' }],
    ['!reply', { name: 'reply', text: '' }],
    ['!reply line one\nline two', { name: 'reply', text: 'line one\nline two' }],
    ['!close', { name: 'close', summary: '' }],
    ['!close refunded 5%', { name: 'close', summary: 'refunded 5%' }],
    ['!reopen', { name: 'reopen' }],
    ['!assign @Boris', { name: 'assign', target: undefined }],
    ['!assign me', { name: 'assign', target: 'me' }],
    ['!assign', { name: 'assign', target: undefined }],
    ['!assign boris', { name: 'assign', target: undefined }],
    // "me" is the whole word: not the start or the end of another one.
    ['!assign meh', { name: 'assign', target: undefined }],
    ['!assign theme', { name: 'assign', target: undefined }],
    ['!link 12abc', { name: 'link', caseId: undefined }],
    ['!link abc12', { name: 'link', caseId: undefined }],
    ['!link #12', { name: 'link', caseId: 12 }],
    ['!history', { name: 'history' }],
    ['!help', { name: 'help' }],
    ['!ask acc in 2h why?', { name: 'ask', args: 'acc in 2h why?' }],
    ['!cancel 3', { name: 'cancel', args: '3' }],
    ['!replly typo', { name: 'unknown', word: '!replly' }],
    ['!', { name: 'note', text: '!' }],
    ['checking with devs', { name: 'note', text: 'checking with devs' }],
    ['not a !reply command', { name: 'note', text: 'not a !reply command' }],
  ])('%j', (input, expected) => {
    expect(parseAgentCommand(input)).toEqual(expected);
  });

  it('!assign takes its target from the people the message names, not from platform markup', () => {
    const boris = [{ id: 'U0AGENT2', name: 'Boris Petrov' }];
    expect(parseAgentCommand('!assign @Boris Petrov', boris)).toEqual({ name: 'assign', target: { id: 'U0AGENT2', name: 'Boris Petrov' } });
    expect(parseAgentCommand('!assign  @Boris Petrov ', boris)).toEqual({ name: 'assign', target: { id: 'U0AGENT2', name: 'Boris Petrov' } });
    expect(parseAgentCommand('!assign @Anna', boris)).toEqual({ name: 'assign', target: undefined });
    expect(parseAgentCommand('!assign <@U0AGENT2>', boris)).toEqual({ name: 'assign', target: undefined });
    expect(parseAgentCommand('!reply ask @Boris Petrov', boris)).toEqual({ name: 'reply', text: 'ask @Boris Petrov' });
  });
});
