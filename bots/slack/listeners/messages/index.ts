import type { App } from '@slack/bolt';
import { caseThreadMessage, type CaseThreadDeps } from './case-thread-message.js';
import { departmentMessage, type DepartmentThreadDeps } from './department-message.js';

/** Registers the message listeners: case threads in the support channel, ask threads in department channels. */
export function registerMessageListeners(app: App, deps: CaseThreadDeps & DepartmentThreadDeps): void {
  app.event('message', caseThreadMessage(deps));
  app.event('message', departmentMessage(deps));
}
