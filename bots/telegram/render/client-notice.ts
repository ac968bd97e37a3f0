import { truncatePlain } from '../../../src/text/truncate-plain.js';
import type { ClientNotice } from '../../../src/outgoing.js';
import type { Language } from '../../../src/ports.js';
import { formatClientDate, formatClientDateTime, messagesFor } from '../../../src/i18n/messages.js';
import { languages } from '../../../src/i18n/language.js';
import { ratingCallbackData, ratingScores, ratingStars } from '../../../src/cases/rating.js';
import type { RatingReply } from '../../../src/cases/rating-service.js';
import { telegramLimits } from '../../platform-limits.js';

export interface TelegramText {
  readonly text: string;
  readonly replyMarkup?: { inline_keyboard: { text: string; callback_data: string }[][] } | { force_reply: true; input_field_placeholder?: string };
}

/** `text` within Telegram's 1–64 characters for a force-reply placeholder, never cutting a surrogate pair. */
function placeholder(text: string): string {
  return truncatePlain(text, telegramLimits.inputPlaceholder);
}

/** Callback data of the language buttons: "lang:ru". */
export const languageCallbackPrefix = 'lang:';

/** A client notice as a Telegram message in the client's language; times in `timeZone`. Plain text (no parse mode). Pure. */
export function renderClientNotice(notice: ClientNotice, language: Language, timeZone = 'UTC'): TelegramText {
  const m = messagesFor(language);
  switch (notice.type) {
    case 'case-opened':
      return { text: notice.empty ? m.caseOpenedEmpty(notice.caseId) : m.caseOpened(notice.caseId) };
    case 'agent-reply':
      return { text: m.agentReply(notice.caseId, notice.agentName, notice.text) };
    case 'case-closed':
      return { text: m.caseClosed(notice.caseId) };
    case 'case-reopened':
      return { text: m.caseReopened(notice.caseId) };
    case 'checking-with-department':
      return { text: m.checkingWithDepartment(notice.caseId, notice.departmentName, `${formatClientDateTime(notice.expectBy, language, timeZone)} (${timeZone})`) };
    case 'greeting':
      return { text: m.greeting(notice.openCaseIds) };
    case 'too-many-open-cases':
      return { text: [m.tooManyOpenCases(notice.limit), ...notice.cases.map((c) => m.statusLine(c.id, formatClientDate(c.openedAt, language, timeZone), c.status))].join('\n') };
    case 'status':
      if (notice.cases.length === 0) return { text: m.statusNone };
      return {
        text: [m.statusHeader, ...notice.cases.map((c) => m.statusLine(c.id, formatClientDate(c.openedAt, language, timeZone), c.status))].join('\n'),
      };
    case 'help':
      return { text: m.help };
    case 'private-only':
      return { text: m.privateOnly };
    case 'not-supported':
      return { text: m.notSupported(notice.what) };
    case 'choose-language':
      return {
        text: m.chooseLanguage,
        replyMarkup: { inline_keyboard: [languages.map((l) => ({ text: messagesFor(l).languageName, callback_data: `${languageCallbackPrefix}${l}` }))] },
      };
    case 'language-set':
      return { text: m.languageSet };
    case 'rate-request':
      return {
        text: m.rateRequest(notice.caseId),
        replyMarkup: { inline_keyboard: [ratingScores.map((score) => ({ text: `${score} ⭐`, callback_data: ratingCallbackData(notice.caseId, score) }))] },
      };
    case 'rating-recorded':
      return { text: m.ratingRecorded(notice.caseId, ratingStars(notice.score)) };
    case 'rating-comment-invite':
      return { text: m.ratingCommentInvite(notice.caseId), replyMarkup: { force_reply: true, input_field_placeholder: placeholder(m.ratingCommentPlaceholder) } };
    case 'rating-comment-thanks':
      return { text: m.ratingCommentThanks(notice.caseId) };
  }
}

/** The private answer to a rating button press (answerCallbackQuery text) in `language`. Pure. */
export function renderRatingReply(reply: RatingReply, language: Language): string {
  const m = messagesFor(language);
  const texts: Record<RatingReply, string> = {
    thanks: m.ratingThanks,
    'already-rated': m.ratingAlreadyRated,
    'not-yours': m.ratingNotYours,
    'no-such-case': m.ratingNoSuchCase,
    'case-open': m.ratingCaseOpen,
    malformed: m.ratingMalformed,
  };
  return texts[reply];
}
