import type { App } from '@slack/bolt';
import { askActions } from '../../render/asks.js';
import { cardActions } from '../../render/case-card.js';
import { askButton, cancelButton, declineButton, extendButton, type ActionDeps } from './ask-actions.js';

/** Registers the button listeners. */
export function registerActionListeners(app: App, deps: ActionDeps): void {
  app.action(askActions.extend, extendButton(deps));
  app.action(askActions.decline, declineButton(deps));
  app.action(askActions.cancel, cancelButton(deps));
  app.action(cardActions.ask, askButton(deps));
}
