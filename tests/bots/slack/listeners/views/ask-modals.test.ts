import { describe, expect, it } from 'vitest';
import { askSubmitted, declineSubmitted, extendSubmitted, replySubmitted, type ViewDeps } from '../../../../../bots/slack/listeners/views/ask-modals.js';
import { registerViewListeners } from '../../../../../bots/slack/listeners/views/index.js';
import { askModal, declineModal, extendModal, replyFilesAction, replyModal, replyTextAction } from '../../../../../bots/slack/render/modals.js';
import type { CardCommand, CaseService } from '../../../../../src/cases/case-service.js';
import type { Case, Client } from '../../../../../src/ports.js';
import type { Actor, AskService } from '../../../../../src/asks/ask-service.js';
import { appId, directory, recordingAck, recordingLogger, repkaBotId, repkaUser, team } from '../bolt-arguments.js';

type Call = ['extend', string, number, number, string, Actor] | ['decline', string, number, string, Actor];

function setup(fail?: Error) {
  const calls: Call[] = [];
  const act = async (call: Call) => {
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
function submission(modal: Record<string, unknown>, values: Record<string, string | Record<string, unknown>>, privateMetadata = modal.private_metadata as string) {
  const view = {
    id: 'V0MODAL0001',
    team_id: team,
    type: 'modal',
    blocks: modal.blocks,
    private_metadata: privateMetadata,
    callback_id: modal.callback_id,
    // A string is a plain text input's value (action_id 'value'); anything else is the block's state as given.
    state: { values: Object.fromEntries(Object.entries(values).map(([block, value]) => [block, typeof value === 'string' ? { value: { type: 'plain_text_input', value } } : value])) },
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

describe('"Need more time" and "Not ours" submitted', () => {
  it('return only once the ask service has made the change durable (Bolt answers Slack after)', async () => {
    const order: string[] = [];
    const durable = (what: string) => async () => {
      // The unit of work commits a turn later.
      await new Promise((resolve) => setTimeout(resolve, 0));
      order.push(`${what} durable`);
      return { outcome: 'done', caseId: 12 };
    };
    const asks = { extend: durable('extend'), decline: durable('decline') } as unknown as AskService;
    const deps: ViewDeps = { ...setup().deps, asks };
    const extend = submission(extendModal(7), { duration: '2h', reason: 'bank' });
    await extendSubmitted(deps)(extend.args);
    order.push('extend returned');
    const decline = submission(declineModal(7), { reason: 'legal' });
    await declineSubmitted(deps)(decline.args);
    order.push('decline returned');
    expect(order).toEqual(['extend durable', 'extend returned', 'decline durable', 'decline returned']);
    expect([extend.ack.calls, decline.ack.calls]).toEqual([[undefined], [undefined]]);
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

const accounting = { id: 'accounting', name: 'Accounting', names: ['accounting', 'acc'], aliases: ['acc'], channel: 'C0ACCOUNT1', replyWithinMs: 3_600_000, mention: [], reminders: [0.5] };
const departments = { clientFirstReplyWithinMs: 900_000, supportLead: [], departments: [accounting] } as unknown as ViewDeps['departments'];

/** The case service as a recording stub of receiveCardCommand. */
function withCases(fail?: Error) {
  const t = setup();
  const commands: CardCommand[] = [];
  const cases = {
    receiveCardCommand: async (input: CardCommand) => {
      commands.push(input);
      if (fail !== undefined) throw fail;
      return { outcome: 'done', caseId: 12 };
    },
  } as unknown as CaseService;
  return { deps: { ...t.deps, departments, cases }, commands };
}

const chosen = (id: string | null) => ({ value: { type: 'static_select', selected_option: id === null ? null : { text: { type: 'plain_text', text: 'Accounting', emoji: true }, value: id } } });

describe('"Ask a department" submitted from the card', () => {
  const form = askModal(12, departments);

  it('acks bare and runs !ask on the case with the form: department, question as typed, reply-by', async () => {
    const t = withCases();
    const s = submission(form, { department: chosen('accounting'), question: ' Was the refund of 40 € & fees sent? ', duration: '2h' });
    await askSubmitted(t.deps)(s.args);
    expect(s.ack.calls).toEqual([undefined]);
    expect(t.commands).toEqual([
      { inboundKey: key, caseId: 12, ts: 'V0MODAL0001', user: 'U0ACC1', userName: 'Olga', command: { name: 'ask', args: '', form: { department: accounting, question: 'Was the refund of 40 € & fees sent?', durationMs: 7_200_000 } } },
    ]);
  });

  it("leaves the reply-by to the department's default when the optional field is empty", async () => {
    const t = withCases();
    await askSubmitted(t.deps)(submission(form, { department: chosen('accounting'), question: 'Sent?', duration: '' }).args);
    expect((t.commands[0]?.command as { form?: { durationMs?: number } }).form?.durationMs).toBeUndefined();
  });

  it('answers what it cannot take in ack, on the field at fault, and asks nothing', async () => {
    const cases: [Record<string, string | Record<string, unknown>>, Record<string, string>][] = [
      [{ department: chosen('accounting'), question: 'Sent?', duration: 'soon' }, { duration: 'Use a duration such as 30m, 2h or 1d.' }],
      [{ department: chosen(null), question: 'Sent?', duration: '' }, { department: 'Choose a department.' }],
      [{ department: chosen('marketing'), question: 'Sent?', duration: '' }, { department: 'Choose a department.' }],
      [{ department: chosen('accounting'), question: '   ', duration: '' }, { question: 'Write the question.' }],
    ];
    for (const [values, errors] of cases) {
      const t = withCases();
      const s = submission(form, values);
      await askSubmitted(t.deps)(s.args);
      expect(s.ack.calls).toEqual([{ response_action: 'errors', errors }]);
      expect(t.commands).toEqual([]);
    }
  });
});

describe('"Send to client" submitted from the reply form', () => {
  const theCase = { id: 12, clientId: 1, status: 'open', thread: { platform: 'slack', conversation: 'C0SUPPORT1', thread: '1764654000.000100' }} as Case;
  const client = { id: 1, firstName: 'Olena', lastName: null, username: null, language: 'en' } as Client;
  const form = replyModal(theCase, client, '', '', 'UTC');
  const text = (value: string) => ({ [replyTextAction]: { type: 'plain_text_input', value } });
  /** A file_input's state: the files Slack uploaded, as file objects. */
  const files = (...list: Record<string, unknown>[]) => ({ [replyFilesAction]: { type: 'file_input', files: list } });
  const invoice = { id: 'F0INVOICE', name: 'invoice.pdf', title: 'invoice.pdf', mimetype: 'application/pdf', filetype: 'pdf', size: 2048, mode: 'hosted', url_private_download: 'https://files.slack.com/files-pri/T0REPKA01-F0INVOICE/download/invoice.pdf' };

  it('acks bare and runs !reply with the text as typed (raw, trimmed) and the attached files', async () => {
    const t = withCases();
    const s = submission(form, { text: text(' 5 > 3 & <b>done</b> '), files: files(invoice) });
    await replySubmitted(t.deps)(s.args);
    expect(s.ack.calls).toEqual([undefined]);
    expect(t.commands).toEqual([
      {
        inboundKey: key,
        caseId: 12,
        ts: 'V0MODAL0001',
        user: 'U0ACC1',
        userName: 'Olga',
        command: { name: 'reply', text: '5 > 3 & <b>done</b>' },
        files: [{ id: 'F0INVOICE', name: 'invoice.pdf', mimeType: 'application/pdf', size: 2048, url: invoice.url_private_download }],
      },
    ]);
  });

  it('takes files without text, and answers a form with neither in ack, on the text field', async () => {
    const t = withCases();
    await replySubmitted(t.deps)(submission(form, { text: text(''), files: files(invoice) }).args);
    expect(t.commands.map((c) => [c.command, c.files?.length])).toEqual([[{ name: 'reply', text: '' }, 1]]);
    const empty = withCases();
    const s = submission(form, { text: text('  '), files: files() });
    await replySubmitted(empty.deps)(s.args);
    expect(s.ack.calls).toEqual([{ response_action: 'errors', errors: { text: 'Write what the client should get, or attach a file.' } }]);
    expect(empty.commands).toEqual([]);
  });

  it("acks before the case service runs, and rejects with its error for Bolt's app.error to log", async () => {
    const t = withCases(new Error('SQLITE_BUSY'));
    const s = submission(form, { text: text('done'), files: files() });
    await expect(replySubmitted(t.deps)(s.args)).rejects.toThrow('SQLITE_BUSY');
    expect(s.ack.calls).toEqual([undefined]);
  });
});
