import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { asksConcerning } from '../../../../src/reports/home.js';
import { parsePeriod } from '../../../../src/reports/period.js';
import { renderHome } from '../../render/home.js';
import { messageLink, teamReport, type ReportDeps } from '../../team-report.js';

/** The App Home view of `user`, as it is now. Team figures (last 7 days) only for those who may see reports. */
export async function homeView(deps: ReportDeps, user: string): Promise<Record<string, unknown>> {
  const now = deps.clock.now();
  const cases = await deps.reports.openCasesAssignedTo(user);
  const overdue = asksConcerning(user, await deps.reports.overdueAsks(now), deps.departments.departments, new Set(cases.map((c) => c.id)));
  const period = parsePeriod('7d', now, deps.timeZone);
  const team = period.ok && (await deps.team.mayReport(user)) ? await teamReport(deps, period.period) : undefined;
  return renderHome({
    user,
    now,
    timeZone: deps.timeZone,
    cases,
    overdue,
    departments: deps.departments.departments,
    team,
    linkTo: (channel, ts) => messageLink(deps.workspaceUrl, channel, ts),
  });
}

/**
 * Someone opened Repka's Home tab: publish it fresh. views.publish is called directly, as the
 * answer to this request (like views.open), after the event is acknowledged.
 */
export function appHomeOpened(deps: ReportDeps) {
  return async ({ event, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    if (event.tab !== undefined && event.tab !== 'home') return;
    const publish = async () => {
      const view = await homeView(deps, event.user);
      await client.views.publish({ user_id: event.user, view: view as never });
    };
    publish().catch((error: Error) => deps.log.warn('App Home not published', { user: event.user, error: error.message }));
  };
}
