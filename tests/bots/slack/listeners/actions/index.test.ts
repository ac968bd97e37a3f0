import { describe, expect, it } from 'vitest';
import { registerActionListeners } from '../../../../../bots/slack/listeners/actions/index.js';
import { askActions } from '../../../../../bots/slack/render/asks.js';
import { cardActions } from '../../../../../bots/slack/render/case-card.js';
import { modals, replyTextAction } from '../../../../../bots/slack/render/modals.js';
import type { CardCommand } from '../../../../../src/cases/case-service.js';
import { actionArguments, buttonPress, directory, recordingClient, recordingLogger } from '../bolt-arguments.js';

describe('the action listeners', () => {
  it('answer each button under the action_id the renderers give it', async () => {
    const handlers = new Map<string, (args: never) => Promise<void>>();
    const app = { action: (id: string, handler: (args: never) => Promise<void>) => void handlers.set(id, handler) };
    const commands: CardCommand['command'][] = [];
    const cases = {
      caseView: async () => undefined,
      mayOpenForm: async () => true,
      receiveCardCommand: async (input: CardCommand) => (commands.push(input.command), { outcome: 'done' }),
    };
    const asks = { isOpenFor: async () => true, caseOf: async () => 12 };
    const departments = { clientFirstReplyWithinMs: 900_000, supportLead: [], departments: [] };
    registerActionListeners(app as never, { asks, cases, directory, departments, log: recordingLogger(), timeZone: 'UTC' } as never);
    expect([...handlers.keys()].sort()).toEqual([...Object.values(askActions), ...Object.values(cardActions), replyTextAction].sort());

    const slack = recordingClient();
    const press = async (actionId: string, value: string) => handlers.get(actionId)?.(actionArguments(buttonPress({ actionId, value, channel: 'C0SUPPORT1', messageTs: '1764654000.000100' }), slack.client));
    await press(cardActions.assignMe, '12');
    await press(cardActions.close, '12');
    await press(cardActions.reopen, '12');
    await press(askActions.cancel, '7');
    expect(commands.map((c) => c.name)).toEqual(['assign', 'close', 'reopen', 'cancel']);
    await press(askActions.extend, '7');
    await press(askActions.decline, '7');
    await press(cardActions.ask, '12');
    expect(slack.calls.map((c) => (c.request.view as { callback_id: string }).callback_id)).toEqual([modals.extend, modals.decline, modals.ask]);
  });
});
