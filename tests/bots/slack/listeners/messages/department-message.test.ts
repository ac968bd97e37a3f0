import { describe, expect, it } from 'vitest';
import type { AskService, DepartmentReply } from '../../../../../src/asks/ask-service.js';
import { departmentMessage } from '../../../../../bots/slack/listeners/messages/department-message.js';
import { directory, eventArguments, ownBotReply, recordingLogger, threadReply } from '../bolt-arguments.js';

const accounting = 'C0ACCOUNT1';
const question = '1764654100.000100';

function setup(receive: (r: DepartmentReply) => unknown = () => ({ outcome: 'done', caseId: 12 })) {
  const received: DepartmentReply[] = [];
  const asks = { receiveDepartmentReply: async (r: DepartmentReply) => (received.push(r), receive(r)) } as unknown as AskService;
  return { received, listener: departmentMessage({ asks, directory, departmentChannels: new Set([accounting, 'C0LEGAL01']), log: recordingLogger() }) };
}

const olgaSays = (text: string, ts = '1764654101.000200') => threadReply({ channel: accounting, user: 'U0ACC1', text, ts, thread_ts: question });

describe("a reply in the thread of a department's question", () => {
  it('reaches the ask service as the answer, keyed by event_id, decoded from the wire format', async () => {
    const t = setup();
    await t.listener(eventArguments(olgaSays('Fish &amp; chips, ask <@U0AGENT2> <!here>'), { eventId: 'Ev0DEPT0001' }));
    expect(t.received).toEqual([
      { inboundKey: 'slack:Ev0DEPT0001', platform: 'slack', channel: accounting, threadTs: question, ts: '1764654101.000200', user: 'U0ACC1', userName: 'Olga', text: 'Fish & chips, ask @Boris @here', files: [] },
    ]);
  });

  it("ignores Repka's reminder in the thread, edits, deletions, top-level messages and channels that are no department's", async () => {
    const t = setup();
    const answer = olgaSays('refund is 40 &amp; done');
    const ignored = [
      ownBotReply({ channel: accounting, text: 'Reminder: the reply is due in 1 h.', ts: '1764654110.000300', thread_ts: question }),
      {
        type: 'message',
        subtype: 'message_changed',
        message: { ...answer, text: 'refund is 45 &amp; done', edited: { user: 'U0ACC1', ts: '1764654120.000400' } },
        previous_message: answer,
        channel: accounting,
        hidden: true,
        ts: '1764654120.000400',
        event_ts: '1764654120.000400',
        channel_type: 'channel',
      },
      { type: 'message', subtype: 'message_deleted', previous_message: answer, channel: accounting, hidden: true, deleted_ts: answer.ts, ts: '1764654121.000500', event_ts: '1764654121.000500', channel_type: 'channel' },
      { ...olgaSays('lunch?'), thread_ts: undefined, parent_user_id: undefined },
      // A case thread in the support channel: the case listener's.
      threadReply({ channel: 'C0SUPPORT1', user: 'U0ACC1', text: 'refund is 40', ts: '1764654130.000600', thread_ts: '1764654000.000100' }),
    ];
    for (const event of ignored) await t.listener(eventArguments(event));
    expect(t.received).toEqual([]);
  });

  it('returns only once the ask service has made the answer durable (Bolt answers Slack after)', async () => {
    const order: string[] = [];
    const t = setup(async () => {
      // The unit of work commits a turn later.
      await new Promise((resolve) => setTimeout(resolve, 0));
      order.push('durable');
      return { outcome: 'done', caseId: 12 };
    });
    await t.listener(eventArguments(olgaSays('done')));
    order.push('returned');
    expect(order).toEqual(['durable', 'returned']);
  });

  it("rejects with the ask service's error, for Bolt's app.error to log", async () => {
    const t = setup(() => {
      throw new Error('SQLITE_BUSY');
    });
    await expect(t.listener(eventArguments(olgaSays('done')))).rejects.toThrow('SQLITE_BUSY');
  });
});
