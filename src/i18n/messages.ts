import type { Language } from '../ports.js';
import { en } from './locales/en.js';
import { ru } from './locales/ru.js';
import { uk } from './locales/uk.js';
import { dateFormat } from '../text/date-format.js';

/** Every client-facing text, one function or string per key. Each locale file implements all of it. */
export interface ClientMessages {
  readonly languageName: string;
  caseOpened(caseId: number): string;
  caseOpenedEmpty(caseId: number): string;
  agentReply(caseId: number, agentName: string, text: string): string;
  caseClosed(caseId: number): string;
  caseReopened(caseId: number): string;
  checkingWithDepartment(caseId: number, departmentName: string, expectBy: string): string;
  greeting(openCaseIds: readonly number[]): string;
  statusNone: string;
  statusHeader: string;
  /** `/new` refused at the open-case limit; the open cases follow, one `statusLine` each. */
  tooManyOpenCases(limit: number): string;
  statusLine(caseId: number, openedOn: string, state: 'waiting-for-us' | 'waiting-for-you' | 'closed'): string;
  help: string;
  privateOnly: string;
  notSupported(what: string): string;
  chooseLanguage: string;
  languageSet: string;
  /** Above the 1..5 buttons after a case is closed. */
  rateRequest(caseId: number): string;
  /** Replaces the rating request once answered; `stars` like "★★★★☆". */
  ratingRecorded(caseId: number, stars: string): string;
  /** Sent with a reply field open: a reply to it is the rating comment. */
  ratingCommentInvite(caseId: number): string;
  /** Shown in the empty reply field (at most 64 characters). */
  ratingCommentPlaceholder: string;
  ratingCommentThanks(caseId: number): string;
  /** Private answers to a rating button (at most 200 characters each). */
  ratingThanks: string;
  ratingAlreadyRated: string;
  ratingNotYours: string;
  ratingNoSuchCase: string;
  ratingCaseOpen: string;
  ratingMalformed: string;
}

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
