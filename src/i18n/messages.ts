import type { Language } from '../ports.js';
import { en } from './locales/en.js';
import { ru } from './locales/ru.js';
import { uk } from './locales/uk.js';
import { dateFormat } from '../text/date-format.js';
import type { ClientMessages } from './client-messages.js';

export type { ClientMessages } from './client-messages.js';

const locales: Readonly<Record<Language, ClientMessages>> = { en, ru, uk };

/** The client-facing texts in `language`. */
export function messagesFor(language: Language): ClientMessages {
  return locales[language];
}

/** Formats a date and time for the client's locale, e.g. "23 нояб., 15:30". */
export function formatClientDateTime(epochMs: number, language: Language, timeZone = 'UTC'): string {
  const locale = { en: 'en-GB', ru: 'ru-RU', uk: 'uk-UA' }[language];
  return dateFormat(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(epochMs);
}

/** Formats a date for the client's locale, e.g. "22 нояб. 2026 г.". */
export function formatClientDate(epochMs: number, language: Language, timeZone = 'UTC'): string {
  const locale = { en: 'en-GB', ru: 'ru-RU', uk: 'uk-UA' }[language];
  return dateFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(epochMs);
}
