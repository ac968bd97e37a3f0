import type { Readable } from 'node:stream';

/**
 * A file someone shared on the staff's side, as the domain keeps it: enough to
 * say what it is and for the adapter to read it again.
 */
export interface SharedFile {
  /** The platform's file id. */
  readonly id: string;
  readonly name: string;
  /** e.g. `application/pdf`, `image/png`. */
  readonly mimeType: string;
  /** Bytes, as the platform reports them. */
  readonly size: number;
  /** Where the adapter downloads it (a private download URL); absent: it asks the platform. */
  readonly url?: string;
}

/** Files as the history keeps them: what they are, without where to fetch them. */
export function describeFiles(files: readonly SharedFile[]): Omit<SharedFile, 'url'>[] {
  return files.map(({ id, name, mimeType, size }) => ({ id, name, mimeType, size }));
}

/** What a client's chat accepts from a bot, bytes. */
export interface ClientFileLimits {
  /** Images up to this go as photos; bigger ones as documents. */
  readonly photoBytes: number;
  /** Nothing bigger reaches the client. */
  readonly fileBytes: number;
  /** A file's caption at most, characters: a longer reply text goes as a message of its own before the files. */
  readonly captionChars: number;
}

/** Reads a shared file's bytes. The staff platform's adapter implements it. */
export interface FileSource {
  /**
   * A stream of the file's bytes; it errors if more than `maxBytes` arrive. Throws
   * `FileUnavailableError` when the platform will not hand the file over (gone, no access).
   */
  open(file: SharedFile, maxBytes: number, signal?: AbortSignal): Promise<Readable>;
}

/** Every byte of a stream `FileSource.open` gave; rejects with the stream's error (too many bytes, a dropped download). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The platform will not hand the file over: deleted, not shared with the bot, or not a file. */
export class FileUnavailableError extends Error {
  override readonly name = 'FileUnavailableError';
}

/** Image types a chat shows inline as a photo. */
const photoTypes = new Set(['image/jpeg', 'image/png', 'image/webp']);

/** How a file goes to a client: as a photo, as a document, or not at all (too big). */
export function clientFileKind(file: Pick<SharedFile, 'mimeType' | 'size'>, limits: ClientFileLimits): 'photo' | 'document' | 'too-big' {
  if (file.size > limits.fileBytes) return 'too-big';
  return photoTypes.has(file.mimeType.toLowerCase()) && file.size <= limits.photoBytes ? 'photo' : 'document';
}

/** "2.4 MB", "512 KB", "900 bytes": a size as people read it (1 MB = 1,048,576 bytes, as chat platforms count). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
