import { describe, expect, it } from 'vitest';
import { caseThreadEdit } from '../../../../../bots/slack/listeners/messages/case-thread-edit.js';
import type { AgentMessage, CaseService } from '../../../../../src/cases/case-service.js';
import { directory, eventArguments, ownBotReply, recordingLogger, threadReply } from '../bolt-arguments.js';

const support = 'C0SUPPORT1';
const card = '1764654000.000100';

function setup(fail?: Error) {
  const calls: [string, unknown][] = [];
  const record = (method: string) => async (input: unknown) => {
    calls.push([method, input]);
    if (fail !== undefined) throw fail;
    return { outcome: 'done', caseId: 12 };
  };
  const cases = { receiveAgentEdit: record('receiveAgentEdit'), receiveAgentDeletion: record('receiveAgentDeletion') } as unknown as CaseService;
  return { calls, listener: caseThreadEdit({ cases, directory, supportChannel: support, log: recordingLogger() }) };
}

const reply = threadReply({ channel: support, user: 'U0AGENT1', text: '!reply The refund is 40 &amp; sent', ts: '1764654001.000200', thread_ts: card });

/** message_changed as Slack sends it: the message as it is now (same ts, `edited`), the one before, the event's own ts. */
const changed = (previous: Record<string, unknown>, text: string, channel = support) => ({
  type: 'message',
  subtype: 'message_changed',
  message: { ...previous, text, edited: { user: previous.user, ts: '1764654060.000300' } },
  previous_message: previous,
  channel,
  hidden: true,
  ts: '1764654060.000300',
  event_ts: '1764654060.000300',
  channel_type: 'channel',
});
const deleted = (previous: Record<string, unknown>) => ({ type: 'message', subtype: 'message_deleted', previous_message: previous, channel: support, hidden: true, deleted_ts: previous.ts, ts: '1764654070.000400', event_ts: '1764654070.000400', channel_type: 'channel' });

describe('an edit or deletion in a case thread', () => {
  it("passes an agent's edit on as the message's new text, decoded, on the edited message's ts", async () => {
    const t = setup();
    await t.listener(eventArguments(changed(reply, '!reply The refund is 45 &amp; sent, <@U0AGENT2> checked'), { eventId: 'Ev0EDIT0001' }));
    expect(t.calls).toEqual([
      [
        'receiveAgentEdit',
        { inboundKey: 'slack:Ev0EDIT0001', platform: 'slack', channel: support, threadTs: card, ts: '1764654001.000200', user: 'U0AGENT1', userName: 'Anna', text: '!reply The refund is 45 & sent, @Boris checked', mentions: [{ id: 'U0AGENT2', name: 'Boris' }] } satisfies AgentMessage,
      ],
    ]);
  });

  it("passes an agent's deletion on, naming the message that is gone", async () => {
    const t = setup();
    await t.listener(eventArguments(deleted(reply), { eventId: 'Ev0DEL0001' }));
    expect(t.calls).toEqual([['receiveAgentDeletion', { inboundKey: 'slack:Ev0DEL0001', platform: 'slack', channel: support, threadTs: card, ts: '1764654001.000200', user: 'U0AGENT1' }]]);
  });

  it("ignores an unfurl or reaction change (same text), Repka's own posts, other channels, top-level messages and new messages", async () => {
    const t = setup();
    const own = ownBotReply({ channel: support, text: 'Reply sent to the client.', ts: '1764654002.000300', thread_ts: card });
    const topLevel = { ...reply, thread_ts: undefined, parent_user_id: undefined };
    const ignored = [
      { ...changed(reply, reply.text as string), message: { ...reply, attachments: [{ from_url: 'https://x.example', title: 'x' }] } },
      changed(own, 'Reply sent to the client (edited).'),
      deleted(own),
      changed({ ...reply, channel: 'C0ACCOUNT1' }, '!reply other', 'C0ACCOUNT1'),
      changed(topLevel, '!reply top'),
      reply,
    ];
    for (const event of ignored) await t.listener(eventArguments(event));
    expect(t.calls).toEqual([]);
  });

  it("rejects with the case service's error, for Bolt's app.error to log", async () => {
    const t = setup(new Error('SQLITE_BUSY'));
    await expect(t.listener(eventArguments(changed(reply, '!reply 45')))).rejects.toThrow('SQLITE_BUSY');
    await expect(t.listener(eventArguments(deleted(reply)))).rejects.toThrow('SQLITE_BUSY');
  });

  it('returns only once the case service has made the edit or the deletion durable (Bolt answers Slack after), logging its outcome', async () => {
    const order: string[] = [];
    const durable = (what: string) => async () => {
      // The unit of work commits a turn later.
      await new Promise((resolve) => setTimeout(resolve, 0));
      order.push(`${what} durable`);
      return { outcome: 'done', caseId: 12 };
    };
    const log = recordingLogger();
    const cases = { receiveAgentEdit: durable('edit'), receiveAgentDeletion: durable('deletion') } as unknown as CaseService;
    const listener = caseThreadEdit({ cases, directory, supportChannel: support, log });
    await listener(eventArguments(changed(reply, '!reply 45')));
    order.push('edit returned');
    await listener(eventArguments(deleted(reply)));
    order.push('deletion returned');
    expect(order).toEqual(['edit durable', 'edit returned', 'deletion durable', 'deletion returned']);
    expect(log.lines).toEqual([
      { level: 'debug', message: 'case thread edit', fields: { ts: '1764654001.000200', outcome: 'done', caseId: 12 } },
      { level: 'debug', message: 'case thread deletion', fields: { ts: '1764654001.000200', outcome: 'done', caseId: 12 } },
    ]);
  });
});
