import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { CaseService } from '../../../../src/cases/case-service.js';
import type { Directory, Logger } from '../../../../src/ports.js';
import { replyModal, replyTextAction } from '../../render/modals.js';
import { idOf } from './ask-actions.js';

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
 * `!close` or `!reopen` in the thread (same checks, same history, same answers).
 */
export function cardCommandButton(deps: CardActionDeps, command: '!assign me' | '!close' | '!reopen') {
  return async ({ ack, action, body }: ButtonArgs): Promise<void> => {
    await ack();
    const caseId = idOf(action.value);
    if (caseId === undefined) return;
    const userName = await deps.directory.slackName(body.user.id);
    const result = deps.cases.receiveCardCommand({
      inboundKey: `slack-action:${action.action_id}:${caseId}:${action.action_ts}`,
      caseId,
      ts: action.action_ts,
      user: body.user.id,
      userName,
      text: command,
    });
    deps.log.debug('card button', { caseId, command, ...result });
  };
}

/** "Reply to client": a modal with the text and a preview of what the client will see. */
export function replyButton(deps: CardActionDeps) {
  return async ({ ack, action, body, client, respond }: ButtonArgs): Promise<void> => {
    await ack();
    const caseId = idOf(action.value);
    const view = caseId === undefined ? undefined : deps.cases.caseView(caseId);
    if (view === undefined) return;
    if (!deps.cases.isAgent(body.user.id)) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'Only support agents can reply to clients.' }).catch(() => undefined);
      return;
    }
    try {
      // views.open must answer the click within Slack's 3-second trigger window: not via the outbox,
      // and before any lookup. The empty modal needs no agent name (the preview appears as they type).
      await client.views.open({ trigger_id: body.trigger_id, view: replyModal(view.theCase, view.client, '', '', deps.timeZone) as never });
    } catch (error) {
      deps.log.warn('views.open failed', { error: (error as Error).message });
    }
  };
}

type TypingArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Typing in the reply modal: the preview below follows the text. */
export function replyTyping(deps: CardActionDeps) {
  return async ({ ack, body, client }: TypingArgs): Promise<void> => {
    await ack();
    const view = body.view;
    const caseId = idOf(view?.private_metadata);
    const found = caseId === undefined ? undefined : deps.cases.caseView(caseId);
    if (view === undefined || found === undefined) return;
    const text = view.state?.values.text?.[replyTextAction]?.value ?? '';
    const agentName = await deps.directory.slackName(body.user.id);
    try {
      await client.views.update({ view_id: view.id, hash: view.hash, view: replyModal(found.theCase, found.client, agentName, text, deps.timeZone) as never });
    } catch (error) {
      // hash_conflict: a newer keystroke already updated it.
      deps.log.debug('views.update of the reply preview failed', { error: (error as Error).message });
    }
  };
}
