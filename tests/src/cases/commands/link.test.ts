import { describe, expect, it } from 'vitest';
import { anna, createDomain } from '../../../support/domain.js';
import { expectRefusedToNonAgent, withAgents } from '../../../support/commands.js';

async function twoCases() {
  const fx = createDomain();
  const a = await fx.clientSays('first client', 1001);
  const b = await fx.clientSays('second client', 2002);
  return { fx, a, b };
}

describe('!link', () => {
  it('links two cases both ways: each history and each thread says so', async () => {
    const { fx, a, b } = await twoCases();
    const mark = fx.sent.mark();
    expect(await fx.agentSays(a.id, `!link #${b.id}`)).toEqual({ outcome: 'done', caseId: a.id });
    const sent = fx.sent.since(mark);
    expect(sent.thread(a.id).map((m) => m.post)).toEqual([{ type: 'linked', otherCaseId: b.id, by: anna.user }]);
    expect(sent.thread(b.id).map((m) => m.post)).toEqual([{ type: 'linked', otherCaseId: a.id, by: anna.user }]);
    expect(sent.client()).toEqual([]);
    expect((await fx.store.listEvents(a.id)).at(-1)).toMatchObject({ kind: 'linked', authorId: anna.user, data: { otherCaseId: b.id } });
    expect((await fx.store.listEvents(b.id)).at(-1)).toMatchObject({ kind: 'linked', authorId: anna.user, data: { otherCaseId: a.id } });
    expect(sent.all().filter((m) => m.to === 'case-card').map((m) => m.caseId).sort()).toEqual([a.id, b.id].sort());
  });

  it('refuses a missing number, an unknown case, the case itself and a link already made', async () => {
    const { fx, a, b } = await twoCases();
    await fx.agentSays(a.id, `!link ${b.id}`);
    const mark = fx.sent.mark();
    expect(await fx.agentSays(a.id, '!link')).toEqual({ outcome: 'ignored', reason: 'no case number' });
    expect(await fx.agentSays(a.id, '!link 99')).toEqual({ outcome: 'ignored', reason: 'no such case' });
    expect(await fx.agentSays(a.id, `!link ${a.id}`)).toEqual({ outcome: 'ignored', reason: 'same case' });
    expect(await fx.agentSays(a.id, `!link ${b.id}`)).toEqual({ outcome: 'ignored', reason: 'already linked' });
    expect(await fx.agentSays(b.id, `!link ${a.id}`)).toEqual({ outcome: 'ignored', reason: 'already linked' });
    expect(fx.sent.since(mark).notices(anna.user)).toEqual([
      { type: 'usage', command: '!link' },
      { type: 'no-such-case', caseId: 99 },
      { type: 'link-to-itself', caseId: a.id },
      { type: 'already-linked', caseId: a.id, otherCaseId: b.id },
      { type: 'already-linked', caseId: b.id, otherCaseId: a.id },
    ]);
    expect(fx.sent.since(mark).thread()).toEqual([]);
  });

  it('with SLACK_AGENTS set, is refused to anyone else', async () => {
    const { fx, c } = await withAgents();
    const other = await fx.clientSays('someone else', 2002);
    await expectRefusedToNonAgent(fx, c.id, `!link ${other.id}`, '!link');
    expect(await fx.historyKinds(other.id)).not.toContain('linked');
  });
});
