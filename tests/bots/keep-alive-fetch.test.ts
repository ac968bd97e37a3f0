import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeepAliveFetch } from '../../bots/keep-alive-fetch.js';

let server: Server;
let base: string;
const seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string; socket: unknown }[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString(), socket: req.socket });
      if (req.url === '/moved') return void res.writeHead(302, { location: '/elsewhere' }).end();
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
      if (req.url === '/limited') return void res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' }).end('{"ok":false}');
      res.writeHead(200, { 'content-type': 'application/json', 'x-oauth-scopes': 'chat:write' });
      res.end(JSON.stringify({ ok: true, echo: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('keep-alive fetch for the Slack client', () => {
  const post = (path: string, body: string, extra: RequestInit = {}) =>
    createKeepAliveFetch()(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body, redirect: 'error', ...extra });

  it('sends a form POST and answers as fetch would: status, ok, url, headers and the body once', async () => {
    const response = await post('/api/chat.postMessage', 'channel=C1&text=%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82');
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${base}/api/chat.postMessage`);
    expect(response.headers.get('x-oauth-scopes')).toBe('chat:write');
    expect(response.headers.get('X-OAuth-Scopes')).toBe('chat:write');
    expect(response.headers.get('x-absent')).toBeNull();
    // What WebClient does with the headers of a failed call (WebAPIHTTPError).
    expect(Object.fromEntries(response.headers.entries())).toMatchObject({ 'content-type': 'application/json', 'x-oauth-scopes': 'chat:write' });
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual({ ok: true, echo: 'channel=C1&text=%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82' });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
    const request = seen.at(-1);
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers['content-length']).toBe(String(Buffer.byteLength(request?.body ?? '')));
  });

  it('keeps the connection open between calls', async () => {
    const fetch = createKeepAliveFetch();
    const call = () => fetch(`${base}/api/a`, { method: 'POST', body: 'x=1', redirect: 'error' }).then((r) => r.text());
    await call();
    await call();
    expect(seen.at(-1)?.socket).toBe(seen.at(-2)?.socket);
  });

  it('passes a 429 and its Retry-After through, as fetch does', async () => {
    const response = await post('/limited', 'x=1');
    expect(response.status).toBe(429);
    expect(response.ok).toBe(false);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(new TextDecoder().decode(await response.arrayBuffer())).toBe('{"ok":false}');
  });

  it("rejects a redirect when told redirect: 'error'", async () => {
    await expect(post('/moved', 'x=1')).rejects.toThrow(/redirected/);
  });

  it("rejects with the signal's reason when the call times out", async () => {
    await expect(post('/slow', 'x=1', { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('rejects when nothing listens', async () => {
    await expect(createKeepAliveFetch()('http://127.0.0.1:1/api/x', { method: 'POST', body: 'x=1', redirect: 'error' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('leaves multipart uploads to the built-in fetch', async () => {
    const used: string[] = [];
    const fallback: typeof fetch = (input, init) => {
      used.push('fallback');
      return globalThis.fetch(input, init);
    };
    const form = new FormData();
    form.append('file', new Blob(['hello']), 'a.txt');
    const response = await createKeepAliveFetch(fallback)(`${base}/upload`, { method: 'POST', body: form, redirect: 'error' });
    expect(response.status).toBe(200);
    expect(used).toEqual(['fallback']);
    expect(seen.at(-1)?.headers['content-type']).toMatch(/^multipart\/form-data/);
  });
});
