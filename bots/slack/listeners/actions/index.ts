import type { App } from '@slack/bolt';
import { askActions } from '../../render/asks.js';
import { cardActions } from '../../render/case-card.js';
import { replyTextAction } from '../../render/modals.js';
import { askButton, cancelButton, declineButton, extendButton, type ActionDeps } from './ask-actions.js';
import { cardCommandButton, replyButton, replyTyping } from './card-actions.js';

/** Registers the button listeners. */
export function registerActionListeners(app: App, deps: ActionDeps & { readonly timeZone: string }): void {
  app.action(askActions.extend, extendButton(deps));
  app.action(askActions.decline, declineButton(deps));
  app.action(askActions.cancel, cancelButton(deps));
  app.action(cardActions.ask, askButton(deps));
  app.action(cardActions.reply, replyButton(deps));
  app.action(cardActions.assignMe, cardCommandButton(deps, { name: 'assign', target: 'me' }));
  app.action(cardActions.close, cardCommandButton(deps, { name: 'close', summary: '' }));
  app.action(cardActions.reopen, cardCommandButton(deps, { name: 'reopen' }));
  app.action(replyTextAction, replyTyping(deps));
}
