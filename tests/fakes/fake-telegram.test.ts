import { Telegraf } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from './fake-telegram.js';
import { telegramLimits } from './platform-validator.js';

const token = '123456:FAKE-test_token';
let fake: FakeTelegram;
let bot: Telegraf;

/** A Bot API call through Telegraf over real HTTP; Telegram's error (code and description) when refused. */
async function refusal(run: () => Promise<unknown>): Promise<{ code: number; description: string } | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    const e = error as { code: number; description: string };
    return { code: e.code, description: e.description };
  }
}

beforeAll(async () => {
  fake = await FakeTelegram.start({ token });
  bot = new Telegraf(token, { telegram: { apiRoot: fake.apiRoot, webhookReply: false } });
});
afterAll(async () => {
  await fake.close();
});

describe('FakeTelegram refuses what Telegram refuses', () => {
  it('text over 4096 or empty, caption over 1024, callback data over 64 bytes', async () => {
    expect(await refusal(() => bot.telegram.sendMessage(1, 'x'.repeat(telegramLimits.textMax)))).toBeUndefined();
    expect(await refusal(() => bot.telegram.sendMessage(1, 'x'.repeat(telegramLimits.textMax + 1)))).toEqual({ code: 400, description: 'Bad Request: message is too long' });
    expect(await refusal(() => bot.telegram.sendMessage(1, '  '))).toEqual({ code: 400, description: 'Bad Request: message text is empty' });
    expect(await refusal(() => bot.telegram.sendPhoto(1, 'photo-id', { caption: 'c'.repeat(1025) }))).toEqual({ code: 400, description: 'Bad Request: message caption is too long' });
    const markup = { inline_keyboard: [[{ text: 'rate', callback_data: 'r'.repeat(65) }]] };
    expect(await refusal(() => bot.telegram.sendMessage(1, 'rate us', { reply_markup: markup }))).toEqual({ code: 400, description: 'Bad Request: BUTTON_DATA_INVALID' });
  });

  it('editMessageText with the same text and markup: "message is not modified"', async () => {
    const sent = await bot.telegram.sendMessage(2, 'status: open');
    expect(await refusal(() => bot.telegram.editMessageText(2, sent.message_id, undefined, 'status: closed'))).toBeUndefined();
    expect(await refusal(() => bot.telegram.editMessageText(2, sent.message_id, undefined, 'status: closed'))).toEqual({
      code: 400,
      description: 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    });
  });

  it('setWebhook needs https on a port Telegram allows', async () => {
    expect(await refusal(() => bot.telegram.setWebhook('http://repka.example/telegram/webhook'))).toEqual({ code: 400, description: 'Bad Request: bad webhook: HTTPS url must be provided for webhook' });
    expect(await refusal(() => bot.telegram.setWebhook('https://repka.example:3000/telegram/webhook'))).toEqual({ code: 400, description: 'Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443' });
    expect(await refusal(() => bot.telegram.setWebhook('https://repka.example/telegram/webhook', { secret_token: 'has space' }))).toEqual({ code: 400, description: 'Bad Request: secret token contains unallowed characters' });
    expect(await refusal(() => bot.telegram.setWebhook('https://repka.example/telegram/webhook', { secret_token: 'ok_secret-1' }))).toBeUndefined();
    expect(fake.webhook.url).toBe('https://repka.example/telegram/webhook');
  });

  it('getFile of a file over 20 MB: "file is too big"', async () => {
    fake.addFile('big', Buffer.from('x'), 'documents/big.zip', telegramLimits.downloadBytesMax + 1);
    fake.addFile('small', Buffer.from('x'), 'documents/small.zip', telegramLimits.downloadBytesMax);
    expect(await refusal(() => bot.telegram.getFile('big'))).toEqual({ code: 400, description: 'Bad Request: file is too big' });
    expect(await refusal(() => bot.telegram.getFile('small'))).toBeUndefined();
  });

  it('an upload over 50 MB is refused with 413', async () => {
    expect(await refusal(() => bot.telegram.sendDocument(3, { source: Buffer.alloc(telegramLimits.uploadBytesMax + 1), filename: 'huge.bin' }))).toEqual({ code: 413, description: 'Request Entity Too Large' });
  });

  it('every refusal is a violation that fails the test unless expected', () => {
    expect(fake.violations.map((v) => v.description)).toContain('Bad Request: message is too long');
    expect(fake.violations.some((v) => v.description.startsWith('Bad Request: message is not modified'))).toBe(true);
    expect(() => fake.assertNoViolations()).toThrow(/refused \d+ call/);
    fake.expectRefusals();
    expect(() => fake.assertNoViolations()).not.toThrow();
  });
});

describe('FakeTelegram refuses a token as Telegram does', () => {
  it('a well-formed token it does not know: 401 Unauthorized; a malformed one: 404 Not Found; neither is a call of the bot', async () => {
    const as = (other: string) => new Telegraf(other, { telegram: { apiRoot: fake.apiRoot, webhookReply: false } }).telegram;
    const before = fake.calls.length;
    expect(await refusal(() => as('654321:someone-else').getMe())).toEqual({ code: 401, description: 'Unauthorized' });
    expect(await refusal(() => as('not-a-token').getMe())).toEqual({ code: 404, description: 'Not Found' });
    expect(fake.unauthorized.map(({ method, status }) => ({ method, status }))).toEqual([
      { method: 'getMe', status: 401 },
      { method: 'getMe', status: 404 },
    ]);
    expect(fake.calls.length).toBe(before);
  });

  it('getWebhookInfo reports a delivery error the test sets', async () => {
    fake.webhook.last_error_message = 'Connection timed out';
    fake.webhook.last_error_date = 1_700_000_000;
    expect(await bot.telegram.getWebhookInfo()).toMatchObject({ last_error_message: 'Connection timed out', last_error_date: 1_700_000_000 });
    delete fake.webhook.last_error_message;
    delete fake.webhook.last_error_date;
    expect(await bot.telegram.getWebhookInfo()).not.toHaveProperty('last_error_message');
  });
});
