import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TgUser } from '../fakes/fake-telegram.js';
import { startHarness, type Harness } from './harness.js';

/*
 * At LOG_LEVEL=debug (the harness's level) Repka logs what it does, never what people wrote: Bolt's
 * and the Slack client's debug output carries whole request and response bodies, and is not passed on.
 */

let h: Harness;
const client: TgUser = { id: 9901, first_name: 'Lena', language_code: 'en' };
const phone = '+7 916 555 01 23';
const card = '4276 3800 1234 5678';

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop(true);
});

describe('logs at LOG_LEVEL=debug', () => {
  it("carry no client's or agent's message text, however busy the Slack client is", async () => {
    const { threadTs } = await h.openCase(client, `call me at ${phone}, card ${card}`);
    const { ts } = await h.agentSays(threadTs, 'U0AGENT1', `!reply we called ${phone}`);
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    const logs = h.logs.join('\n');
    expect(logs).toContain('"level":"debug"');
    expect(logs).not.toContain(phone);
    expect(logs).not.toContain(card);
  });
});
