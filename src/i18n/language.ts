import type { Language } from '../ports.js';

export const languages: readonly Language[] = ['ru', 'uk', 'en'];

/** Maps the language a client's app reports ("ru", "uk-UA", "en-GB", …) to a supported language; English otherwise. */
export function languageFromCode(code: string | undefined): Language {
  const base = (code ?? '').toLowerCase().split(/[-_]/)[0];
  return base === 'ru' || base === 'uk' ? base : 'en';
}
