import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRepka, StartupError } from '../../bots/app.js';
import { cardActions } from '../../bots/slack/render/case-card.js';
import { loadConfig, secretsOf } from '../../bots/config.js';
import { createLogger } from '../../bots/logger.js';
import { FakeSlack, newTriggerId, nextTs, sendSlackEvent, type StoredMessage } from '../fakes/fake-slack.js';
import { FakeTelegram, type TgUser } from '../fakes/fake-telegram.js';
import { e2eDatabase, eventually, redisUrl, registerChannels, startHarness, supportChannel, telegramToken, type Harness } from './harness.js';

const appToken = 'xapp-1-A0FAKE-123-abc';

let h: Harness;
let nextUserId = 9100;
const newClient = (): TgUser => ({ id: nextUserId++, first_name: 'Olga', username: `olga${nextUserId}`, language_code: 'en' });
const sentTo = (chatId: number) => h.telegram.callsTo('sendMessage').filter((c) => c.params.chat_id === chatId);
const textsTo = (chatId: number) => sentTo(chatId).map((c) => String(c.params.text));

/**
 * Anna replies `marker` over the socket and the client gets it. Call it once an earlier message was
 * handled (its effects seen): it queued whatever it sent the client before this reply, and one chat's
 * messages are delivered in order (streamOf), so what is absent now was never sent. Returns the texts
 * the client has.
 */
async function afterLaterReply(client: TgUser, threadTs: string, marker: string): Promise<string[]> {
  agentSaysOverSocket(threadTs, 'U0AGENT1', `!reply ${marker}`);
  await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes(marker));
  return textsTo(client.id);
}

/** A human posts in a case thread; Slack delivers it over the socket. Returns the ids and the message ts. */
function agentSaysOverSocket(threadTs: string, user: string, text: string, opts: Parameters<FakeSlack['sendSocketEvent']>[1] = {}) {
  const ts = nextTs();
  const sent = h.slack.sendSocketEvent({ type: 'message', channel: supportChannel, user, text, ts, thread_ts: threadTs, channel_type: 'channel' }, opts);
  return { ...sent, ts };
}

beforeAll(async () => {
  const slack = await FakeSlack.start({ appToken });
  // Socket Mode needs no signing secret: Slack's messages come over the app's own authenticated connection.
  h = await startHarness({ slack, env: { SLACK_APP_TOKEN: appToken, SLACK_SIGNING_SECRET: undefined, SLACK_AGENTS: 'U0AGENT1,U0AGENT2' } });
});
afterAll(async () => {
  await h?.stop(true);
});

describe('Slack in Socket Mode (SLACK_APP_TOKEN set)', () => {
  it('connects with the app-level token and is healthy', async () => {
    const open = h.slack.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe(appToken);
    expect(h.slack.openSockets).toBe(1);
    expect(h.logs.some((line) => line.includes('repka started') && line.includes('socket-mode'))).toBe(true);
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
  });

  it('does not serve POST /slack/events: Slack talks over the socket only', async () => {
    const answer = await sendSlackEvent(h.url, 'any-secret', { type: 'message', channel: supportChannel, user: 'U0AGENT1', text: 'over http', ts: nextTs() });
    expect(answer.status).toBe(404);
  });

  it('a client message opens a case card; !reply over the socket is acked and reaches the client', async () => {
    const client = newClient();
    const { caseId, threadTs, card } = await h.openCase(client, 'my parcel is lost');
    expect(String(card.params.text)).toContain(`#${caseId}`);
    const { envelopeId, ts } = agentSaysOverSocket(threadTs, 'U0AGENT1', '!reply We found it, it arrives tomorrow.');
    const ack = await h.slack.waitForAck(envelopeId);
    expect(ack.params.envelope_id).toBe(envelopeId);
    const reply = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('it arrives tomorrow'));
    expect(reply.params.text).toContain(`#${caseId}`);
    await h.slack.waitFor('reactions.add', (c) => c.params.channel === supportChannel && c.params.timestamp === ts);
  });

  it('keeps a note internal', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'charged twice');
    const note = agentSaysOverSocket(threadTs, 'U0AGENT1', 'looks like a double charge, checking');
    await h.slack.waitForAck(note.envelopeId);
    const history = agentSaysOverSocket(threadTs, 'U0AGENT1', '!history');
    await h.slack.waitForAck(history.envelopeId);
    const upload = await h.slack.waitFor('files.completeUploadExternal', (c) => c.params.thread_ts === threadTs);
    const file = h.slack.uploadedFile((upload.params.files as { id: string }[])[0]?.id as string);
    // The history holds the note, so the note was handled.
    expect(file?.bytes.toString('utf8')).toContain('Note by Anna: looks like a double charge');
    const texts = await afterLaterReply(client, threadTs, 'we are checking');
    expect(texts).toHaveLength(2);
    expect(texts.join('\n')).not.toMatch(/double charge|History of case/);
  });

  it('answers an unknown !word privately and sends nothing to the client', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'hello?');
    const { envelopeId } = agentSaysOverSocket(threadTs, 'U0AGENT2', '!replly typo');
    await h.slack.waitForAck(envelopeId);
    const answer = await h.slack.waitFor('chat.postEphemeral', (c) => c.params.user === 'U0AGENT2' && String(c.params.text).includes('!replly'));
    expect(answer.params.thread_ts).toBe(threadTs);
    const texts = await afterLaterReply(client, threadTs, 'sorry, a typo');
    expect(texts).toHaveLength(2);
    expect(texts.join('\n')).not.toContain('!replly');
  });

  it('a card button ("Assign to me") over the socket is acked and works', async () => {
    const { caseId, threadTs } = await h.openCase(newClient(), 'who takes this?');
    const card = h.slack.messages(supportChannel).find((m) => m.ts === threadTs) as StoredMessage;
    const buttons = (card.blocks as { type: string; block_id?: string; elements?: { action_id?: string; value?: string }[] }[]).filter((b) => b.type === 'actions');
    const block = buttons.find((b) => b.elements?.some((e) => e.action_id === cardActions.assignMe));
    const button = block?.elements?.find((e) => e.action_id === cardActions.assignMe);
    expect(button?.value).toBe(String(caseId));
    const envelopeId = h.slack.sendSocketInteraction({
      type: 'block_actions',
      team: { id: 'T0TEAM' },
      user: { id: 'U0AGENT2', name: 'boris' },
      api_app_id: 'A0FAKE',
      trigger_id: newTriggerId(),
      response_url: h.slack.responseUrl(`assign-${caseId}`),
      container: { type: 'message', channel_id: supportChannel, message_ts: threadTs },
      channel: { id: supportChannel },
      message: { ts: threadTs, text: card.text },
      actions: [{ type: 'button', action_id: cardActions.assignMe, block_id: block?.block_id, value: button?.value, action_ts: nextTs() }],
    });
    await h.slack.waitForAck(envelopeId);
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Assigned to <@U0AGENT2>'));
    expect(post.params.channel).toBe(supportChannel);
    await eventually(() => h.slack.callsTo('chat.update').some((c) => c.params.ts === threadTs && JSON.stringify(c.params.blocks).includes('<@U0AGENT2>')), 8000, 'the card shows Boris');
  });

  it('a slash command over the socket is acked and answered', async () => {
    const envelopeId = h.slack.sendSocketSlashCommand({ command: '/repka', text: '', user_id: 'U0AGENT1', user_name: 'anna', channel_id: supportChannel, response_url: h.slack.responseUrl('socket-help') });
    await h.slack.waitForAck(envelopeId);
    const help = await h.slack.waitFor('response_url', (c) => c.params.id === 'socket-help');
    expect(help.params.text).toContain('/repka stats');
  });

  it('the same event delivered twice (a retry, same event_id) has one effect; both envelopes are acked', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'dup');
    const ts = nextTs();
    const event = { type: 'message', channel: supportChannel, user: 'U0AGENT1', text: '!reply only once, please', ts, thread_ts: threadTs, channel_type: 'channel' };
    const first = h.slack.sendSocketEvent(event, { eventId: 'Ev0SOCKETDUP1' });
    const retry = h.slack.sendSocketEvent(event, { eventId: 'Ev0SOCKETDUP1', retryAttempt: 1, retryReason: 'timeout' });
    await h.slack.waitForAck(first.envelopeId);
    await h.slack.waitForAck(retry.envelopeId);
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('only once, please'));
    // Socket Mode acks an event before handling it: the log line of each handling says both were handled.
    await eventually(() => h.logs.filter((line) => line.includes('case thread message') && line.includes(ts)).length === 2, 5000, 'both envelopes handled');
    const texts = await afterLaterReply(client, threadTs, 'and a later reply');
    expect(texts.join('\n').split('only once, please')).toHaveLength(2);
    expect(texts).toHaveLength(3);
    expect(h.slack.socketAcks.filter((a) => a.params.envelope_id === first.envelopeId)).toHaveLength(1);
  });

  it('reconnects when Slack refreshes the connection, and goes on working', async () => {
    const opened = h.slack.callsTo('apps.connections.open').length;
    h.slack.disconnectSockets('refresh_requested');
    // The Socket Mode client waits 5 s (its client ping timeout) before it reconnects.
    await h.slack.waitForCount('apps.connections.open', opened + 1, undefined, 15_000);
    await eventually(() => h.slack.openSockets === 1, 5000, 'a new connection');
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'after the refresh');
    const { envelopeId } = agentSaysOverSocket(threadTs, 'U0AGENT1', '!reply still here');
    await h.slack.waitForAck(envelopeId);
    await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('still here'));
  }, 30_000);
});

describe('Socket Mode with a wrong app token', () => {
  let slack: FakeSlack;
  let telegram: FakeTelegram;
  let dir: string;
  /** On PostgreSQL, the database it opens before Slack refuses it (on SQLite, a file in `dir`). */
  let databaseUrl: string | undefined;
  beforeAll(async () => {
    slack = await FakeSlack.start({ appToken });
    telegram = await FakeTelegram.start({ token: telegramToken });
    registerChannels(slack);
    dir = mkdtempSync(join(tmpdir(), 'repka-socket-'));
    databaseUrl = (await e2eDatabase())?.url;
  });
  afterAll(async () => {
    await slack?.close();
    await telegram?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // apps.connections.open answers invalid_auth: the Socket Mode client does not retry that, so start-up stops at once.
  it('start-up fails, naming invalid_auth, and the log says why', async () => {
    const departmentsFile = join(dir, 'departments.json');
    writeFileSync(departmentsFile, JSON.stringify({ departments: [] }));
    const config = loadConfig({
      PORT: '0',
      DATABASE_PATH: join(dir, 'repka.sqlite'),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: `test-${randomUUID().slice(0, 8)}`,
      SLACK_BOT_TOKEN: 'xoxb-test-token-1',
      SLACK_APP_TOKEN: 'xapp-1-A0FAKE-123-revoked',
      SLACK_API_URL: slack.url,
      SLACK_SUPPORT_CHANNEL: supportChannel,
      TELEGRAM_BOT_TOKEN: telegramToken,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DEPARTMENTS_FILE: departmentsFile,
    });
    const logs: string[] = [];
    const log = createLogger({ level: 'info', secrets: secretsOf(config), write: (line) => logs.push(line) });
    // A one-line start-up error, as `npm start` prints for any bad token (not a stack trace).
    const failure = await startRepka(config, { log }).then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(StartupError);
    expect((failure as Error).message).toMatch(/^SLACK_APP_TOKEN was rejected by Slack: invalid_auth; /);
    expect(slack.callsTo('apps.connections.open')).toHaveLength(1);
    expect(slack.openSockets).toBe(0);
    expect(logs.some((line) => line.includes('"level":"error"') && line.includes('invalid_auth'))).toBe(true);
    // The token itself never reaches the log.
    expect(logs.join('\n')).not.toContain('revoked');
  });
});
