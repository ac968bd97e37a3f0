import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it.each([
    ['a parent folder', 'documents/../../etc/passwd'],
    ['an encoded parent folder', 'documents/%2e%2e/secret'],
    ['a scheme', 'https://evil.example/x.pdf'],
    ['a backslash', 'documents\\..\\x'],
  ])('a file_path with %s is refused before anything is downloaded', async (_what, path) => {
    fake.addFile(`F-path-${path.length}`, Buffer.from('x'), path);
    const error = await download(file(`F-path-${path.length}`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect((error as PermanentDeliveryError).reason).toMatch(/not a plain relative path/);
  });

  it('a file over 20 MB that declared no size is cut off while it streams, never held whole', async () => {
    fake.addFile('F-undeclared', Buffer.alloc(20 * 1024 * 1024 + 1, 1), 'documents/undeclared.bin', 0);
    const error = await download(file('F-undeclared')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect((error as PermanentDeliveryError).reason).toMatch(/larger than 20 MB/);
  });
});

describe('a Bot API host that redirects the download', () => {
  let api: Server;
  let elsewhere: Server;
  let root: string;
  const hits: string[] = [];
  beforeAll(async () => {
    elsewhere = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('stolen');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const away = `http://localhost:${(elsewhere.address() as AddressInfo).port}`;
    api = createServer(async (req, res) => {
      const url = req.url ?? '';
      let body = '';
      for await (const chunk of req) body += String(chunk);
      if (url.includes('/getFile')) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result: { file_id: 'F', file_unique_id: 'U', file_path: body.includes('same') ? 'documents/same.pdf' : 'documents/away.pdf' } }));
      if (url.endsWith('/documents/away.pdf')) return res.writeHead(302, { location: `${away}/x` }).end();
      if (url.endsWith('/documents/same.pdf')) return res.writeHead(302, { location: '/file/moved.pdf' }).end();
      if (url === '/file/moved.pdf') return res.end('moved bytes');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    root = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => api.close(resolve));
    await new Promise((resolve) => elsewhere.close(resolve));
  });

  it('does not follow a redirect to another host', async () => {
    const get = createClientFileDownload(new Telegram(token, { apiRoot: root }));
    const error = await get({ fileId: 'away', fileName: 'a.pdf' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect((error as PermanentDeliveryError).reason).toMatch(/another host/);
    expect(hits).toEqual([]);
  });

  it('follows one on the same host', async () => {
    const get = createClientFileDownload(new Telegram(token, { apiRoot: root }));
    expect((await get({ fileId: 'same', fileName: 'a.pdf' })).toString()).toBe('moved bytes');
  });
});
