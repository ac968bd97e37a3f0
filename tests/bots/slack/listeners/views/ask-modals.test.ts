import { describe, expect, it } from 'vitest';
import { declineSubmitted, extendSubmitted, type ViewDeps } from '../../../../../bots/slack/listeners/views/ask-modals.js';
import { registerViewListeners } from '../../../../../bots/slack/listeners/views/index.js';
import { extendModal, declineModal } from '../../../../../bots/slack/render/modals.js';
import type { CaseService } from '../../../../../src/cases/case-service.js';
import type { Actor, AskService } from '../../../../../src/asks/ask-service.js';
import { appId, directory, recordingAck, recordingLogger, repkaBotId, repkaUser, team } from '../bolt-arguments.js';

// The card's ask-modal and reply-modal submissions are being rewritten (agent commands as modules): not covered here yet.

type Call = ['extend', string, number, number, string, Actor] | ['decline', string, number, string, Actor];

function setup(fail?: Error) {
  const calls: Call[] = [];
  const act = (call: Call) => {
    calls.push(call);
    if (fail !== undefined) throw fail;
    return { outcome: 'done', caseId: 12 };
  };
  const asks = {
    extend: (key: string, askId: number, durationMs: number, reason: string, actor: Actor) => act(['extend', key, askId, durationMs, reason, actor]),
    decline: (key: string, askId: number, reason: string, actor: Actor) => act(['decline', key, askId, reason, actor]),
  } as unknown as AskService;
  const deps: ViewDeps = { asks, directory, departments: { clientFirstReplyWithinMs: 900_000, supportLead: [], departments: [] }, log: recordingLogger() };
  return { calls, deps };
}

/**
 * A view_submission as Slack posts it for a modal Repka opened (`modal`: what render/modals built):
 * `state.values` by block_id and action_id, values raw as typed (not in the wire format of messages).
 */
function submission(modal: Record<string, unknown>, values: Record<string, string>, privateMetadata = modal.private_metadata as string) {
  const view = {
    id: 'V0MODAL0001',
    team_id: team,
    type: 'modal',
    blocks: modal.blocks,
    private_metadata: privateMetadata,
    callback_id: modal.callback_id,
    state: { values: Object.fromEntries(Object.entries(values).map(([block, value]) => [block, { value: { type: 'plain_text_input', value } }])) },
    hash: '1764654300.5Tz4Hk2Q',
    title: modal.title,
    clear_on_close: false,
    notify_on_close: false,
    close: { type: 'plain_text', text: 'Cancel', emoji: true },
    submit: modal.submit,
    previous_view_id: null,
    root_view_id: 'V0MODAL0001',
    app_id: appId,
    external_id: '',
    app_installed_team_id: team,
    bot_id: repkaBotId,
  };
  const body = {
    type: 'view_submission',
    team: { id: team, domain: 'acme' },
    user: { id: 'U0ACC1', username: 'olga', name: 'olga', team_id: team },
    api_app_id: appId,
    token: 'verification-token',
    trigger_id: '8158120722222.7090000000.9b8c7d6e5f',
    view,
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  const ack = recordingAck();
  const args = { ack, view, body, payload: view, context: { botUserId: repkaUser, teamId: team }, client: {}, logger: recordingLogger(), next: async () => undefined } as never;
  return { ack, args };
}

const actor = { user: 'U0ACC1', userName: 'Olga' };
const key = 'slack-view:V0MODAL0001:1764654300.5Tz4Hk2Q';

describe('"Need more time" submitted', () => {
  it('acks bare, closing the modal, and extends the question by the duration, with the reason as typed', async () => {
    const t = setup();
    const s = submission(extendModal(7), { duration: ' 1h30m ', reason: 'waiting for <the bank> & co' });
    await extendSubmitted(t.deps)(s.args);
    expect(s.ack.calls).toEqual([undefined]);
    expect(t.calls).toEqual([['extend', key, 7, 90 * 60_000, 'waiting for <the bank> & co', actor]]);
  });

  it('answers a duration it cannot read in ack, on the duration field, and extends nothing', async () => {
    for (const duration of ['soon', '2 hours', '30m2h', '']) {
      const t = setup();
      const s = submission(extendModal(7), { duration, reason: 'bank' });
      await extendSubmitted(t.deps)(s.args);
      expect(s.ack.calls).toEqual([{ response_action: 'errors', errors: { duration: 'Use a duration such as 30m, 2h or 1d.' } }]);
      expect(t.calls).toEqual([]);
    }
  });

  it('acks and does nothing for a modal whose private_metadata names no question', async () => {
    const t = setup();
    const s = submission(extendModal(7), { duration: '2h', reason: 'bank' }, 'Q7');
    await extendSubmitted(t.deps)(s.args);
    expect(s.ack.calls).toEqual([undefined]);
    expect(t.calls).toEqual([]);
  });

  it("acks before the ask service runs, and rejects with its error for Bolt's app.error to log", async () => {
    const t = setup(new Error('SQLITE_BUSY'));
    const s = submission(extendModal(7), { duration: '2h', reason: 'bank' });
    await expect(extendSubmitted(t.deps)(s.args)).rejects.toThrow('SQLITE_BUSY');
    expect(s.ack.calls).toEqual([undefined]);
  });
});

describe('"Not ours" submitted', () => {
  it('acks bare and declines the question with the reason as typed', async () => {
    const t = setup();
    const s = submission(declineModal(7), { reason: ' legal, ask <@Ivan> & co ' });
    await declineSubmitted(t.deps)(s.args);
    expect(s.ack.calls).toEqual([undefined]);
    expect(t.calls).toEqual([['decline', key, 7, 'legal, ask <@Ivan> & co', actor]]);
  });

  it("acks before the ask service runs, and rejects with its error for Bolt's app.error to log", async () => {
    const t = setup(new Error('SQLITE_BUSY'));
    const s = submission(declineModal(7), { reason: 'legal' });
    await expect(declineSubmitted(t.deps)(s.args)).rejects.toThrow('SQLITE_BUSY');
    expect(s.ack.calls).toEqual([undefined]);
  });
});

describe('the view listeners', () => {
  it('are registered under the callback_id of the modal they answer', async () => {
    const t = setup();
    const handlers = new Map<string, (args: never) => Promise<void>>();
    registerViewListeners({ view: (callbackId: string, handler: (args: never) => Promise<void>) => void handlers.set(callbackId, handler) } as never, { ...t.deps, cases: {} as CaseService });
    const extend = submission(extendModal(7), { duration: '2h', reason: 'bank' });
    const decline = submission(declineModal(8), { reason: 'legal' });
    await handlers.get(extendModal(7).callback_id as string)?.(extend.args);
    await handlers.get(declineModal(8).callback_id as string)?.(decline.args);
    expect(t.calls.map((c) => [c[0], c[2]])).toEqual([
      ['extend', 7],
      ['decline', 8],
    ]);
  });
});
