import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * The `fetch` given to the Slack Web API client. Every Slack call Repka makes is a small
 * form-encoded POST answered with a small JSON body; over the built-in fetch (undici, WHATWG
 * streams) such a call cost more CPU than everything else a relayed message needs, on a busy Repka.
 * This one sends those over node:http(s) with kept-alive connections and hands back a
 * {@link PlainResponse}; anything else (multipart uploads, streams, other redirect modes) goes to
 * the built-in fetch unchanged.
 *
 * Semantics kept: the request is aborted by `init.signal` (rejecting with the signal's reason, as
 * fetch does), a redirect with `redirect: 'error'` rejects, network errors reject.
 */
export function createKeepAliveFetch(fallback: typeof fetch = globalThis.fetch): typeof fetch {
  const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };
  return (input, init) => {
    const body = init?.body;
    const simpleBody = body === undefined || body === null || typeof body === 'string';
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
    const headers = init?.headers;
    const plainHeaders = headers === undefined || (typeof headers === 'object' && !(headers instanceof Headers) && !Array.isArray(headers));
    const redirect = init?.redirect ?? 'follow';
    if (url === undefined || !simpleBody || !plainHeaders || redirect === 'follow' || !/^https?:/.test(url)) return fallback(input, init);
    return send(new URL(url), init ?? {}, body ?? undefined, (headers ?? {}) as Record<string, string>, agents);
  };
}

function send(url: URL, init: RequestInit, body: string | undefined, headers: Record<string, string>, agents: { 'http:': HttpAgent; 'https:': HttpsAgent }): Promise<Response> {
  const signal = init.signal ?? undefined;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const outgoing: OutgoingHttpHeaders = { ...headers };
    if (body !== undefined) outgoing['content-length'] = Buffer.byteLength(body);
    const https = url.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)(url, { method: init.method ?? 'GET', headers: outgoing, agent: https ? agents['https:'] : agents['http:'] });
    const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    req.on('error', (error) => {
      done();
      reject(signal?.aborted ? signal.reason : error);
    });
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location !== undefined && init.redirect === 'error') {
        res.resume();
        done();
        return reject(new TypeError(`fetch failed: redirected to ${res.headers.location}`));
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => {
        done();
        reject(signal?.aborted ? signal.reason : error);
      });
      res.on('end', () => {
        done();
        const noBody = status === 204 || status === 205 || status === 304;
        resolve(new PlainResponse(url.href, status, res.statusMessage ?? '', res.headers, noBody ? null : Buffer.concat(chunks)) as unknown as Response);
      });
    });
    req.end(body);
  });
}

/**
 * The headers of a {@link PlainResponse}: Node's parsed response headers (names in lower case,
 * repeated ones joined with ", " except set-cookie, kept as a list) read as fetch's Headers reads them.
 */
export class PlainHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const key = name.toLowerCase();
    const value = Object.hasOwn(this.raw, key) ? this.raw[key] : undefined;
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }
}

/**
 * What fetch's Response offers for a body already read whole: status, ok, headers, url and the
 * body once, as text, JSON or bytes. It is what the Slack client reads (@slack/web-api 8,
 * WebClient.makeRequest and buildResult: status, statusText, headers.get and .entries, url, text,
 * arrayBuffer; Bolt's `respond` asks for redirects to be followed, so it gets the built-in fetch's
 * Response), and no more. A real Response builds a WHATWG stream and a Headers object for every
 * call: undici's Response, its streams and AbortSignal's bookkeeping were about a tenth of a
 * relayed message's CPU.
 */
export class PlainResponse {
  readonly ok: boolean;
  readonly headers: PlainHeaders;
  private used = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    headers: IncomingHttpHeaders,
    private readonly bytes: Buffer | null,
  ) {
    this.ok = status >= 200 && status <= 299;
    this.headers = new PlainHeaders(headers);
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  async text(): Promise<string> {
    return this.take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  /** The body, once: a second read throws as fetch's does. */
  private take(): Buffer {
    if (this.used) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    return this.bytes ?? Buffer.alloc(0);
  }
}
