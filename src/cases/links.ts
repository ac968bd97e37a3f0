import type { Case, CaseEvent } from '../ports.js';

/**
 * Cases linked to this one, both ways, in the order they were linked: the case it follows up,
 * follow-ups the client opened after it, and `!link`s. Read from the case's own history. Pure.
 */
export function linkedCases(theCase: Pick<Case, 'id' | 'previousCaseId'>, events: readonly CaseEvent[]): number[] {
  const ids: number[] = [];
  if (theCase.previousCaseId !== null) ids.push(theCase.previousCaseId);
  for (const e of events) {
    const other = e.kind === 'linked' ? Number(e.data?.otherCaseId) : Number.NaN;
    if (Number.isInteger(other) && other !== theCase.id && !ids.includes(other)) ids.push(other);
  }
  return ids;
}
