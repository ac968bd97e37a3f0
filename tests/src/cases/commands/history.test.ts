import { describe, expect, it } from 'vitest';
import { createDomain } from '../../../support/domain.js';
import { eve, withAgents } from '../../../support/commands.js';

describe('!history', () => {
  it('posts the case history into the thread, and nothing to the client', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello');
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!history')).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'case-thread', caseId: c.id, post: { type: 'history' } }]);
  });

  it('with SLACK_AGENTS set, anyone may ask for it', async () => {
    const { fx, c } = await withAgents();
    const mark = fx.sent.mark();
    expect(await fx.agentSays(c.id, '!history', eve)).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).threadPosts(c.id)).toEqual(['history']);
  });
});
