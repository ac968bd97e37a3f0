import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AgentCommand } from '../../../../src/cases/agent-command.js';
import type { CaseService } from '../../../../src/cases/case-service.js';
import type { Directory, Logger } from '../../../../src/ports.js';
import { replyModal, replyTextAction } from '../../render/modals.js';
import { idOf, openForm } from './open-form.js';

export interface CardActionDeps {
  readonly cases: CaseService;
  readonly directory: Directory;
  readonly log: Logger;
  /** Team time zone, for the reply preview. */
  readonly timeZone: string;
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * "Assign to me", "Close" and "Reopen" on the case card: the same as typing `!assign me`,
 * `!close` or `!reopen` in the thread (same module, same checks, same history, same answers).
 */
export function cardCommandButton(deps: CardActionDeps, command: Extract<AgentCommand, { name: 'assign' | 'close' | 'reopen' }>) {
  return async ({ ack, action, body }: ButtonArgs): Promise<void> => {
    await ack();
    const caseId = idOf(action.value);
    if (caseId === undefined) return;
    const userName = await deps.directory.displayName(body.user.id);
    const result = await deps.cases.receiveCardCommand({
      inboundKey: `slack-action:${action.action_id}:${caseId}:${action.action_ts}`,
      caseId,
      ts: action.action_ts,
      user: body.user.id,
      userName,
      command,
    });
    deps.log.debug('card button', { caseId, command: command.name, ...result });
  };
}

/** "Reply to client": a form with the text and a preview of what the client will see; for agents only. */
export function replyButton(deps: CardActionDeps) {
  return async ({ ack, action, body, client }: ButtonArgs): Promise<void> => {
    await ack();
    const caseId = idOf(action.value);
    const view = caseId === undefined ? undefined : await deps.cases.caseView(caseId);
    if (caseId === undefined || view === undefined) return;
    if (!(await deps.cases.mayOpenForm({ inboundKey: `slack-action:${action.action_id}:${caseId}:${action.action_ts}`, caseId, user: body.user.id, command: 'reply' }))) return;
    // Before any lookup (Slack's 3-second trigger window): the empty modal needs no agent name (the preview appears as they type).
    await openForm(client, body.trigger_id, replyModal(view.theCase, view.client, '', '', deps.timeZone), deps.log);
  };
}

type TypingArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Typing in the reply modal: the preview below follows the text. */
export function replyTyping(deps: CardActionDeps) {
  return async ({ ack, body, client }: TypingArgs): Promise<void> => {
    await ack();
    const view = body.view;
    const caseId = idOf(view?.private_metadata);
    const found = caseId === undefined ? undefined : await deps.cases.caseView(caseId);
    if (view === undefined || found === undefined) return;
    const text = view.state?.values.text?.[replyTextAction]?.value ?? '';
    const agentName = await deps.directory.displayName(body.user.id);
    try {
      await client.views.update({ view_id: view.id, hash: view.hash, view: replyModal(found.theCase, found.client, agentName, text, deps.timeZone) as never });
    } catch (error) {
      // hash_conflict: a newer keystroke already updated it.
      deps.log.debug('views.update of the reply preview failed', { error: (error as Error).message });
    }
  };
}
