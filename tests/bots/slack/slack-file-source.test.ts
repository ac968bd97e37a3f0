import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackFileSource } from '../../../bots/slack/slack-file-source.js';
import { FileUnavailableError, type SharedFile } from '../../../src/files.js';

const token = 'xoxb-test-token';
const seen: IncomingHttpHeaders[] = [];
let base = '';
const server = createServer((req, res) => {
  seen.push(req.headers);
  const path = req.url ?? '';
  if (path.startsWith('/signin')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>');
  if (path.startsWith('/redirect-ok')) return void res.writeHead(302, { location: '/file.pdf' }).end();
  if (path.startsWith('/redirect-away')) return void res.writeHead(302, { location: 'https://evil.example/file.pdf' }).end();
  if (path.startsWith('/redirect-loop')) return void res.writeHead(302, { location: '/redirect-loop' }).end();
  if (path.startsWith('/redirect')) return void res.writeHead(302, { location: '/signin' }).end();
  if (path.startsWith('/gone')) return void res.writeHead(404).end('not found');
  if (path.startsWith('/busy')) return void res.writeHead(503).end('busy');
  if (path.startsWith('/big')) return void res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '2048' }).end(Buffer.alloc(2048));
  // No content-length: only counting while streaming can tell.
  if (path.startsWith('/chunked')) return void res.writeHead(200, { 'content-type': 'application/pdf' }).end(Buffer.alloc(2048));
  res.writeHead(200, { 'content-type': 'application/pdf' }).end(Buffer.from('%PDF-1.7 invoice'));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const source = (info?: () => Promise<unknown>) =>
  new SlackFileSource({ token, client: { files: { info: info ?? (async () => ({ ok: true, file: { url_private_download: `${base}/file.pdf` } })) } } as never, allowedHosts: new Set([new URL(base || 'http://x').host]), plainHttpHosts: new Set([new URL(base || 'http://x').host]) });
const file = (url?: string, size = 16): SharedFile => ({ id: 'F1', name: 'invoice.pdf', mimeType: 'application/pdf', size, ...(url === undefined ? {} : { url }) });
const read = async (stream: AsyncIterable<Buffer>) => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks).toString();
};

describe('SlackFileSource', () => {
  it('downloads with the bot token as a bearer, streamed', async () => {
    seen.length = 0;
    expect(await read(await source().open(file(`${base}/file.pdf`), 1024))).toBe('%PDF-1.7 invoice');
    expect(seen[0]?.authorization).toBe(`Bearer ${token}`);
  });

  it('never sends the token to a host that is not Slack\'s', async () => {
    seen.length = 0;
    await expect(source().open(file('https://evil.example/file.pdf'), 1024)).rejects.toThrow(/not on Slack's file host \(evil\.example\)/);
    expect(seen).toHaveLength(0);
  });

  it("reads the URL from files.info when the event had none (Slack Connect's check_file_info)", async () => {
    expect(await read(await source().open(file(undefined), 1024))).toBe('%PDF-1.7 invoice');
    const deleted = source(async () => Promise.reject(Object.assign(new Error('An API error occurred: file_deleted'), { data: { ok: false, error: 'file_deleted' } })));
    await expect(deleted.open(file(undefined), 1024)).rejects.toBeInstanceOf(FileUnavailableError);
  });

  it("Slack's sign-in page (a token without files:read), a redirect or a 404 are files that will never come", async () => {
    for (const path of ['/signin', '/redirect', '/gone']) {
      const attempt = source().open(file(`${base}${path}`), 1024);
      await expect(attempt).rejects.toBeInstanceOf(FileUnavailableError);
    }
    await expect(source().open(file(`${base}/signin`), 1024)).rejects.toThrow(/files:read/);
  });

  it('follows a redirect among allowed hosts, with the token; refuses one elsewhere, and a loop, sending nothing there', async () => {
    expect(await read(await source().open(file(`${base}/redirect-ok`), 1024))).toBe('%PDF-1.7 invoice');
    seen.length = 0;
    await expect(source().open(file(`${base}/redirect-away`), 1024)).rejects.toThrow(/evil\.example/);
    expect(seen).toHaveLength(1); // only the first hop, on the allowed host
    await expect(source().open(file(`${base}/redirect-loop`), 1024)).rejects.toBeInstanceOf(FileUnavailableError);
  });

  it('never sends the token over plain http to a host not marked for it', async () => {
    const strict = new SlackFileSource({ token, client: {} as never, allowedHosts: new Set([new URL(base).host]) });
    seen.length = 0;
    await expect(strict.open(file(`${base}/file.pdf`), 1024)).rejects.toThrow(/https only/);
    expect(seen).toHaveLength(0);
  });

  it('a 5xx is worth retrying: a plain error, not FileUnavailableError', async () => {
    const attempt = source().open(file(`${base}/busy`), 1024);
    await expect(attempt).rejects.toThrow(/503/);
    await expect(source().open(file(`${base}/busy`), 1024)).rejects.not.toBeInstanceOf(FileUnavailableError);
  });

  it('refuses more bytes than allowed: by the reported size, by content-length, and while streaming', async () => {
    await expect(source().open(file(`${base}/file.pdf`, 5000), 1024)).rejects.toBeInstanceOf(FileUnavailableError);
    await expect(source().open(file(`${base}/big`, 10), 1024)).rejects.toBeInstanceOf(FileUnavailableError);
    const streaming = await source().open(file(`${base}/chunked`, 10), 1024);
    await expect(read(streaming)).rejects.toBeInstanceOf(FileUnavailableError);
  });
});
