import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AskService } from '../../../../src/asks/ask-service.js';
import type { CaseService } from '../../../../src/cases/case-service.js';
import type { DepartmentsConfig } from '../../../../src/config.js';
import type { Directory, Logger } from '../../../../src/ports.js';
import { askModal, declineModal, extendModal } from '../../render/modals.js';
import { questionButton } from './question-buttons.js';

export interface ActionDeps {
  readonly asks: AskService;
  readonly cases: CaseService;
  readonly directory: Directory;
  readonly departments: DepartmentsConfig;
  readonly log: Logger;
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** The number in a button's value, or undefined when it is not one. */
export function idOf(value: string | undefined): number | undefined {
  const id = Number(value);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * Buttons that open a modal ("Need more time", "Not ours", "Ask a department"). The modal must
 * open within Slack's 3-second trigger window, so this calls views.open directly instead of
 * going through the outbox: it is an answer to a click, not a message.
 */
export function openModal(deps: ActionDeps, build: (id: number) => Record<string, unknown>) {
  return async ({ ack, action, body, client }: ButtonArgs): Promise<void> => {
    await ack();
    const id = idOf(action.value);
    if (id === undefined) return;
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: build(id) as never });
    } catch (error) {
      deps.log.warn('views.open failed', { error: (error as Error).message });
    }
  };
}

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
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: askModal(caseId, deps.departments) as never });
    } catch (error) {
      deps.log.warn('views.open failed', { error: (error as Error).message });
    }
  };
}

/** "Cancel question" under the confirmation in the case thread: the same as `!cancel <number>`. */
export function cancelButton(deps: ActionDeps) {
  return async ({ ack, action, body }: ButtonArgs): Promise<void> => {
    await ack();
    const askId = idOf(action.value);
    const caseId = askId === undefined ? undefined : deps.asks.caseOf(askId);
    if (askId === undefined || caseId === undefined) return;
    const userName = await deps.directory.slackName(body.user.id);
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
