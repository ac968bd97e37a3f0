import type { WebClient } from '@slack/web-api';
import type { Period } from '../../src/reports/period.js';
import { buildReportPage, renderReportPage, reportFileName, type ReportPage } from '../../src/reports/report-page.js';
import type { ReportDeps } from './team-report.js';

/** The report page of a period: its figures, and the HTML file that shows them. */
export interface ReportFile {
  readonly page: ReportPage;
  readonly fileName: string;
  readonly html: string;
}

/** The report page of `period` as of now, with the agents' Slack display names. */
export async function reportFile(deps: ReportDeps, period: Period): Promise<ReportFile> {
  const page = await buildReportPage(
    { reports: deps.reports, departments: deps.departments.departments, timeZone: deps.timeZone, agentName: (id) => deps.directory.displayName(id) },
    period,
    deps.clock.now(),
  );
  // The running app always has a time zone: TEAM_TIMEZONE, or UTC by default (the page names it).
  return { page, fileName: reportFileName(period, deps.timeZone), html: renderReportPage(page, { timeZoneSet: true }) };
}

/**
 * Sends `file` to `user` in their direct messages with Repka: conversations.open gives the DM's
 * channel (docs.slack.dev/reference/methods/conversations.open), then the upload goes through
 * files.getUploadURLExternal and files.completeUploadExternal (WebClient.filesUploadV2) with that
 * channel_id. Throws the WebClient's error when Slack refuses.
 */
export async function sendReportFile(client: WebClient, user: string, file: ReportFile): Promise<void> {
  const dm = await client.conversations.open({ users: user });
  const channel = dm.channel?.id;
  if (channel === undefined) throw new Error('conversations.open gave no channel');
  const { stats } = file.page;
  await client.filesUploadV2({
    channel_id: channel,
    file: Buffer.from(file.html, 'utf8'),
    filename: file.fileName,
    title: `Support report: ${stats.period.label}`,
    initial_comment: `The support report for ${stats.period.label} as a page with charts (times in ${stats.timeZone}): open it in a browser, or print it.`,
  });
}
