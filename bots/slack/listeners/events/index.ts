import type { App } from '@slack/bolt';
import type { ReportDeps } from '../../team-report.js';
import { appHomeOpened } from './app-home-opened.js';

/** Registers the listeners for Events API events other than messages. */
export function registerEventListeners(app: App, deps: ReportDeps): void {
  app.event('app_home_opened', appHomeOpened(deps));
}
