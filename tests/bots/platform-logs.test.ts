import { createRequire } from 'node:module';
import { App, type Receiver } from '@slack/bolt';
import { Telegraf } from 'telegraf';
import type { Update as TelegrafUpdate } from 'telegraf/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogLevel } from '../../bots/config.js';
import { createLogger } from '../../bots/logger.js';
import { routeTelegrafLogs } from '../../bots/telegram/telegraf-logs.js';
import { boltLogger } from '../../bots/wiring/startup.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { FakeTelegram, textUpdate } from '../fakes/fake-telegram.js';

/*
 * Bolt's, its Web API client's and Telegraf's own log calls, made by the real libraries against the
 * fake servers, come out as Repka's pino lines: JSON, at the library's level, with `component`.
 */

const botToken = 'xoxb-1111-2222-SecretBotTokenValue';
const telegramToken = '7654321:AAH-SecretTelegramTokenValue_xyz0123';
const phone = '+7 916 555 01 23';

let slack: FakeSlack;
let telegram: FakeTelegram;

beforeAll(async () => {
  slack = await FakeSlack.start();
  slack.addChannel('C0SUPPORT', { name: 'support', members: ['U0REPKABOT'] });
  telegram = await FakeTelegram.start({ token: telegramToken });
});
afterAll(async () => {
  await slack.close();
  await telegram.close();
});

/** A real pino logger at `level` writing to an array, and its lines parsed. */
function pinoLines(level: LogLevel) {
  const lines: string[] = [];
  const log = createLogger({ level, secrets: [botToken, telegramToken], write: (line) => lines.push(line) });
  return { log, lines, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** Bolt with no HTTP server of its own: events are handed to `processEvent`. */
const noReceiver: Receiver = { init: () => undefined, start: () => Promise.resolve(), stop: () => Promise.resolve() };

describe("Bolt's logging", () => {
  it('comes out as pino lines with component "bolt", at its level; its debug output (whole bodies) does not', async () => {
    const out = pinoLines('debug');
    const app = new App({
      token: botToken,
      receiver: noReceiver,
      logger: boltLogger(out.log),
      botId: 'B0REPKABOT',
      botUserId: 'U0REPKABOT',
      tokenVerificationEnabled: false,
      clientOptions: { slackApiUrl: slack.url, retryConfig: { retries: 0 } },
    });
    app.event('app_mention', () => Promise.reject(new Error(`listener failed with ${botToken}`)));
    // Bolt logs the whole body at debug (App.processEvent: logger.debug(JSON.stringify(body))).
    const body = { type: 'event_callback', team_id: 'T0TEAM', api_app_id: 'A0APP', event_id: 'Ev1', event: { type: 'app_mention', user: 'U0AGENT1', channel: 'C0SUPPORT', text: `call ${phone}`, ts: '1.000100' } };
    await expect(app.processEvent({ body, ack: () => Promise.resolve() })).rejects.toThrow();
    // The WebClient warns, before it calls, of a post without a top-level text.
    await app.client.chat.postMessage({ channel: 'C0SUPPORT', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }] });

    expect(out.entries()).toEqual([
      // Bolt wraps the listener's error (errors.js asCodedError); pino's serializer keeps both.
      expect.objectContaining({
        level: 'error',
        component: 'bolt',
        msg: 'listener failed with [redacted]',
        error: expect.objectContaining({ type: 'UnknownError', code: 'slack_bolt_unknown_error', original: expect.objectContaining({ type: 'Error', message: 'listener failed with [redacted]' }) }),
      }),
      expect.objectContaining({ level: 'warn', component: 'bolt', msg: expect.stringMatching(/^The top-level `text` argument is missing in the request payload for a chat.postMessage call/) }),
    ]);
    expect(out.lines.join('\n')).not.toContain(phone);
    expect(out.lines.join('\n')).not.toContain('SecretBotTokenValue');
  });
});

describe("Telegraf's logging", () => {
  let undo: (() => void) | undefined;
  afterEach(() => {
    undo?.();
    undo = undefined;
  });

  it('comes out as pino debug lines with the debug namespace as component, without payloads', async () => {
    const out = pinoLines('debug');
    undo = routeTelegrafLogs(out.log, 'debug');
    const bot = new Telegraf(telegramToken, { telegram: { apiRoot: telegram.apiRoot, webhookReply: false } });
    await bot.telegram.sendMessage(4242, `we called ${phone}`);
    bot.botInfo = await bot.telegram.getMe();
    // The fake's update type is its own subset of Telegram's.
    await bot.handleUpdate(textUpdate({ id: 4242, first_name: 'Lena' }, `call me at ${phone}`) as unknown as TelegrafUpdate);

    const entries = out.entries();
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'debug', component: 'telegraf:client', msg: 'HTTP call sendMessage' }),
        expect.objectContaining({ level: 'debug', component: 'telegraf:client', msg: 'HTTP call getMe' }),
        expect.objectContaining({ level: 'debug', component: 'telegraf:main', msg: expect.stringMatching(/^Processing update \d+$/) }),
      ]),
    );
    for (const entry of entries) expect(entry).toEqual(expect.objectContaining({ level: 'debug', time: expect.any(String), component: expect.stringMatching(/^telegraf:/) }));
    expect(out.lines.join('\n')).not.toContain(phone);
    expect(out.lines.join('\n')).not.toContain('SecretTelegramTokenValue');
  });

  it('is not enabled above LOG_LEVEL=debug', async () => {
    // A logger that would write debug lines: only the level given to routeTelegrafLogs decides.
    const out = pinoLines('debug');
    undo = routeTelegrafLogs(out.log, 'info');
    await new Telegraf(telegramToken, { telegram: { apiRoot: telegram.apiRoot } }).telegram.getMe();
    out.log.info('after getMe');
    expect(out.entries().map((entry) => entry.msg)).toEqual(['after getMe']);
  });

  it('is given back as it was by the undo: the debug package Telegraf loads writes and formats as before, its namespaces as enabled before', () => {
    const debug = createRequire(createRequire(import.meta.url).resolve('telegraf'))('debug') as { log: unknown; formatArgs: unknown; enabled(namespace: string): boolean; enable(n: string): void; disable(): string };
    const before = { log: debug.log, formatArgs: debug.formatArgs };
    const enabled = debug.disable();
    debug.enable('some:other');
    try {
      routeTelegrafLogs(pinoLines('debug').log, 'debug')();
      expect({ log: debug.log, formatArgs: debug.formatArgs }).toEqual(before);
      expect([debug.enabled('telegraf:client'), debug.enabled('some:other')]).toEqual([false, true]);
    } finally {
      debug.disable();
      debug.enable(enabled);
    }
  });
});
