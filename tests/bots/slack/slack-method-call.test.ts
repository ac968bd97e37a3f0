import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeepAliveFetch } from '../../../bots/keep-alive-fetch.js';
import { createSlackMethodCall, type SlackMethodCall } from '../../../bots/slack/slack-method-call.js';
import { toDeliveryError } from '../../../bots/slack/slack-errors.js';

/**
 * The delivery's chat.postMessage path against WebClient itself, made as Repka makes it
 * (bots/wiring/slack.ts): the same server answers both the same way, and each must send the same
 * request and give back the same result or the same error.
 */
let server: Server;
let apiUrl: string;
const requests: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];

/** What the server answers, by the `text` argument of the call. */
const answers: Record<string, (res: ServerResponse) => void> = {
  ok: (res) => void res.writeHead(200, { 'content-type': 'application/json', 'x-oauth-scopes': 'chat:write, channels:history', 'x-accepted-oauth-scopes': 'chat:write' }).end(JSON.stringify({ ok: true, channel: 'C1', ts: '1700000000.000100', message: { text: 'hi' } })),
  refused: (res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'msg_blocks_too_long', response_metadata: { messages: ['[ERROR] too long [json-pointer:/blocks/0/text]'] } })),
  warned: (res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, ts: '1.2', warning: 'missing_charset', response_metadata: { warnings: ['missing_charset'] } })),
  limited: (res) => void res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' }).end(JSON.stringify({ ok: false, error: 'ratelimited' })),
  'limited without a delay': (res) => void res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'ratelimited' })),
  'server error': (res) => void res.writeHead(500, { 'content-type': 'text/html', 'x-slack-req-id': 'abc' }).end('<html>oops</html>'),
  'bad gateway with json': (res) => void res.writeHead(502, { 'content-type': 'application/json' }).end('{"ok":false,"error":"upstream"}'),
  'not json': (res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('hello'),
  'ok with a retry-after': (res) => void res.writeHead(200, { 'content-type': 'application/json', 'retry-after': '2' }).end('{"ok":true,"ts":"1.3"}'),
  redirected: (res) => void res.writeHead(302, { location: 'https://slack.com/api/elsewhere' }).end(),
  'no answer': () => undefined,
  'connection cut': (res) => res.socket?.destroy(),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({ url: req.url ?? '', headers: req.headers, body });
      const form = new URLSearchParams(body);
      if (req.url?.endsWith('/reactions.add') && form.get('name') === 'white_check_mark') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":false,"error":"already_reacted"}');
      const text = form.get('text') ?? 'ok';
      (answers[text] ?? answers.ok)?.(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const silent: webApi.Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => webApi.LogLevel.ERROR, setName: () => {} };

function clients(url = apiUrl, timeoutMs = 15_000): { client: webApi.WebClient; call: SlackMethodCall } {
  const client = new webApi.WebClient('xoxb-test', { slackApiUrl: url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: timeoutMs, logger: silent, fetch: createKeepAliveFetch() });
  const userAgent = (client as unknown as { defaultHeaders: Record<string, string> }).defaultHeaders['User-Agent'] as string;
  return { client, call: createSlackMethodCall({ apiUrl: client.slackApiUrl, token: 'xoxb-test', timeoutMs, userAgent }) };
}

/** The outcome of a call as a caller can see it: the result, or the error's class, code, message and fields. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { result: await call() };
  } catch (error) {
    const e = error as Error & Record<string, unknown>;
    return {
      error: e.constructor.name,
      name: e.name,
      message: e.message,
      code: e.code,
      data: e.data,
      retryAfter: e.retryAfter,
      statusCode: e.statusCode,
      statusMessage: e.statusMessage,
      headers: e.headers === undefined ? undefined : Object.fromEntries(Object.entries(e.headers as Record<string, string>).filter(([name]) => name !== 'date')),
      body: e.body,
      original: e.original === undefined ? undefined : { name: (e.original as Error).name, message: (e.original as Error).message },
      // How delivery takes it: retried later, given up, or retried at once.
      delivery: (() => {
        const converted = toDeliveryError(error, 'chat.postMessage', 'C1') as Error & { afterMs?: number };
        return { as: converted.constructor.name, afterMs: converted.afterMs };
      })(),
    };
  }
}

const args = (text: string) => ({
  channel: 'C1',
  thread_ts: '1700000000.000001',
  text,
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${text}* & <b> Привіт, це Ольга 😀 100% ~!*'()#?=+/ \u00a0\u2028` } }],
  unfurl_links: false,
  unfurl_media: false,
  metadata: { event_type: 'repka_post', event_payload: { outbox_ids: '1,2', part: 0, parts: 1 } },
  icon_emoji: undefined,
  username: null,
  link_names: true,
  reply_broadcast: false,
  parse: 'none 1+1=2 & більше',
});

describe('chat.postMessage without WebClient', () => {
  it('sends the very request WebClient sends: path, form body, content type, token, user agent', async () => {
    const { client, call } = clients();
    requests.length = 0;
    await client.chat.postMessage(args('ok') as never);
    await call('chat.postMessage', args('ok'));
    const [viaClient, direct] = requests;
    expect(direct?.url).toBe('/api/chat.postMessage');
    expect(direct?.url).toBe(viaClient?.url);
    expect(direct?.body).toBe(viaClient?.body);
    expect(new URLSearchParams(direct?.body).get('blocks')).toBe(JSON.stringify(args('ok').blocks));
    expect(new URLSearchParams(direct?.body).has('username')).toBe(false);
    for (const name of ['content-type', 'authorization', 'user-agent', 'accept', 'content-length']) expect(direct?.headers[name], name).toBe(viaClient?.headers[name]);
    expect(direct?.headers['user-agent']).toMatch(/ @slack:web-api\/\d/);
  });

  it.each(Object.keys(answers).filter((text) => text !== 'no answer'))('answers "%s" as WebClient answers it', async (text) => {
    const { client, call } = clients();
    const viaClient = await outcome(() => client.chat.postMessage(args(text) as never));
    const direct = await outcome(() => call('chat.postMessage', args(text)));
    expect(direct).toEqual(viaClient);
  });

  it('calls the other methods delivery makes the same way: chat.update, chat.getPermalink, chat.postEphemeral, reactions.add', async () => {
    const { client, call } = clients();
    const cases: [string, Record<string, unknown>, () => Promise<unknown>][] = [
      ['chat.update', { channel: 'C1', ts: '1.2', text: 'refused', blocks: [{ type: 'divider' }] }, () => client.chat.update({ channel: 'C1', ts: '1.2', text: 'refused', blocks: [{ type: 'divider' }] })],
      ['chat.getPermalink', { channel: 'C1', message_ts: '1.2' }, () => client.chat.getPermalink({ channel: 'C1', message_ts: '1.2' })],
      ['chat.postEphemeral', { channel: 'C1', user: 'U1', thread_ts: undefined, text: 'limited' }, () => client.chat.postEphemeral({ channel: 'C1', user: 'U1', thread_ts: undefined, text: 'limited' } as never)],
      ['reactions.add', { channel: 'C1', timestamp: '1.2', name: 'white_check_mark' }, () => client.reactions.add({ channel: 'C1', timestamp: '1.2', name: 'white_check_mark' })],
    ];
    for (const [method, args, viaClient] of cases) {
      requests.length = 0;
      const expected = await outcome(viaClient);
      const got = await outcome(() => call(method, args));
      expect(got, method).toEqual(expected);
      expect(requests[1]?.url, method).toBe(`/api/${method}`);
      expect(requests[1]?.body, method).toBe(requests[0]?.body);
    }
  });

  it('reads the result the same: scopes and the retry delay in response_metadata', async () => {
    const { call } = clients();
    expect(await call('chat.postMessage', args('ok'))).toMatchObject({ ok: true, ts: '1700000000.000100', response_metadata: { scopes: ['chat:write', 'channels:history'], acceptedScopes: ['chat:write'] } });
    expect(await call('chat.postMessage', args('ok with a retry-after'))).toMatchObject({ response_metadata: { retryAfter: 2 } });
  });

  it('gives up on a call with no answer after the timeout, as WebClient does', async () => {
    const { client, call } = clients(apiUrl, 300);
    const viaClient = await outcome(() => client.chat.postMessage(args('no answer') as never));
    const direct = await outcome(() => call('chat.postMessage', args('no answer')));
    expect(direct).toEqual(viaClient);
    expect(direct).toMatchObject({ error: 'WebAPIRequestError', original: { name: 'TimeoutError' } });
  });

  it('fails as WebClient fails when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/api/`;
    await new Promise((resolve) => closed.close(resolve));
    const { client, call } = clients(url);
    const viaClient = await outcome(() => client.chat.postMessage(args('ok') as never));
    const direct = await outcome(() => call('chat.postMessage', args('ok')));
    expect(direct).toEqual(viaClient);
    expect(direct).toMatchObject({ error: 'WebAPIRequestError', code: webApi.ErrorCode.RequestError });
  });
});
