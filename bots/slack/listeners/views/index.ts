import type { App } from '@slack/bolt';
import { modals } from '../../render/modals.js';
import { askSubmitted, declineSubmitted, extendSubmitted, type ViewDeps } from './ask-modals.js';

/** Registers the modal submission listeners. */
export function registerViewListeners(app: App, deps: ViewDeps): void {
  app.view(modals.extend, extendSubmitted(deps));
  app.view(modals.decline, declineSubmitted(deps));
  app.view(modals.ask, askSubmitted(deps));
}
