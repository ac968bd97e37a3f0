import type { Telegram } from 'telegraf';
import type { ClientFile } from '../../src/outgoing.js';
import { PermanentDeliveryError } from '../../src/delivery/deliverer.js';
import { toDeliveryError } from './telegram-deliverer.js';

/** The largest file a bot may download from the Bot API, bytes (core.telegram.org/bots/api#getfile: "up to 20 MB"). */
export const telegramDownloadLimitBytes = 20 * 1024 * 1024;

/** Same-host redirects followed at most (the Bot API answers file downloads directly; this is slack). */
const maxRedirects = 3;

/**
 * A `file_path` as the Bot API documents it ("Use https://api.telegram.org/file/bot<token>/<file_path>"):
 * relative, such as `documents/file_12.pdf`. Anything that could leave the bot's file folder
 * (`..`, an absolute path, a scheme, a backslash, an encoded character) is refused.
 */
const safeFilePath = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_][A-Za-z0-9_.\-/]*$/;

/**
 * Returns a function that fetches a client's file from Telegram: `getFile`, then the bytes over
 * HTTP(S) within `timeoutMs` (default 60 s), streamed and cut off past 20 MB whatever size the
 * update or `getFile` declared. Throws {@link PermanentDeliveryError} when no retry can help: the
 * file is over 20 MB, Telegram refuses the file id (400/403), the download answers 4xx, the
 * `file_path` is not a plain relative path (a self-hosted server in `--local` mode gives an
 * absolute one, which Telegraf would turn into a `file:` URL), or the download redirects off the
 * Bot API host. Other failures (5xx, network, 429) are thrown as they are, to be retried.
 */
export function createClientFileDownload(telegram: Telegram, timeoutMs = 60_000): (file: ClientFile) => Promise<Buffer> {
  return async (file) => {
    if ((file.sizeBytes ?? 0) > telegramDownloadLimitBytes) throw tooBig();
    let link: URL;
    try {
      const found = await telegram.getFile(file.fileId);
      const path = found.file_path ?? '';
      if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) {
        throw new PermanentDeliveryError(
          'the Telegram Bot API server gave a local file path instead of a download link (a self-hosted server in --local mode); Repka downloads files over HTTP only',
        );
      }
      if (!safeFilePath.test(path)) throw new PermanentDeliveryError('the Telegram Bot API server gave a file path that is not a plain relative path; the file was not fetched');
      if ((found.file_size ?? 0) > telegramDownloadLimitBytes) throw tooBig();
      link = await telegram.getFileLink(found);
    } catch (error) {
      throw error instanceof PermanentDeliveryError ? error : toDeliveryError(error);
    }
    return fetchCapped(link, AbortSignal.timeout(timeoutMs));
  };
}

const tooBig = () => new PermanentDeliveryError('the file is larger than 20 MB, the most a Telegram bot may download');

/** GETs `link`, following redirects only on its own origin, and reads at most 20 MB of the body. */
async function fetchCapped(link: URL, signal: AbortSignal): Promise<Buffer> {
  let url = link;
  for (let redirects = 0; ; redirects++) {
    const response = await fetch(url, { signal, redirect: 'manual' });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const next = new URL(response.headers.get('location') ?? '', url);
      if (next.origin !== link.origin || redirects >= maxRedirects) throw new PermanentDeliveryError(`the file download redirected to ${next.origin === link.origin ? 'itself too often' : 'another host'}; not followed`);
      url = next;
      continue;
    }
    if (response.status >= 400 && response.status < 500 && response.status !== 429) throw new PermanentDeliveryError(`Telegram answered ${response.status} to the file download`);
    if (!response.ok || response.body === null) throw new Error(`file download answered ${response.status}`);
    if (Number(response.headers.get('content-length') ?? 0) > telegramDownloadLimitBytes) {
      await response.body.cancel();
      throw tooBig();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > telegramDownloadLimitBytes) {
        await response.body.cancel().catch(() => undefined);
        throw tooBig();
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, size);
  }
}
