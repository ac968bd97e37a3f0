/**
 * Shared checks for the case-command tests: the access policy's refusal (SLACK_AGENTS set, a
 * non-agent types a command only agents may use) seen from outside.
 */
import { expect } from 'vitest';
import { createDomain, type Domain } from './domain.js';

/** Somebody in the support channel who is not in SLACK_AGENTS. */
export const eve = { user: 'U0EVE', userName: 'Eve' } as const;

/** A domain with SLACK_AGENTS = Anna and Boris, and one case (client 1001) whose card has landed. */
export async function withAgents() {
  const fx = createDomain({ agents: ['U0ANNA', 'U0BORIS'], members: ['U0ANNA', 'U0BORIS', 'U0EVE'] });
  const c = await fx.clientSays('my invoice is wrong');
  return { fx, c };
}

/**
 * Eve types `text` in the case thread: she is told privately that it is for agents, what she
 * typed is kept as a note, and nothing else happens (no message to anyone, the case unchanged,
 * no question created or settled, no job scheduled or removed).
 */
export async function expectRefusedToNonAgent(fx: Domain, caseId: number, text: string, command: string): Promise<void> {
  const mark = fx.sent.mark();
  const before = { theCase: await fx.caseNow(caseId), asks: await fx.store.listAsks(caseId), events: (await fx.store.listEvents(caseId)).length, schedules: fx.scheduler.asks.length, removed: fx.scheduler.removed.length };
  const result = await fx.agentSays(caseId, text, eve);
  expect(result).toEqual({ outcome: 'ignored', reason: 'not an agent' });
  const theCase = await fx.caseNow(caseId);
  expect(fx.sent.since(mark).all()).toEqual([{ to: 'staff-private', conversation: theCase.thread.conversation, user: eve.user, thread: theCase.thread.thread, notice: { type: 'not-agent', command, via: 'message' } }]);
  expect(theCase).toEqual(before.theCase);
  expect(await fx.store.listAsks(caseId)).toEqual(before.asks);
  const added = (await fx.store.listEvents(caseId)).slice(before.events);
  expect(added).toMatchObject([{ kind: 'note', authorId: eve.user, text: text.trim() }]);
  expect(fx.scheduler.asks).toHaveLength(before.schedules);
  expect(fx.scheduler.removed).toHaveLength(before.removed);
}
