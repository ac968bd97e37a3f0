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
      const what = content.type.replace('_', ' ');
      const caption = content.caption ? `: ${escapeMrkdwn(content.caption)}` : '';
      return `${who} sent a ${what}${content.durationSec ? ` (${content.durationSec} s)` : ''}${caption}`;
    }
  }
}
