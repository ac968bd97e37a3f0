import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * The `fetch` given to the Slack Web API client. Every Slack call Repka makes is a small
 * form-encoded POST answered with a small JSON body; over the built-in fetch (undici, WHATWG
 * streams) such a call cost more CPU than everything else a relayed message needs, on a busy Repka.
 * This one sends those over node:http(s) with kept-alive connections and hands back a standard
 * `Response`; anything else (multipart uploads, streams, other redirect modes) goes to the
 * built-in fetch unchanged.
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
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
          else if (value !== undefined) responseHeaders.set(name, value);
        }
        const noBody = status === 204 || status === 205 || status === 304;
        try {
          resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
        } catch (error) {
          // e.g. a status fetch cannot represent
          reject(new TypeError(`fetch failed: ${(error as Error).message}`));
        }
      });
    });
    req.end(body);
  });
}
