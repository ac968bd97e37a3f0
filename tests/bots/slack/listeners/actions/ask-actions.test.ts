import { describe, expect, it } from 'vitest';
import { askButton, cancelButton, type ActionDeps } from '../../../../../bots/slack/listeners/actions/ask-actions.js';
import { askActions } from '../../../../../bots/slack/render/asks.js';
import { cardActions } from '../../../../../bots/slack/render/case-card.js';
import { modals } from '../../../../../bots/slack/render/modals.js';
import type { AskService } from '../../../../../src/asks/ask-service.js';
import type { CardCommand, CaseService } from '../../../../../src/cases/case-service.js';
import { actionArguments, buttonPress, directory, recordingAck, recordingClient, recordingLogger } from '../bolt-arguments.js';

const support = 'C0SUPPORT1';
const card = '1764654000.000100';

function setup(options: { agent?: boolean; caseOf?: number; fail?: Error } = {}) {
  const formsAsked: unknown[] = [];
  const commands: CardCommand[] = [];
  const cases = {
    mayOpenForm: async (input: unknown) => (formsAsked.push(input), options.agent ?? true),
    receiveCardCommand: async (input: CardCommand) => {
      commands.push(input);
      if (options.fail !== undefined) throw options.fail;
      return { outcome: 'done', caseId: 12 };
    },
  } as unknown as CaseService;
  const asks = { caseOf: async (askId: number) => (askId === 7 ? (options.caseOf ?? 12) : undefined) } as unknown as AskService;
  const departments = { clientFirstReplyWithinMs: 900_000, supportLead: [], departments: [{ id: 'accounting', name: 'Accounting', names: ['accounting'], aliases: [], channel: 'C0ACCOUNT1', replyWithinMs: 3_600_000, mention: [], reminders: [0.5] }] };
  const deps = { asks, cases, directory, departments, log: recordingLogger() } as unknown as ActionDeps;
  return { deps, formsAsked, commands };
}

describe('"Ask a department" on the case card', () => {
  const press = buttonPress({ actionId: cardActions.ask, value: '12', channel: support, messageTs: card });

  it("opens the form for an agent, on the click's trigger", async () => {
    const t = setup();
    const slack = recordingClient();
    const ack = recordingAck();
    await askButton(t.deps)(actionArguments(press, slack.client, ack));
    expect(ack.calls).toEqual([undefined]);
    expect(t.formsAsked).toEqual([{ inboundKey: 'slack-action:case_ask:12:1764654150.123456', caseId: 12, user: 'U0AGENT1', command: 'ask' }]);
    expect(slack.calls.map((c) => c.method)).toEqual(['views.open']);
    expect(slack.calls[0]?.request).toMatchObject({ trigger_id: press.body.trigger_id, view: { callback_id: modals.ask, private_metadata: '12' } });
  });

  it('acks and opens nothing for someone the policy refuses (the case service tells them)', async () => {
    const t = setup({ agent: false });
    const slack = recordingClient();
    const ack = recordingAck();
    await askButton(t.deps)(actionArguments(press, slack.client, ack));
    expect(ack.calls).toEqual([undefined]);
    expect(slack.calls).toEqual([]);
  });
});

describe('"Cancel question" in the case thread', () => {
  const press = (value: string) => buttonPress({ actionId: askActions.cancel, value, channel: support, messageTs: '1764654200.000300', threadTs: card });

  it('acks and runs !cancel for that question on its case, as the presser', async () => {
    const t = setup();
    const ack = recordingAck();
    await cancelButton(t.deps)(actionArguments(press('7'), recordingClient().client, ack));
    expect(ack.calls).toEqual([undefined]);
    expect(t.commands).toEqual([
      { inboundKey: 'slack-action:7:1764654150.123456', caseId: 12, ts: '1764654150.123456', user: 'U0AGENT1', userName: 'Anna', command: { name: 'cancel', args: '', askId: 7 } },
    ]);
  });

  it('acks and runs nothing for a question that does not exist or a value that is none', async () => {
    for (const value of ['8', 'x']) {
      const t = setup();
      const ack = recordingAck();
      await cancelButton(t.deps)(actionArguments(press(value), recordingClient().client, ack));
      expect(ack.calls).toEqual([undefined]);
      expect(t.commands).toEqual([]);
    }
  });

  it("rejects with the case service's error after acking, for Bolt's app.error to log", async () => {
    const t = setup({ fail: new Error('SQLITE_BUSY') });
    const ack = recordingAck();
    await expect(cancelButton(t.deps)(actionArguments(press('7'), recordingClient().client, ack))).rejects.toThrow('SQLITE_BUSY');
    expect(ack.calls).toEqual([undefined]);
  });
});
