import { truncatePlain } from '../../text/truncate-plain.js';
import type { ClientNotice } from '../../../src/outgoing.js';
import type { Language } from '../../../src/ports.js';
import { messagesFor } from '../../../src/i18n/messages.js';
import { clientNoticeText } from '../../../src/i18n/client-notice-text.js';
import { languages } from '../../../src/i18n/language.js';
import { ratingCallbackData, ratingScores } from '../../../src/cases/rating.js';
import type { RatingReply } from '../../../src/cases/rating.js';
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

/**
 * A client notice as a Telegram message in the client's language; times in `timeZone`. Plain text
 * (no parse mode): the words are `clientNoticeText`'s, this adds the buttons and the reply field. Pure.
 */
export function renderClientNotice(notice: ClientNotice, language: Language, timeZone = 'UTC'): TelegramText {
  const text = clientNoticeText(notice, language, timeZone);
  switch (notice.type) {
    case 'choose-language':
      return {
        text,
        replyMarkup: { inline_keyboard: [languages.map((l) => ({ text: messagesFor(l).languageName, callback_data: `${languageCallbackPrefix}${l}` }))] },
      };
    case 'rate-request':
      return {
        text,
        replyMarkup: { inline_keyboard: [ratingScores.map((score) => ({ text: `${score} ⭐`, callback_data: ratingCallbackData(notice.caseId, score) }))] },
      };
    case 'rating-comment-invite':
      return { text, replyMarkup: { force_reply: true, input_field_placeholder: placeholder(messagesFor(language).ratingCommentPlaceholder) } };
    default:
      return { text };
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
