import { describe, expect, it } from 'vitest';
import { questionButton, questionFormOf } from '../../../../../bots/slack/listeners/actions/question-buttons.js';
import { askActions } from '../../../../../bots/slack/render/asks.js';
import { extendModal, modals } from '../../../../../bots/slack/render/modals.js';
import type { AskService, PressedAt } from '../../../../../src/asks/ask-service.js';
import { actionArguments, buttonPress, recordingAck, recordingClient, recordingLogger } from '../bolt-arguments.js';

const accounting = 'C0ACCOUNT1';
const question = '1764654100.000100';

function setup(open = true) {
  const asked: [string, number, PressedAt][] = [];
  const asks = { isOpenFor: async (key: string, askId: number, where: PressedAt) => (asked.push([key, askId, where]), open) } as unknown as AskService;
  const log = recordingLogger();
  return { asked, log, handler: questionButton({ asks, log }, extendModal) };
}

/** "Need more time" under question 7 in the accounting channel, pressed in the question's thread. */
const pressExtend = (value = '7') => buttonPress({ actionId: askActions.extend, value, user: 'U0ACC1', channel: accounting, messageTs: '1764654101.000200', threadTs: question });

describe('a button on a department question', () => {
  it('acks, and opens its form on the trigger for an open question, the form remembering where it was pressed', async () => {
    const t = setup();
    const slack = recordingClient();
    const ack = recordingAck();
    await t.handler(actionArguments(pressExtend(), slack.client, ack));
    expect(ack.calls).toEqual([undefined]);
    expect(t.asked).toEqual([['slack-action:ask_extend:7:1764654150.123456', 7, { user: 'U0ACC1', channel: accounting, threadTs: question }]]);
    expect(slack.calls).toHaveLength(1);
    expect(slack.calls[0]?.request).toMatchObject({ trigger_id: '8158120733333.7090000000.1c2d3e4f5a', view: { callback_id: modals.extend } });
    const metadata = (slack.calls[0]?.request.view as { private_metadata: string }).private_metadata;
    expect(questionFormOf(metadata)).toEqual({ askId: 7, channel: accounting, threadTs: question });
  });

  it('opens nothing for a question no longer open (the ask service tells the presser)', async () => {
    const t = setup(false);
    const slack = recordingClient();
    const ack = recordingAck();
    await t.handler(actionArguments(pressExtend(), slack.client, ack));
    expect(ack.calls).toEqual([undefined]);
    expect(slack.calls).toEqual([]);
  });

  it('acks and does nothing for a value that names no question', async () => {
    for (const value of ['', 'Q7', '0', '-3', '1.5']) {
      const t = setup();
      const slack = recordingClient();
      const ack = recordingAck();
      await t.handler(actionArguments(pressExtend(value), slack.client, ack));
      expect(ack.calls).toEqual([undefined]);
      expect([t.asked, slack.calls]).toEqual([[], []]);
    }
  });

  it('logs a views.open Slack refuses (an expired trigger) through the given logger', async () => {
    const t = setup();
    const slack = recordingClient(new Error('An API error occurred: expired_trigger_id'));
    await t.handler(actionArguments(pressExtend(), slack.client));
    expect(t.log.lines).toEqual([{ level: 'warn', message: 'views.open failed', fields: { error: 'An API error occurred: expired_trigger_id' } }]);
  });
});

describe("a question form's private_metadata", () => {
  it('reads the JSON the button writes, and the bare number of forms opened before', () => {
    expect(questionFormOf('{"askId":7,"channel":"C0ACCOUNT1","threadTs":"1764654100.000100"}')).toEqual({ askId: 7, channel: accounting, threadTs: question });
    expect(questionFormOf('7')).toEqual({ askId: 7 });
  });

  it('names no question for anything else', () => {
    for (const metadata of [undefined, '', '0', 'Q7', '{"askId":"7"}', '{"askId":-1}', '{"channel":"C0ACCOUNT1"}', '{not json']) expect(questionFormOf(metadata)).toBeUndefined();
  });
});
