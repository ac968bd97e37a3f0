import { pipeline, Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { webApi } from '@slack/bolt';
import { FileUnavailableError, formatBytes, type FileSource, type SharedFile } from '../../src/files.js';

export interface SlackFileSourceDeps {
  /** The bot token: Slack serves `url_private_download` to `Authorization: Bearer <token>` with `files:read`. */
  readonly token: string;
  /** For `files.info` when a file arrived without its URL (Slack Connect sends `file_access: "check_file_info"`). */
  readonly client: webApi.WebClient;
  /**
   * Hosts the token may be sent to: Slack's file host, and the Web API's own host (a test's fake).
   * A file URL anywhere else is refused: the bot token never leaves Slack.
   */
  readonly allowedHosts: ReadonlySet<string>;
  /** Hosts among them reached over plain http (a test's fake Web API); default none. */
  readonly plainHttpHosts?: ReadonlySet<string>;
  /** Per download, ms. Default 300 s (50 MB at a slow 2 Mbit/s needs ~200 s). */
  readonly timeoutMs?: number;
}

/** Slack's host for private file downloads (https://docs.slack.dev/messaging/working-with-files). */
export const slackFileHost = 'files.slack.com';
/** Where Slack may send a download on to (reported for Enterprise Grid workspaces). */
export const slackFileOriginHost = 'files-origin.slack.com';

/** Redirects followed at most, each to an allowed host. */
const maxRedirects = 3;

/**
 * Reads files agents and departments share in Slack, streamed, with the bot token. Redirects
 * only among Slack's file hosts (at most 3), at most `maxBytes`, and a clear `FileUnavailableError` for what will never work:
 * a deleted file, one the bot may not read, or Slack answering with its sign-in page (the
 * documented symptom of a token without `files:read`).
 */
export class SlackFileSource implements FileSource {
  constructor(private readonly deps: SlackFileSourceDeps) {}

  async open(file: SharedFile, maxBytes: number, signal?: AbortSignal): Promise<Readable> {
    if (file.size > maxBytes) throw new FileUnavailableError(`${file.name} is larger than the ${formatBytes(maxBytes)} allowed`);
    let url = new URL(file.url ?? (await this.urlOf(file)));
    const timeout = AbortSignal.timeout(this.deps.timeoutMs ?? 300_000);
    let response: Response;
    for (let hops = 0; ; hops += 1) {
      this.checkHost(url, file);
      response = await fetch(url, {
        headers: { authorization: `Bearer ${this.deps.token}` },
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      if (response.status < 300 || response.status >= 400) break;
      await response.body?.cancel();
      // Slack may send a download on to another of its file hosts (files-origin.slack.com); each hop
      // is checked as the first was. Anywhere else (its sign-in page) means the token may not read it.
      const next = new URL(response.headers.get('location') ?? '', url);
      if (hops >= maxRedirects || !this.deps.allowedHosts.has(next.host) || /signin|login/i.test(next.pathname)) {
        throw new FileUnavailableError(`Slack redirected the download of ${file.name} to ${next.host}${next.pathname.slice(0, 40)}: the app needs the files:read scope, or the file is not shared with Repka`);
      }
      url = next;
    }
    if (response.status === 404 || response.status === 410 || response.status === 403) {
      await response.body?.cancel();
      throw new FileUnavailableError(`Slack answered ${response.status} for ${file.name}: deleted, or not shared where Repka can read it`);
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      throw new Error(`Slack answered ${response.status} to the download of ${file.name}`);
    }
    if (/text\/html/i.test(response.headers.get('content-type') ?? '') && !/html/i.test(file.mimeType)) {
      await response.body.cancel();
      throw new FileUnavailableError(`Slack answered with a web page instead of ${file.name}: the app needs the files:read scope`);
    }
    if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
      await response.body.cancel();
      throw new FileUnavailableError(`${file.name} is larger than the ${formatBytes(maxBytes)} allowed`);
    }
    const capped = capAt(maxBytes, file.name);
    // pipeline, not pipe: an error on either side (too many bytes, a dropped download) ends both.
    pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>), capped, () => undefined);
    return capped;
  }

  /** The bot token goes only to Slack's file hosts (or the Web API's own host, a test's fake), over https unless that host. */
  private checkHost(url: URL, file: SharedFile): void {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new FileUnavailableError(`${file.name} has no downloadable URL`);
    if (!this.deps.allowedHosts.has(url.host)) throw new FileUnavailableError(`${file.name} is not on Slack's file host (${url.host}); the bot token is not sent there`);
    if (url.protocol === 'http:' && (this.deps.plainHttpHosts === undefined || !this.deps.plainHttpHosts.has(url.host))) throw new FileUnavailableError(`${file.name} is offered over plain http; the bot token is sent over https only`);
  }

  private async urlOf(file: SharedFile): Promise<string> {
    try {
      const info = await this.deps.client.files.info({ file: file.id });
      const url = info.file?.url_private_download ?? info.file?.url_private;
      if (url === undefined) throw new FileUnavailableError(`Slack gives no download URL for ${file.name}`);
      return url;
    } catch (error) {
      if (error instanceof FileUnavailableError) throw error;
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code === 'file_not_found' || code === 'file_deleted') throw new FileUnavailableError(`Slack: ${code} for ${file.name}`);
      throw error;
    }
  }
}

/** Passes bytes through, and errors once more than `maxBytes` went by. */
function capAt(maxBytes: number, name: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) return done(new FileUnavailableError(`${name} is larger than the ${formatBytes(maxBytes)} allowed`));
      done(null, chunk);
    },
  });
}
