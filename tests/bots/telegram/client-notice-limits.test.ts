import { describe, expect, it } from 'vitest';
import { renderClientNotice, renderRatingReply } from '../../../bots/telegram/render/client-notice.js';
import { telegramLimits } from '../../../bots/platform-limits.js';
import { languages } from '../../../src/i18n/language.js';

describe('Telegram renderers within the Bot API limits, in every language', () => {
  it('callback data ≤ 64 bytes, force-reply placeholders ≤ 64 characters, callback answers ≤ 200', () => {
    for (const language of languages) {
      for (const notice of [
        { type: 'choose-language' },
        { type: 'rate-request', caseId: 1_234_567_890 },
        { type: 'rating-comment-invite', caseId: 1_234_567_890 },
      ] as const) {
        const markup = renderClientNotice(notice as never, language).replyMarkup;
        if (markup !== undefined && 'inline_keyboard' in markup) {
          for (const button of markup.inline_keyboard.flat()) expect(Buffer.byteLength(button.callback_data, 'utf8')).toBeLessThanOrEqual(telegramLimits.callbackDataBytes);
        } else if (markup !== undefined) {
          expect((markup.input_field_placeholder ?? 'x').length).toBeLessThanOrEqual(telegramLimits.inputPlaceholder);
        }
      }
      for (const reply of ['thanks', 'already-rated', 'not-yours', 'no-such-case', 'case-open', 'malformed'] as const) {
        expect(renderRatingReply(reply, language).length).toBeLessThanOrEqual(telegramLimits.callbackAnswerText);
      }
    }
  });
});
