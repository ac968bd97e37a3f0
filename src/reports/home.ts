import type { Department } from '../departments.js';
import type { ThreadRef } from '../ports.js';

/** An open case as the App Home lists it. */
export interface HomeCase {
  readonly id: number;
  readonly clientName: string;
  readonly openedAt: number;
  /** Since when the client waits for an answer; null when we replied last. */
  readonly clientWaitingSince: number | null;
  readonly assignee: string | null;
  /** The case thread (its `thread` null until the card is posted). */
  readonly thread: ThreadRef;
}

/** An open department question past its deadline. */
export interface HomeAsk {
  readonly id: number;
  readonly caseId: number;
  readonly departmentId: string;
  readonly question: string;
  readonly askedBy: string;
  readonly deadlineAt: number;
  /** The case thread (its `thread` null until the card is posted). */
  readonly caseThread: ThreadRef;
}

/** Loads what the App Home shows. */
export interface HomeSource {
  /** Open cases assigned to `user`, oldest first. */
  openCasesAssignedTo(user: string): Promise<HomeCase[]>;
  /** Open questions whose deadline is at or before `now`, oldest deadline first. */
  overdueAsks(now: number): Promise<HomeAsk[]>;
}

/**
 * The overdue questions that concern `user`: ones they asked, ones about cases assigned to them
 * (`myCaseIds`), and ones to departments where they are pinged (`mention`) or escalated to.
 */
export function asksConcerning(user: string, asks: readonly HomeAsk[], departments: readonly Department[], myCaseIds: ReadonlySet<number>): HomeAsk[] {
  const involved = new Set(departments.filter((d) => d.mention.includes(user) || d.escalateTo.includes(user)).map((d) => d.id));
  return asks.filter((a) => a.askedBy === user || myCaseIds.has(a.caseId) || involved.has(a.departmentId));
}
