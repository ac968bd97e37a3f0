import { Telegram } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientFileDownload } from '../../../bots/telegram/client-file-download.js';
import { PermanentDeliveryError } from '../../../src/delivery/deliverer.js';
import { FakeTelegram } from '../../fakes/fake-telegram.js';

const token = '4242:download-test';
let fake: FakeTelegram;
let download: ReturnType<typeof createClientFileDownload>;

beforeAll(async () => {
  fake = await FakeTelegram.start({ token });
  download = createClientFileDownload(new Telegram(token, { apiRoot: fake.apiRoot }));
});
afterAll(async () => {
  await fake.close();
});

const file = (fileId: string, sizeBytes?: number) => ({ fileId, fileName: `${fileId}.pdf`, sizeBytes });

describe("downloading a client's file from Telegram", () => {
  it('fetches the bytes over HTTP', async () => {
    fake.addFile('F-ok', Buffer.from('%PDF-1.7 receipt'));
    expect((await download(file('F-ok'))).toString()).toBe('%PDF-1.7 receipt');
  });

  it('a self-hosted Bot API server in --local mode (absolute file_path) is a final error, not an endless retry', async () => {
    fake.addFile('F-local', Buffer.from('bytes'), '/var/lib/telegram-bot-api/4242:download-test/documents/file_0.pdf');
    const error = await download(file('F-local')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect((error as PermanentDeliveryError).reason).toMatch(/local file path.*--local/);
  });

  it('a file id Telegram refuses (400) is final', async () => {
    const error = await download(file('F-unknown')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect((error as PermanentDeliveryError).reason).toMatch(/invalid file_id/);
  });

  it('over 20 MB is final without asking Telegram', async () => {
    const before = fake.callsTo('getFile').length;
    await expect(download(file('F-big', 21 * 1024 * 1024))).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(fake.callsTo('getFile')).toHaveLength(before);
  });

  it('a 5xx from getFile is retried (thrown as it is)', async () => {
    fake.addFile('F-flaky', Buffer.from('x'));
    fake.failNext('getFile', 1, { status: 502 });
    const error = await download(file('F-flaky')).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(PermanentDeliveryError);
    expect((await download(file('F-flaky'))).toString()).toBe('x');
  });
});
