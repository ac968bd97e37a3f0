import type { ClientContent } from '../../../src/outgoing.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** A client's message as posted into the case thread (files get this as their comment). Pure. */
export function renderClientContent(name: string, content: ClientContent): string {
  const who = `*${escapeMrkdwn(name)}*`;
  switch (content.type) {
    case 'text':
      return `${who}: ${escapeMrkdwn(content.text)}`;
    case 'sticker':
      return `${who} sent a sticker${content.emoji ? ` ${content.emoji}` : ''}${content.setName ? ` (set ${escapeMrkdwn(content.setName)})` : ''}`;
    case 'location':
      return `${who} sent a location: <https://www.openstreetmap.org/?mlat=${content.latitude}&mlon=${content.longitude}|${content.latitude}, ${content.longitude}>`;
    case 'contact':
      return `${who} shared a contact: ${escapeMrkdwn([content.firstName, content.lastName].filter(Boolean).join(' '))}, ${escapeMrkdwn(content.phoneNumber)}`;
    case 'other':
      return `${who} sent a ${content.what}, which Slack cannot show; ask the client to describe it.`;
    default: {
      const caption = content.caption ? `: ${escapeMrkdwn(content.caption)}` : '';
      return `${who} sent ${fileKindNames[content.type]}${content.durationSec !== undefined ? ` (${clockDuration(content.durationSec)})` : ''}${caption}`;
    }
  }
}

/** How a person names each kind of file a client sends. */
const fileKindNames: Record<Extract<ClientContent, { file: unknown }>['type'], string> = {
  photo: 'a photo',
  document: 'a file',
  video: 'a video',
  audio: 'an audio file',
  voice: 'a voice message',
  animation: 'a GIF',
  video_note: 'a video message',
};

/** 12 s → "0:12", 75 s → "1:15", 3,725 s → "1:02:05": as players show a length. */
export function clockDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, rest] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(rest)}` : `${m}:${pad(rest)}`;
}

/** A Telegram album (several files sent together) as one post's comment: who, how many, the captions. Pure. */
export function renderClientAlbum(name: string, contents: readonly Extract<ClientContent, { file: unknown }>[]): string {
  const photos = contents.every((c) => c.type === 'photo');
  const captions = contents.map((c) => c.caption).filter((c): c is string => c !== undefined && c !== '');
  return `*${escapeMrkdwn(name)}* sent an album of ${contents.length} ${photos ? 'photos' : 'files'}${captions.length > 0 ? `: ${captions.map(escapeMrkdwn).join(' / ')}` : ''}`;
}
