import { describe, expect, it } from 'vitest';
import { anna, createDomain } from '../../../support/domain.js';
import { eve, withAgents } from '../../../support/commands.js';

describe('a note (anything that is no command)', () => {
  it('is kept in the history and sent to nobody', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '  client called, will send the receipt  ')).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).all()).toEqual([]);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({ kind: 'note', authorKind: 'agent', authorId: anna.user, authorName: 'Anna', text: 'client called, will send the receipt' });
  });

  it('with SLACK_AGENTS set, anyone in the thread may write one', async () => {
    const { fx, c } = await withAgents();
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, 'I know this client', eve)).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).all()).toEqual([]);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({ kind: 'note', authorId: eve.user, text: 'I know this client' });
  });

  it('is ignored outside a case thread', async () => {
    const fx = createDomain();
    const result = await fx.cases.receiveAgentMessage({ inboundKey: fx.key(), platform: 'slack', channel: 'C0SUPPORT', threadTs: '1.1', ts: '1.2', ...anna, text: 'hello' });
    expect(result).toEqual({ outcome: 'ignored', reason: 'not a case thread' });
  });
});
