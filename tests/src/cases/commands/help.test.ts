import { describe, expect, it } from 'vitest';
import { anna, createDomain } from '../../../support/domain.js';
import { eve, withAgents } from '../../../support/commands.js';

describe('!help and unknown commands', () => {
  it('!help answers privately with the command list and records nothing', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const events = (await fx.store.listEvents(c.id)).length;
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!help')).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'staff-private', conversation: c.thread.conversation, user: anna.user, thread: c.thread.thread, notice: { type: 'help' } }]);
    expect(await fx.store.listEvents(c.id)).toHaveLength(events);
  });

  it('an unknown !word answers with help naming it, and sends nothing to the client', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const events = (await fx.store.listEvents(c.id)).length;
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!rply hello')).toEqual({ outcome: 'ignored', reason: 'unknown command' });
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'staff-private', conversation: c.thread.conversation, user: anna.user, thread: c.thread.thread, notice: { type: 'help', unknownCommand: '!rply' } }]);
    expect(await fx.store.listEvents(c.id)).toHaveLength(events);
  });

  it('with SLACK_AGENTS set, anyone may ask for help', async () => {
    const { fx, c } = await withAgents();
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!help', eve)).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).notices(eve.user)).toEqual([{ type: 'help' }]);
  });
});
