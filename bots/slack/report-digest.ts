import { createRequire } from 'node:module';
import type { WebClient } from '@slack/web-api';
import type { Department } from '../../src/departments.js';
import type { Clock, Logger, NameStore } from '../../src/ports.js';
import { localDate } from '../../src/reports/weekly.js';
import { buildReportPage, digestChart, storedAgentNames } from '../../src/reports/report-page.js';
import type { ReportSource } from '../../src/reports/stats.js';
import { renderDigest } from './render/digest.js';

const dayMs = 86_400_000;

export interface DigestDeps {
  readonly client: WebClient;
  readonly reports: ReportSource;
  /** Stored display names (the digest names no agent, but the report figures carry them). */
  readonly names: NameStore;
  readonly departments: readonly Department[];
  readonly timeZone: string;
  /** REPORT_CHANNEL. */
  readonly channel: string;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * An SVG as PNG, twice its size for sharp screens. resvg draws text with the system's fonts
 * (DejaVu Sans when installed, else any sans-serif it finds); no native build step, no network.
 */
export function svgToPng(svg: string): Buffer {
  // Loaded on the first chart, not at start: a native module most processes never need (issue 16).
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const resvg = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: '#ffffff' });
  return resvg.render().asPng();
}

/**
 * Posts the digest of the 7 days up to now to REPORT_CHANNEL: the summary as the upload's comment
 * and the chart as a PNG (files.getUploadURLExternal, then files.completeUploadExternal with
 * `channel_id`). Throws the WebClient's error when Slack refuses, so the job is retried.
 */
export async function postDigest(deps: DigestDeps): Promise<void> {
  const now = deps.clock.now();
  const period = { from: now - 7 * dayMs, to: now, label: 'last 7 days' };
  const { stats } = await buildReportPage({ reports: deps.reports, departments: deps.departments, timeZone: deps.timeZone, agentName: storedAgentNames(deps.names) }, period, now);
  const png = svgToPng(digestChart(stats));
  await deps.client.filesUploadV2({
    channel_id: deps.channel,
    file: png,
    filename: `repka-digest-${localDate(now, deps.timeZone)}.png`,
    title: `Support digest, week to ${localDate(now, deps.timeZone)}`,
    alt_text: 'Replies by department, and new cases by weekday and hour',
    initial_comment: renderDigest(stats),
  });
  deps.log.info('weekly digest posted', { channel: deps.channel, bytes: png.length });
}
