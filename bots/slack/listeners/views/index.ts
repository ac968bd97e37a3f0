import type { App } from '@slack/bolt';
import { modals } from '../../render/modals.js';
import type { CaseService } from '../../../../src/cases/case-service.js';
import { askSubmitted, declineSubmitted, extendSubmitted, replySubmitted, type ViewDeps } from './ask-modals.js';

/** Registers the modal submission listeners. */
export function registerViewListeners(app: App, deps: ViewDeps & { readonly cases: CaseService }): void {
  app.view(modals.extend, extendSubmitted(deps));
  app.view(modals.decline, declineSubmitted(deps));
  app.view(modals.ask, askSubmitted(deps));
  app.view(modals.reply, replySubmitted(deps));
}
