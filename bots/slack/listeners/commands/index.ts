import type { App } from '@slack/bolt';
import type { ReportDeps } from '../../team-report.js';
import { repkaCommand } from './repka-command.js';

/** Registers the slash commands. */
export function registerCommandListeners(app: App, deps: ReportDeps): void {
  app.command('/repka', repkaCommand(deps));
}
