import { describe, expect, it } from 'vitest';
import { anna, createDomain } from '../../../support/domain.js';
import { expectRefusedToNonAgent, withAgents } from '../../../support/commands.js';

const boris = { id: 'U0BORIS', name: 'Boris' };

describe('!assign', () => {
  it('assigns the person named (as the adapter decoded <@U…> to @name), kept with their name', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!assign @Boris', anna, [boris])).toEqual({ outcome: 'done', caseId: c.id });
    expect((await fx.caseNow(c.id)).assignee).toBe('U0BORIS');
    const sent = fx.sent.since(mark);
    expect(sent.thread(c.id).map((m) => m.post)).toEqual([{ type: 'assigned', by: anna.user, assignee: 'U0BORIS' }]);
    expect(sent.all().filter((m) => m.to === 'case-card')).toEqual([{ to: 'case-card', caseId: c.id, op: 'update' }]);
    expect(sent.client()).toEqual([]);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({ kind: 'assigned', authorId: anna.user, data: { assignee: 'U0BORIS', assigneeName: 'Boris' } });
  });

  it('!assign me assigns the author', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    await fx.agentSays(c.id, '!assign me');
    expect((await fx.caseNow(c.id)).assignee).toBe(anna.user);
    expect((await fx.store.listEvents(c.id)).at(-1)?.data).toEqual({ assignee: anna.user, assigneeName: 'Anna' });
  });

  it('refuses !assign with nobody (known) named, with the usage', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!assign')).toEqual({ outcome: 'ignored', reason: 'no assignee' });
    expect(await fx.agentSays(c.id, '!assign @Nobody', anna, [boris])).toEqual({ outcome: 'ignored', reason: 'no assignee' });
    expect(fx.sent.since(mark).notices(anna.user)).toEqual([
      { type: 'usage', command: '!assign' },
      { type: 'usage', command: '!assign' },
    ]);
    expect((await fx.caseNow(c.id)).assignee).toBeNull();
  });

  it('with SLACK_AGENTS set, is refused to anyone else', async () => {
    const { fx, c } = await withAgents();
    await expectRefusedToNonAgent(fx, c.id, '!assign me', '!assign');
    expect((await fx.caseNow(c.id)).assignee).toBeNull();
  });
});
