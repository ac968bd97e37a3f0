import { afterEach, describe, expect, it } from 'vitest';
import { StartupError } from '../../bots/app.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { FakeTelegram } from '../fakes/fake-telegram.js';
import { startHarness, supportChannel, telegramToken, type Harness, type HarnessOptions } from './harness.js';

const legal = { id: 'legal', name: 'Legal', slackChannel: 'C0LEGAL', replyWithin: '1h' };
const departments = { departments: [legal] };

const started: Harness[] = [];
const fakes: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const h of started.splice(0)) await h.stop(true);
  for (const f of fakes.splice(0)) await f.close();
});

async function start(opts: HarnessOptions): Promise<Harness> {
  const h = await startHarness(opts);
  started.push(h);
  return h;
}

/** Start-up against these channels; resolves with the error it stops with. */
async function startFails(opts: HarnessOptions): Promise<StartupError> {
  const slack = await FakeSlack.start();
  const telegram = await FakeTelegram.start({ token: telegramToken });
  fakes.push(slack, telegram);
  const error = await startHarness({ ...opts, slack, telegram }).then(
    async (h) => {
      started.push(h);
      throw new Error('Repka started');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StartupError);
  expect((error as Error).message).not.toContain('\n');
  return error as StartupError;
}

describe('channels Repka must be in, checked at start', () => {
  it('stops start-up for a private department channel the bot is not in, naming the department and the /invite to type', async () => {
    const error = await startFails({ departments, channels: { C0LEGAL: { isPrivate: true, botIsMember: false } } });
    expect(error.message).toContain('department "legal"');
    expect(error.message).toContain('C0LEGAL');
    expect(error.message).toContain('/invite @repka');
  });

  it('stops start-up when the support channel does not exist, naming SLACK_SUPPORT_CHANNEL', async () => {
    const slack = await FakeSlack.start();
    const telegram = await FakeTelegram.start({ token: telegramToken });
    fakes.push(slack, telegram);
    slack.addChannel(supportChannel);
    slack.missingChannels.add(supportChannel);
    const error = await startHarness({ slack, telegram }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(StartupError);
    expect(error?.message).toMatch(/SLACK_SUPPORT_CHANNEL is C0SUPPORT, which Slack does not find/);
  });

  it('stops start-up for an archived department channel', async () => {
    const error = await startFails({ departments, channels: { C0LEGAL: { isArchived: true } } });
    expect(error.message).toMatch(/department "legal".*archived/);
  });

  it('joins a public department channel it is not in, and then works there', async () => {
    const h = await start({ departments, channels: { C0LEGAL: { botIsMember: false } } });
    expect(h.slack.callsTo('conversations.join').map((c) => c.params.channel)).toEqual(['C0LEGAL']);
    expect(h.slack.botIsMember('C0LEGAL')).toBe(true);
    const { threadTs } = await h.openCase({ id: 12_001, first_name: 'Vera', language_code: 'en' }, 'a question for legal');
    await h.agentSays(threadTs, 'U0AGENT1', '!ask legal may we refund twice?');
    const question = await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === 'C0LEGAL');
    expect(question.params.text).toContain('may we refund twice?');
    // Settled before stopping: the client heard of the question, the card shows it.
    await h.telegram.waitForCount('sendMessage', 2, (c) => c.params.chat_id === 12_001);
    await h.slack.waitFor('chat.update', (c) => JSON.stringify(c.params.blocks ?? '').includes('Legal'));
  });

  it('does not join a channel it is already in', async () => {
    const h = await start({ departments });
    expect(h.slack.callsTo('conversations.info').map((c) => c.params.channel).sort()).toEqual(['C0LEGAL', supportChannel]);
    expect(h.slack.callsTo('conversations.join')).toEqual([]);
  });
});
