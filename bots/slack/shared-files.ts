import type { webApi } from '@slack/bolt';
import type { SharedFile } from '../../src/files.js';

/**
 * The files of a Slack message (or of a form's file input) as the domain keeps them. Hosted files (uploads, snippets, posts)
 * only: a deleted file (`mode: "tombstone"`) or a link to an external service has no bytes Repka can
 * read. A Slack Connect file comes without its details (`file_access: "check_file_info"`): see
 * {@link withFileInfo}. https://docs.slack.dev/reference/objects/file-object
 */
export function sharedFiles(files: unknown): SharedFile[] {
  if (!Array.isArray(files)) return [];
  const shared: SharedFile[] = [];
  for (const file of files as Record<string, unknown>[]) {
    if (typeof file?.id !== 'string' || file.mode === 'tombstone' || file.mode === 'external' || file.is_external === true) continue;
    const name = typeof file.name === 'string' && file.name !== '' ? file.name : typeof file.title === 'string' && file.title !== '' ? file.title : file.id;
    const url = typeof file.url_private_download === 'string' ? file.url_private_download : undefined;
    shared.push({
      id: file.id,
      name,
      mimeType: typeof file.mimetype === 'string' && file.mimetype !== '' ? file.mimetype : 'application/octet-stream',
      size: typeof file.size === 'number' ? file.size : 0,
      ...(url === undefined ? {} : { url }),
    });
  }
  return shared;
}

/**
 * The files of a message with their real details: a Slack Connect file arrives as
 * `{ id, mode: "file_access", file_access: "check_file_info" }` only, so its name, type and size
 * (which decide photo or document, and whether it is too big) are read with files.info. A file
 * files.info will not describe is kept as it came; sending it will say why it failed.
 */
export async function withFileInfo(files: unknown, client: Pick<webApi.WebClient, 'files'>): Promise<SharedFile[]> {
  const raw = Array.isArray(files) ? (files as Record<string, unknown>[]) : [];
  const described = await Promise.all(
    raw.map(async (file) => {
      if (file?.file_access !== 'check_file_info' || typeof file.id !== 'string') return file;
      try {
        const info = await client.files.info({ file: file.id });
        return (info.file as Record<string, unknown> | undefined) ?? file;
      } catch {
        return file;
      }
    }),
  );
  return sharedFiles(described);
}
