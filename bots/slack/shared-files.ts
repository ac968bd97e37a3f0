import type { SharedFile } from '../../src/files.js';

/**
 * The files of a Slack message (or of a form's file input) as the domain keeps them. Hosted files (uploads, snippets, posts)
 * only: a deleted file (`mode: "tombstone"`) or a link to an external service has no bytes Repka can
 * read. A Slack Connect file comes without its details (`file_access: "check_file_info"`): it is
 * looked up (files.info) when it is sent. https://docs.slack.dev/reference/objects/file-object
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
