import { describe, expect, it } from 'vitest';
import { registerMessageListeners } from '../../../../../bots/slack/listeners/messages/index.js';
import { directory, eventArguments, recordingLogger, threadReply } from '../bolt-arguments.js';

describe('the message listeners', () => {
  it('both hear every message event, and each thread reply reaches only the service of its channel', async () => {
    const handlers: { event: string; handler: (args: never) => Promise<void> }[] = [];
    const app = { event: (event: string, handler: (args: never) => Promise<void>) => void handlers.push({ event, handler }) };
    const reached: string[] = [];
    const cases = { receiveAgentMessage: async (m: { text: string }) => (reached.push(`case: ${m.text}`), { outcome: 'done' }) };
    const asks = { receiveDepartmentReply: async (r: { text: string }) => (reached.push(`ask: ${r.text}`), { outcome: 'done' }) };
    registerMessageListeners(app as never, { cases, asks, directory, supportChannel: 'C0SUPPORT1', departmentChannels: new Set(['C0ACCOUNT1']), log: recordingLogger() } as never);
    expect(handlers.map((h) => h.event)).toEqual(['message', 'message', 'message']);
    const events = [
      threadReply({ channel: 'C0SUPPORT1', user: 'U0AGENT1', text: '!note checked', ts: '1764654001.000200', thread_ts: '1764654000.000100' }),
      threadReply({ channel: 'C0ACCOUNT1', user: 'U0ACC1', text: 'refund is 40', ts: '1764654101.000200', thread_ts: '1764654100.000100' }),
      threadReply({ channel: 'C0RANDOM01', user: 'U0AGENT1', text: 'lunch?', ts: '1764654201.000200', thread_ts: '1764654200.000100' }),
    ];
    for (const event of events) for (const { handler } of handlers) await handler(eventArguments(event));
    expect(reached).toEqual(['case: !note checked', 'ask: refund is 40']);
  });
});
