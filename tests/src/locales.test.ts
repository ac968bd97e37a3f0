import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/locales/en.js';
import { ru } from '../../src/i18n/locales/ru.js';
import { uk } from '../../src/i18n/locales/uk.js';
import { languages } from '../../src/i18n/language.js';
import type { ClientMessages } from '../../src/i18n/messages.js';

const locales: Record<string, ClientMessages> = { en, ru, uk };

/**
 * Arguments to call each text function with. Every value is a marker that must show up in the
 * text of every language exactly when it shows up in English (the same placeholders). A new
 * function key needs its arguments here: the test fails until it has them.
 */
const sampleArgs: Record<string, unknown[][]> = {
  caseOpened: [[4101]],
  caseOpenedEmpty: [[4102]],
  agentReply: [[4103, 'AGENT_NAME', 'REPLY_TEXT']],
  caseClosed: [[4104]],
  caseReopened: [[4105]],
  checkingWithDepartment: [[4106, 'DEPT_NAME', 'EXPECT_BY']],
  greeting: [[[]], [[4107, 4108]]],
  tooManyOpenCases: [[3]],
  statusLine: [
    [4109, 'OPENED_ON', 'waiting-for-us'],
    [4109, 'OPENED_ON', 'waiting-for-you'],
    [4109, 'OPENED_ON', 'closed'],
  ],
  notSupported: [['WHAT_KIND']],
  rateRequest: [[4110]],
  ratingRecorded: [[4111, 'STARS_SHOWN']],
  ratingCommentInvite: [[4112]],
  ratingCommentThanks: [[4113]],
  ratingCommentTaken: [[4113]],
};

const markers = [...new Set(Object.values(sampleArgs).flatMap((calls) => calls.flat(2).filter((v) => typeof v === 'number' || /^[A-Z_]+$/.test(String(v)))))].map(String);

/** Every text a key produces in a locale, with the markers each contains. */
function render(messages: ClientMessages, key: string): { text: string; placeholders: string[] }[] {
  const value = (messages as unknown as Record<string, unknown>)[key];
  const texts = typeof value === 'function' ? (sampleArgs[key] ?? []).map((args) => String((value as (...a: unknown[]) => unknown)(...args))) : [value as string];
  return texts.map((text) => ({ text, placeholders: markers.filter((m) => text.includes(m)) }));
}

const allKeys = [...new Set(Object.values(locales).flatMap((m) => Object.keys(m)))].sort();

describe('locale files', () => {
  it('cover every supported language', () => {
    expect(Object.keys(locales).sort()).toEqual([...languages].sort());
  });

  it('define a sample for every text function', () => {
    const functions = allKeys.filter((key) => typeof (en as unknown as Record<string, unknown>)[key] === 'function');
    expect(functions.filter((key) => sampleArgs[key] === undefined)).toEqual([]);
  });

  for (const key of allKeys) {
    it(`"${key}" is present, non-empty and has the same placeholders in every language`, () => {
      const reference = render(en, key);
      for (const [language, messages] of Object.entries(locales)) {
        const value = (messages as unknown as Record<string, unknown>)[key];
        expect(typeof value, `${language}.${key}`).toBe(typeof (en as unknown as Record<string, unknown>)[key]);
        const rendered = render(messages, key);
        expect(rendered, `${language}.${key}`).toHaveLength(reference.length);
        for (const [index, { text, placeholders }] of rendered.entries()) {
          expect(text.trim(), `${language}.${key}`).not.toBe('');
          expect(text, `${language}.${key}`).not.toMatch(/undefined|NaN|\[object /);
          expect(placeholders, `${language}.${key} call ${index}`).toEqual(reference[index]?.placeholders);
        }
      }
    });
  }

  it('keep the rating placeholder and callback answers within Telegram limits', () => {
    for (const [language, m] of Object.entries(locales)) {
      expect(m.ratingCommentPlaceholder.length, language).toBeLessThanOrEqual(64);
      for (const text of [m.ratingThanks, m.ratingAlreadyRated, m.ratingNotYours, m.ratingNoSuchCase, m.ratingCaseOpen, m.ratingMalformed]) {
        expect(text.length, language).toBeLessThanOrEqual(200);
      }
    }
  });
});
