import type { Message } from 'telegraf/types';
import type { ClientContent } from '../../../src/outgoing.js';

/** Reads what a client sent into Repka's shape; every message kind maps to something, never dropped. Pure. */
export function clientContentOf(message: Message): ClientContent {
  const m = message as Message & Record<string, any>;
  const caption: string | undefined = m.caption;
  // Parts of an album come as separate messages sharing media_group_id (Bot API, Message).
  const album = typeof m.media_group_id === 'string' ? { mediaGroupId: m.media_group_id } : {};
  if (typeof m.text === 'string') return { type: 'text', text: m.text };
  if (Array.isArray(m.photo) && m.photo.length > 0) {
    const largest = m.photo[m.photo.length - 1];
    return { type: 'photo', file: { fileId: largest.file_id, fileName: `photo-${m.message_id}.jpg`, mimeType: 'image/jpeg', sizeBytes: largest.file_size }, caption, ...album };
  }
  const fileKinds = ['document', 'video', 'audio', 'voice', 'animation', 'video_note'] as const;
  for (const kind of fileKinds) {
    const f = m[kind];
    if (f === undefined) continue;
    const extension = { document: 'bin', video: 'mp4', audio: 'mp3', voice: 'ogg', animation: 'mp4', video_note: 'mp4' }[kind];
    return {
      type: kind,
      file: { fileId: f.file_id, fileName: f.file_name ?? `${kind}-${m.message_id}.${extension}`, mimeType: f.mime_type, sizeBytes: f.file_size },
      caption,
      durationSec: f.duration,
      ...album,
    };
  }
  if (m.sticker) return { type: 'sticker', emoji: m.sticker.emoji, setName: m.sticker.set_name };
  if (m.location) return { type: 'location', latitude: m.location.latitude, longitude: m.location.longitude };
  if (m.contact) return { type: 'contact', phoneNumber: m.contact.phone_number, firstName: m.contact.first_name, lastName: m.contact.last_name };
  const known = ['poll', 'dice', 'venue', 'game', 'story', 'invoice'].find((k) => m[k] !== undefined);
  return { type: 'other', what: known ?? 'message of an unknown kind' };
}
