import { describe, expect, it } from 'vitest';
import { clientFileKind, formatBytes, type ClientFileLimits } from '../../src/files.js';

const KB = 1024;
const MB = 1024 * KB;
/** The Telegram Bot API's limits. */
const limits: ClientFileLimits = { photoBytes: 10 * MB, fileBytes: 50 * MB, captionChars: 1024 };

describe('clientFileKind', () => {
  it('an image a chat shows inline goes as a photo up to the photo limit, exactly included', () => {
    expect(clientFileKind({ mimeType: 'image/png', size: 10 * MB }, limits)).toBe('photo');
    expect(clientFileKind({ mimeType: 'image/jpeg', size: 1 }, limits)).toBe('photo');
    expect(clientFileKind({ mimeType: 'image/webp', size: 5 * MB }, limits)).toBe('photo');
  });

  it('one byte over the photo limit, it goes as a document', () => {
    expect(clientFileKind({ mimeType: 'image/png', size: 10 * MB + 1 }, limits)).toBe('document');
  });

  it('the image type is read whatever its case', () => {
    expect(clientFileKind({ mimeType: 'IMAGE/JPEG', size: 1000 }, limits)).toBe('photo');
  });

  it('a GIF, or any other type, goes as a document', () => {
    expect(clientFileKind({ mimeType: 'image/gif', size: 1000 }, limits)).toBe('document');
    expect(clientFileKind({ mimeType: 'application/pdf', size: 1000 }, limits)).toBe('document');
  });

  it('up to the file limit exactly it goes; one byte more is too big, photos included', () => {
    expect(clientFileKind({ mimeType: 'application/pdf', size: 50 * MB }, limits)).toBe('document');
    expect(clientFileKind({ mimeType: 'application/pdf', size: 50 * MB + 1 }, limits)).toBe('too-big');
    expect(clientFileKind({ mimeType: 'image/png', size: 50 * MB + 1 }, { ...limits, photoBytes: 100 * MB })).toBe('too-big');
  });
});

describe('formatBytes', () => {
  it('bytes below 1 KB', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1023)).toBe('1023 bytes');
  });

  it('whole kilobytes from 1024 bytes, rounded', () => {
    expect(formatBytes(1024)).toBe('1 KB');
    expect(formatBytes(1535)).toBe('1 KB');
    expect(formatBytes(1536)).toBe('2 KB');
    expect(formatBytes(MB - 1)).toBe('1024 KB');
  });

  it('megabytes from 1,048,576 bytes, one decimal, a trailing .0 dropped', () => {
    expect(formatBytes(MB)).toBe('1 MB');
    expect(formatBytes(2.4 * MB)).toBe('2.4 MB');
    expect(formatBytes(50 * MB + 1)).toBe('50 MB');
    expect(formatBytes(10.05 * MB + 1000)).toBe('10.1 MB');
  });
});
