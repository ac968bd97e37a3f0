import type { BusinessHours } from './deadlines/business-hours.js';

/** The departments Repka asks questions of, as the departments file configures them. */

/** One department as configured: durations in ms, reminder points as fractions 0..1. */
export interface Department {
  readonly id: string;
  readonly name: string;
  /** Lower-cased id and aliases, for matching `!ask <department>`. */
  readonly names: readonly string[];
  readonly aliases: readonly string[];
  /** The department's channel on the staff platform. */
  readonly channel: string;
  /** Default reply-by duration, ms of business time. */
  readonly replyWithinMs: number;
  readonly mention: readonly string[];
  /** Reminder points as fractions of the ask's business-time span, ascending. */
  readonly remindAt: readonly number[];
  readonly escalateTo: readonly string[];
  /** Second escalation to the support lead this long after the deadline, ms; undefined: none. */
  readonly escalateAgainAfterMs?: number;
  /** Whether the client is told that the team is checking with this department. Default true. */
  readonly tellClient: boolean;
  /** Business hours; undefined: the clock runs 24/7. */
  readonly hours?: BusinessHours;
}

export interface DepartmentsConfig {
  /** How long a client may wait for a first reply before the case thread is alerted, ms. Default 15 minutes. */
  readonly clientFirstReplyWithinMs: number;
  /** Staff user IDs told on a second escalation. */
  readonly supportLead: readonly string[];
  readonly departments: readonly Department[];
}
