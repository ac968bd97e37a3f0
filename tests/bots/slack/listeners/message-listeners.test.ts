import { describe, expect, it } from 'vitest';
import type { AskService, DepartmentReply } from '../../../../src/asks/ask-service.js';
import type { AgentMessage, CaseService } from '../../../../src/cases/case-service.js';
import type { Logger } from '../../../../src/ports.js';
import { caseThreadMessage } from '../../../../bots/slack/listeners/messages/case-thread-message.js';
import { departmentMessage } from '../../../../bots/slack/listeners/messages/department-message.js';

// Listener tests in the Bolt templates' style: the handler gets the arguments Bolt would pass.
const names: Record<string, string> = { U0AGENT1: 'Anna', U0AGENT2: 'Boris', U0ACC1: 'Olga' };
const directory = { slackName: async (id: string) => names[id] ?? id };
const log: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;
const args = (event: Record<string, unknown>) => ({ event, body: { event_id: 'Ev0001' } }) as never;

describe('message listeners decode Slack text where it enters', () => {
  it('a case thread message reaches the case service as the agent saw it, with the people it names', async () => {
    const received: AgentMessage[] = [];
    const cases = { receiveAgentMessage: (m: AgentMessage) => (received.push(m), { outcome: 'done' }) } as unknown as CaseService;
    const listener = caseThreadMessage({ cases, directory, supportChannel: 'C0SUPPORT', log });
    await listener(args({ type: 'message', channel: 'C0SUPPORT', user: 'U0AGENT1', text: '!assign <@U0AGENT2>', ts: '2.0', thread_ts: '1.0' }));
    await listener(args({ type: 'message', channel: 'C0SUPPORT', user: 'U0AGENT1', text: '!reply 5 &gt; 3 &amp; <https://x.example|see> :wave:', ts: '3.0', thread_ts: '1.0' }));
    expect(received.map((m) => [m.userName, m.text, m.mentions])).toEqual([
      ['Anna', '!assign @Boris', [{ id: 'U0AGENT2', name: 'Boris' }]],
      ['Anna', '!reply 5 > 3 & see (https://x.example) 👋', []],
    ]);
  });

  it("a department's answer reaches the ask service decoded", async () => {
    const received: DepartmentReply[] = [];
    const asks = { receiveDepartmentReply: (r: DepartmentReply) => (received.push(r), { outcome: 'done' }) } as unknown as AskService;
    const listener = departmentMessage({ asks, directory, departmentChannels: new Set(['C0ACC']), log });
    await listener(args({ type: 'message', channel: 'C0ACC', user: 'U0ACC1', text: 'Fish &amp; chips, ask <@U0AGENT2> <!here>', ts: '5.0', thread_ts: '4.0' }));
    expect(received.map((r) => [r.userName, r.text])).toEqual([['Olga', 'Fish & chips, ask @Boris @here']]);
  });
});
