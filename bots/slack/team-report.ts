import type { DepartmentsConfig } from '../config.js';
import type { Clock, Directory, Logger } from '../../src/ports.js';
import type { HomeSource } from '../../src/reports/home.js';
import type { Period } from '../../src/reports/period.js';
import { computeStats, type ReportSource, type TeamStats } from '../../src/reports/stats.js';
import type { AccessPolicy } from '../../src/cases/access-policy.js';

/** What `/repka` and the App Home need. */
export interface ReportDeps {
  readonly reports: ReportSource & HomeSource;
  /** Who may see the team figures. */
  readonly team: AccessPolicy;
  readonly directory: Directory;
  readonly departments: DepartmentsConfig;
  /** TEAM_TIMEZONE: weekdays, hours and dates in reports. */
  readonly timeZone: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** The workspace URL from auth.test ("https://acme.slack.com/"), for links to case threads. */
  readonly workspaceUrl: string;
}

/** The team figures for `period` with the agents' display names. */
export async function teamReport(deps: ReportDeps, period: Period): Promise<{ stats: TeamStats; names: Map<string, string> }> {
  const stats = computeStats({ period, now: deps.clock.now(), snapshot: await deps.reports.statsSnapshot(period), departments: deps.departments.departments, timeZone: deps.timeZone });
  const names = new Map(await Promise.all(stats.agents.map(async (a) => [a.agent, await deps.directory.displayName(a.agent)] as const)));
  return { stats, names };
}

/** A Slack link to a message: the permalink format, built without a call per message. */
export function messageLink(workspaceUrl: string, channel: string, ts: string): string {
  const base = workspaceUrl.endsWith('/') ? workspaceUrl : `${workspaceUrl}/`;
  return `${base}archives/${channel}/p${ts.replace('.', '')}`;
}
