import type { Telegram } from 'telegraf';
import type { ClientFile } from '../../src/outgoing.js';
import { PermanentDeliveryError } from '../../src/delivery/deliverer.js';
import { toDeliveryError } from './telegram-deliverer.js';

/** The largest file a bot may download from the Bot API, bytes (core.telegram.org/bots/api#getfile: "up to 20 MB"). */
export const telegramDownloadLimitBytes = 20 * 1024 * 1024;

/**
 * Returns a function that fetches a client's file from Telegram: `getFile`, then the bytes over
 * HTTP(S) within `timeoutMs` (default 60 s). Throws {@link PermanentDeliveryError} when no retry can
 * help: the file is over 20 MB, Telegram refuses the file id (400/403), the download answers 4xx,
 * or the Bot API server gives a local path instead of a download link (a self-hosted server in
 * `--local` mode: its `file_path` is absolute, and Telegraf turns it into a `file:` URL). Other
 * failures (5xx, network, 429) are thrown as they are, to be retried.
 */
export function createClientFileDownload(telegram: Telegram, timeoutMs = 60_000): (file: ClientFile) => Promise<Buffer> {
  return async (file) => {
    if ((file.sizeBytes ?? 0) > telegramDownloadLimitBytes) throw new PermanentDeliveryError('the file is larger than 20 MB, the most a Telegram bot may download');
    let link: URL;
    try {
      link = await telegram.getFileLink(file.fileId);
    } catch (error) {
      throw toDeliveryError(error);
    }
    if (link.protocol !== 'https:' && link.protocol !== 'http:') {
      throw new PermanentDeliveryError(
        'the Telegram Bot API server gave a local file path instead of a download link (a self-hosted server in --local mode); Repka downloads files over HTTP only',
      );
    }
    const response = await fetch(link, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status >= 400 && response.status < 500 && response.status !== 429) throw new PermanentDeliveryError(`Telegram answered ${response.status} to the file download`);
    if (!response.ok) throw new Error(`file download answered ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  };
}
