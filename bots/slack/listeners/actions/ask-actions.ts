import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AskService } from '../../../../src/asks/ask-service.js';
import type { CaseService } from '../../../../src/cases/case-service.js';
import type { DepartmentsConfig } from '../../../config.js';
import type { Directory, Logger } from '../../../../src/ports.js';
import { askModal, declineModal, extendModal } from '../../render/modals.js';
import { idOf, openForm } from './open-form.js';
import { questionButton } from './question-buttons.js';

export interface ActionDeps {
  readonly asks: AskService;
  readonly cases: CaseService;
  readonly directory: Directory;
  readonly departments: DepartmentsConfig;
  readonly log: Logger;
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export const extendButton = (deps: ActionDeps) => questionButton(deps, extendModal);
export const declineButton = (deps: ActionDeps) => questionButton(deps, declineModal);

/** "Ask a department" on the case card: the form, for agents only (the same policy as `!ask`). */
export function askButton(deps: ActionDeps) {
  return async ({ ack, action, body, client }: ButtonArgs): Promise<void> => {
    // Ack first: Slack waits 3 s for it, and the policy may have to ask Slack who is in the channel.
    await ack();
    const caseId = idOf(action.value);
    if (caseId === undefined) return;
    if (!(await deps.cases.mayOpenForm({ inboundKey: `slack-action:${action.action_id}:${caseId}:${action.action_ts}`, caseId, user: body.user.id, command: 'ask' }))) return;
    await openForm(client, body.trigger_id, askModal(caseId, deps.departments), deps.log);
  };
}

/** "Cancel question" under the confirmation in the case thread: the same as `!cancel <number>`. */
export function cancelButton(deps: ActionDeps) {
  return async ({ ack, action, body }: ButtonArgs): Promise<void> => {
    await ack();
    const askId = idOf(action.value);
    const caseId = askId === undefined ? undefined : await deps.asks.caseOf(askId);
    if (askId === undefined || caseId === undefined) return;
    const userName = await deps.directory.displayName(body.user.id);
    const result = await deps.cases.receiveCardCommand({
      inboundKey: `slack-action:${askId}:${action.action_ts}`,
      caseId,
      ts: action.action_ts,
      user: body.user.id,
      userName,
      command: { name: 'cancel', args: '', askId },
    });
    deps.log.debug('cancel button', { askId, ...result });
  };
}
