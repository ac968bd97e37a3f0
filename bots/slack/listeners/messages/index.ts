import type { App } from '@slack/bolt';
import { caseThreadMessage, type CaseThreadDeps } from './case-thread-message.js';

/** Registers the message listeners. */
export function registerMessageListeners(app: App, deps: CaseThreadDeps): void {
  app.event('message', caseThreadMessage(deps));
}
