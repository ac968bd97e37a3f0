import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { webApi } from '@slack/bolt';
import { PlainHeaders } from '../keep-alive-fetch.js';

/** A Slack Web API method called with form-encoded arguments, answered as WebClient's `apiCall` answers. */
export type SlackMethodCall = (method: string, args: Readonly<Record<string, unknown>>) => Promise<webApi.WebAPICallResult>;

export interface SlackMethodCallOptions {
  /** Slack's Web API root, ending in a slash (WebClient's `slackApiUrl`). */
  readonly apiUrl: string;
  readonly token: string;
  /** A call with no answer within this is given up (WebClient's `timeout`), ms. */
  readonly timeoutMs: number;
  /** Sent as WebClient sends its own (`@slack:web-api/… node/…`). */
  readonly userAgent: string;
}

/**
 * The Web API calls delivery makes (chat.postMessage for every post; chat.update, chat.getPermalink,
 * chat.postEphemeral, reactions.add), made without WebClient's work around each: for every call
 * WebClient 8 builds three JSON strings of the redacted request and answer for its debug log
 * (whatever the log level), queues the call on p-queue, wraps it in p-retry and an
 * `AbortSignal.timeout`, and reads the answer through fetch's Response. That was about a twelfth of
 * a relayed message's CPU on a busy Repka, and a card update (its blocks redacted and copied) was
 * the largest single source of garbage while thousands of questions were asked (docs/BENCHMARKS.md).
 *
 * What a caller sees is what WebClient (with `retryConfig: { retries: 0 }` and
 * `rejectRateLimitedCalls: true`, as Repka makes it) gives, so the errors are classified the same
 * (bots/slack/slack-errors.ts), as tests/slack-method-call.test.ts checks call by call against
 * WebClient itself:
 * - the body is form-encoded as WebClient.serializeBody encodes it: values that are not strings,
 *   numbers or booleans as JSON, undefined and null left out;
 * - an answer with `ok: false` (or that is not JSON) rejects with WebAPIPlatformError;
 * - a 429 with a numeric Retry-After rejects with WebAPIRateLimitedError, one without with a plain Error;
 * - another status than 200 rejects with WebAPIHTTPError; a failed request, a redirect or one
 *   past the timeout with WebAPIRequestError (its `original` the network error, a TypeError or a
 *   TimeoutError).
 * Binary arguments (file uploads) are not for this path: WebClient sends those as multipart.
 */
export function createSlackMethodCall(options: SlackMethodCallOptions): SlackMethodCall {
  const https = new URL(options.apiUrl).protocol === 'https:';
  const request = https ? httpsRequest : httpRequest;
  const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const fixedHeaders = {
    'User-Agent': options.userAgent,
    Accept: 'application/json',
    'Content-Type': 'application/x-www-form-urlencoded',
    Authorization: `Bearer ${options.token}`,
  };
  return (method, args) =>
    new Promise<webApi.WebAPICallResult>((resolve, reject) => {
      const body = formBody(args);
      const url = `${options.apiUrl}${method}`;
      const req = request(url, { method: 'POST', agent, headers: { ...fixedHeaders, 'Content-Length': Buffer.byteLength(body) } });
      const timer = setTimeout(() => req.destroy(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), options.timeoutMs);
      const fail = (error: unknown): void => {
        clearTimeout(timer);
        const original = error instanceof Error ? error : new Error(String(error));
        reject(new webApi.WebAPIRequestError(original));
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        // WebClient asks fetch not to follow redirects (`redirect: 'error'`): fetch, and the
        // kept-alive fetch Repka gives it (bots/keep-alive-fetch.ts), fail the request instead.
        if (status >= 300 && status < 400 && res.headers.location !== undefined) {
          res.resume();
          return fail(new TypeError(`fetch failed: redirected to ${res.headers.location}`));
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          try {
            resolve(answer(url, status, res.statusMessage ?? '', new PlainHeaders(res.headers), Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error);
          }
        });
      });
      req.end(body);
    });
}

/**
 * WebClient.serializeBody for arguments without binary data: what `querystring.stringify` makes of
 * them, written with `encodeURIComponent`, which escapes exactly the characters querystring's
 * `escape` does (all but A–Z a–z 0–9 and - _ . ! ~ * ' ( ), Node's lib/querystring.js `noEscape`)
 * and throws the same URIError on a lone surrogate, in one native call per value where
 * querystring builds the escaped string a character at a time: for a card's blocks that was the
 * largest share of the garbage a post made.
 */
function formBody(args: Readonly<Record<string, unknown>>): string {
  let body = '';
  for (const key of Object.keys(args)) {
    const value = args[key];
    if (value === undefined || value === null) continue;
    // querystring writes a number that is not finite as nothing.
    const text = typeof value === 'string' ? value : typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : typeof value === 'boolean' ? String(value) : JSON.stringify(value);
    body += `${body === '' ? '' : '&'}${encodeURIComponent(key)}=${encodeURIComponent(text)}`;
  }
  return body;
}

/** WebClient.makeRequest's checks of the status, then buildResult and apiCall's of the body; `headers` read as fetch's are. */
function answer(url: string, status: number, statusText: string, headers: PlainHeaders, text: string): webApi.WebAPICallResult {
  const retryAfter = retryAfterOf(headers);
  if (status === 429) {
    if (retryAfter !== undefined) throw new webApi.WebAPIRateLimitedError(retryAfter);
    throw new Error(`Retry header did not contain a valid timeout (url: ${url}, retry-after header: ${headers.get('retry-after')})`);
  }
  if (status !== 200) throw new webApi.WebAPIHTTPError(status, statusText, Object.fromEntries(headers.entries()), text);
  let data: webApi.WebAPICallResult & { response_metadata?: Record<string, unknown> };
  try {
    data = JSON.parse(text) as webApi.WebAPICallResult;
  } catch {
    data = { ok: false, error: text } as webApi.WebAPICallResult;
  }
  data.response_metadata ??= {};
  const metadata = data.response_metadata as Record<string, unknown>;
  const scopes = headers.get('x-oauth-scopes');
  if (scopes !== null) metadata.scopes = scopes.trim().split(/\s*,\s*/);
  const accepted = headers.get('x-accepted-oauth-scopes');
  if (accepted !== null) metadata.acceptedScopes = accepted.trim().split(/\s*,\s*/);
  if (retryAfter !== undefined) metadata.retryAfter = retryAfter;
  if (!data.ok) throw new webApi.WebAPIPlatformError(data as webApi.WebAPICallResult & { error: string });
  return data;
}

/** WebClient's parseRetryHeaders: Retry-After as whole seconds, when it is a number. */
function retryAfterOf(headers: PlainHeaders): number | undefined {
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number.parseInt(value, 10);
  return Number.isNaN(seconds) ? undefined : seconds;
}
