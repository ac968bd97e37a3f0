import { describe, expect, it } from 'vitest';
import { cardCommandButton, replyButton, replyTyping, type CardActionDeps } from '../../../../../bots/slack/listeners/actions/card-actions.js';
import { cardActions } from '../../../../../bots/slack/render/case-card.js';
import { modals, replyTextAction } from '../../../../../bots/slack/render/modals.js';
import type { CardCommand, CaseService } from '../../../../../src/cases/case-service.js';
import type { Case, Client } from '../../../../../src/ports.js';
import { actionArguments, appId, buttonPress, directory, recordingAck, recordingClient, recordingLogger, repkaBotId, team } from '../bolt-arguments.js';

const support = 'C0SUPPORT1';
const card = '1764654000.000100';
const theCase: Case = { id: 12, clientId: 1, status: 'open', assignee: null, thread: { platform: 'slack', conversation: support, thread: card }, previousCaseId: null, openedAt: 1764650000000, closedAt: null, closeSummary: null, clientWaitingSince: null, firstReplyAt: null, waitAlertedAt: null };
const client: Client = { id: 1, chatId: 7001, userId: 7001, firstName: 'Olena', lastName: null, username: null, language: 'en', languageChosen: true };

function setup(options: { agent?: boolean; fail?: Error; displayName?: (id: string) => Promise<string> } = {}) {
  const commands: CardCommand[] = [];
  const cases = {
    caseView: async (caseId: number) => (caseId === 12 ? { theCase, client } : undefined),
    mayOpenForm: async () => options.agent ?? true,
    receiveCardCommand: async (input: CardCommand) => {
      commands.push(input);
      if (options.fail !== undefined) throw options.fail;
      return { outcome: 'done', caseId: 12 };
    },
  } as unknown as CaseService;
  const log = recordingLogger();
  const deps: CardActionDeps = { cases, directory: options.displayName === undefined ? directory : { displayName: options.displayName }, log, timeZone: 'UTC' };
  return { deps, commands, log };
}

const pressCard = (actionId: string, value = '12') => buttonPress({ actionId, value, channel: support, messageTs: card });

describe('the card\'s "Assign to me", "Close" and "Reopen" buttons', () => {
  it('ack, then run the same command as typing it in the thread, as the presser', async () => {
    const t = setup();
    const buttons = [
      [cardActions.assignMe, cardCommandButton(t.deps, { name: 'assign', target: 'me' })],
      [cardActions.close, cardCommandButton(t.deps, { name: 'close', summary: '' })],
      [cardActions.reopen, cardCommandButton(t.deps, { name: 'reopen' })],
    ] as const;
    const acks: unknown[][] = [];
    for (const [actionId, handler] of buttons) {
      const ack = recordingAck();
      await handler(actionArguments(pressCard(actionId), recordingClient().client, ack));
      acks.push(ack.calls);
    }
    expect(acks).toEqual([[undefined], [undefined], [undefined]]);
    expect(t.commands).toEqual([
      { inboundKey: 'slack-action:case_assign_me:12:1764654150.123456', caseId: 12, ts: '1764654150.123456', user: 'U0AGENT1', userName: 'Anna', command: { name: 'assign', target: 'me' } },
      { inboundKey: 'slack-action:case_close:12:1764654150.123456', caseId: 12, ts: '1764654150.123456', user: 'U0AGENT1', userName: 'Anna', command: { name: 'close', summary: '' } },
      { inboundKey: 'slack-action:case_reopen:12:1764654150.123456', caseId: 12, ts: '1764654150.123456', user: 'U0AGENT1', userName: 'Anna', command: { name: 'reopen' } },
    ]);
  });

  it('ack and run nothing for a value that names no case', async () => {
    const t = setup();
    const ack = recordingAck();
    await cardCommandButton(t.deps, { name: 'reopen' })(actionArguments(pressCard(cardActions.reopen, 'case-12'), recordingClient().client, ack));
    expect(ack.calls).toEqual([undefined]);
    expect(t.commands).toEqual([]);
  });

  it("reject with the case service's error after acking, for Bolt's app.error to log", async () => {
    const t = setup({ fail: new Error('SQLITE_BUSY') });
    const ack = recordingAck();
    await expect(cardCommandButton(t.deps, { name: 'close', summary: '' })(actionArguments(pressCard(cardActions.close), recordingClient().client, ack))).rejects.toThrow('SQLITE_BUSY');
    expect(ack.calls).toEqual([undefined]);
  });
});

describe('the card\'s "Reply to client" button', () => {
  it('opens the reply form at once, without waiting for a directory lookup (the trigger expires in 3 s)', async () => {
    // A lookup that never answers: a handler that waits for it never opens the form.
    const t = setup({ displayName: () => new Promise<string>(() => undefined) });
    const slack = recordingClient();
    const done = replyButton(t.deps)(actionArguments(pressCard(cardActions.reply), slack.client));
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 1000))]);
    expect(slack.calls).toHaveLength(1);
    expect(slack.calls[0]?.request).toMatchObject({ trigger_id: '8158120733333.7090000000.1c2d3e4f5a', view: { callback_id: modals.reply, private_metadata: '12' } });
  });

  it('opens nothing for someone the policy refuses, nor for a case that does not exist', async () => {
    for (const [options, value] of [[{ agent: false }, '12'], [{}, '13']] as const) {
      const t = setup(options);
      const slack = recordingClient();
      const ack = recordingAck();
      await replyButton(t.deps)(actionArguments(pressCard(cardActions.reply, value), slack.client, ack));
      expect(ack.calls).toEqual([undefined]);
      expect(slack.calls).toEqual([]);
    }
  });

  it('logs a views.open Slack refuses through the given logger', async () => {
    const t = setup();
    await replyButton(t.deps)(actionArguments(pressCard(cardActions.reply), recordingClient(new Error('An API error occurred: expired_trigger_id')).client));
    expect(t.log.lines).toEqual([{ level: 'warn', message: 'views.open failed', fields: { error: 'An API error occurred: expired_trigger_id' } }]);
  });
});

describe('typing in the reply form', () => {
  /** The block_actions Slack sends for a keystroke in the form's text input (dispatch_action on character entered). */
  const keystroke = (text: string) => {
    const view = {
      id: 'V0REPLY001',
      team_id: team,
      type: 'modal',
      blocks: [],
      private_metadata: '12',
      callback_id: modals.reply,
      state: { values: { text: { [replyTextAction]: { type: 'plain_text_input', value: text } } } },
      hash: '1764654400.Hk2QaB9x',
      title: { type: 'plain_text', text: 'Reply to #12' },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: 'plain_text', text: 'Send to client' },
      previous_view_id: null,
      root_view_id: 'V0REPLY001',
      app_id: appId,
      external_id: '',
      app_installed_team_id: team,
      bot_id: repkaBotId,
    };
    const action = { type: 'plain_text_input', block_id: 'text', action_id: replyTextAction, value: text, action_ts: '1764654401.555555' };
    const body = { type: 'block_actions', user: { id: 'U0AGENT1', username: 'anna', name: 'anna', team_id: team }, api_app_id: appId, token: 'verification-token', container: { type: 'view', view_id: view.id }, trigger_id: '8158120744444.7090000000.aa11bb22cc', team: { id: team, domain: 'acme' }, enterprise: null, is_enterprise_install: false, view, actions: [action] };
    return { action, body };
  };

  it('acks and updates the preview of what the client will get, on the hash it was sent with', async () => {
    const t = setup();
    const slack = recordingClient();
    const ack = recordingAck();
    await replyTyping(t.deps)(actionArguments(keystroke('Your refund is on its way'), slack.client, ack));
    expect(ack.calls).toEqual([undefined]);
    expect(slack.calls.map((c) => [c.method, c.request.view_id, c.request.hash])).toEqual([['views.update', 'V0REPLY001', '1764654400.Hk2QaB9x']]);
    const shown = JSON.stringify(slack.calls[0]?.request.view);
    expect(shown).toContain('Your refund is on its way');
    expect(shown).toContain('Anna');
  });

  it('logs a hash conflict (a newer keystroke updated the form first) at debug, and throws nothing', async () => {
    const t = setup();
    await replyTyping(t.deps)(actionArguments(keystroke('Your refund'), recordingClient(new Error('An API error occurred: hash_conflict')).client));
    expect(t.log.lines).toEqual([{ level: 'debug', message: 'views.update of the reply preview failed', fields: { error: 'An API error occurred: hash_conflict' } }]);
  });
});
