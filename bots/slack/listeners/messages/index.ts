import type { App } from '@slack/bolt';
import { caseThreadEdit } from './case-thread-edit.js';
import { caseThreadMessage, type CaseThreadDeps } from './case-thread-message.js';
import { departmentMessage, type DepartmentThreadDeps } from './department-message.js';

/** Registers the message listeners: case threads in the support channel (and agents' edits there), ask threads in department channels. */
export function registerMessageListeners(app: App, deps: CaseThreadDeps & DepartmentThreadDeps): void {
  app.event('message', caseThreadMessage(deps));
  app.event('message', caseThreadEdit(deps));
  app.event('message', departmentMessage(deps));
}
