import { linkedCases } from '../links.js';
import type { CaseCommand } from './command.js';

/** `!link <case number>`: two cases linked both ways; each thread says so, each card and history shows it. */
export const link: CaseCommand<'link'> = {
  name: 'link',
  needsAgent: true,
  async run({ theCase, message, fx, tx, refuse }, command) {
    if (command.caseId === undefined) return refuse({ type: 'usage', command: '!link' }, 'no case number');
    const other = await tx.getCase(command.caseId);
    if (other === undefined) return refuse({ type: 'no-such-case', caseId: command.caseId }, 'no such case');
    if (other.id === theCase.id) return refuse({ type: 'link-to-itself', caseId: theCase.id }, 'same case');
    if (linkedCases(theCase, await tx.listEvents(theCase.id)).includes(other.id)) return refuse({ type: 'already-linked', caseId: theCase.id, otherCaseId: other.id }, 'already linked');
    for (const [a, b] of [
      [theCase, other],
      [other, theCase],
    ] as const) {
      await tx.appendEvent({ caseId: a.id, at: fx.now, kind: 'linked', authorKind: 'agent', authorId: message.user, authorName: message.userName, text: null, data: { otherCaseId: b.id } });
      if (a.thread.thread !== null || a.id === theCase.id) fx.send({ to: 'case-thread', caseId: a.id, post: { type: 'linked', otherCaseId: b.id, by: message.user } });
    }
    return { outcome: 'done', caseId: theCase.id };
  },
};
