import type { ClientContent } from './outgoing.js';
import type { Client } from './ports.js';

/** How agents see a client: "First Last (@username)". */
export function clientName(client: Pick<Client, 'firstName' | 'lastName' | 'username'>): string {
  const full = [client.firstName, client.lastName].filter(Boolean).join(' ');
  return client.username ? `${full} (@${client.username})` : full;
}

/** A one-line text for the history: the text, the caption, or what was sent. */
export function contentText(content: ClientContent): string | null {
  switch (content.type) {
    case 'text':
      return content.text;
    case 'sticker':
      return content.emoji ?? null;
    case 'location':
      return `${content.latitude}, ${content.longitude}`;
    case 'contact':
      return [content.firstName, content.lastName, content.phoneNumber].filter(Boolean).join(' ');
    case 'other':
      return null;
    default:
      return content.caption ?? null;
  }
}
