import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, safeCutIndex, splitEscaped, truncateEscaped } from '../../../../bots/slack/render/mrkdwn.js';

describe('escapeMrkdwn', () => {
  it('escapes &, < and > so nothing can mention, ping or link', () => {
    expect(escapeMrkdwn('<!here> & <https://evil.example|login> > <@U1>')).toBe('&lt;!here&gt; &amp; &lt;https://evil.example|login&gt; &gt; &lt;@U1&gt;');
  });
});

describe('safeCutIndex', () => {
  it('never inside an entity', () => {
    const text = 'ab&amp;cd';
    for (const max of [3, 4, 5, 6]) expect(safeCutIndex(text, max)).toBe(2);
    expect(safeCutIndex(text, 7)).toBe(7);
    expect(safeCutIndex('x&lt;y', 4)).toBe(1);
    expect(safeCutIndex('x&lt;y', 5)).toBe(5);
  });

  it('never inside a <…> token', () => {
    const text = 'see <https://x.example/path|the page> now';
    for (const max of [5, 10, 30, 36]) expect(safeCutIndex(text, max)).toBe(4);
    expect(safeCutIndex(text, 37)).toBe(37);
    expect(safeCutIndex('hi <@U0AGENT> there', 8)).toBe(3);
  });

  it('never between a surrogate pair', () => {
    const text = 'ok👍go';
    expect(safeCutIndex(text, 3)).toBe(2);
    expect(safeCutIndex(text, 4)).toBe(4);
  });
});

describe('truncateEscaped', () => {
  it('keeps text that fits, cuts the rest with a marker within the limit', () => {
    expect(truncateEscaped('short', 10)).toBe('short');
    const cut = truncateEscaped(escapeMrkdwn('R&D & more & more'), 12);
    expect(cut.length).toBeLessThanOrEqual(12);
    expect(cut).toBe('R&amp;D …');
  });
});

describe('splitEscaped', () => {
  it('parts within the limit, joined they are the whole text, no part ends inside an entity, token or pair', () => {
    const text = escapeMrkdwn('Fish & chips <cheap> 👍 '.repeat(300)) + ' <@U0AGENT> <https://x.example|x>'.repeat(50);
    for (const max of [24, 25, 50, 333, 3000]) {
      const parts = splitEscaped(text, max);
      expect(parts.join('')).toBe(text);
      for (const part of parts) {
        expect(part.length).toBeLessThanOrEqual(max);
        expect(part).not.toMatch(/&[a-z]{0,3}$/);
        expect(part).not.toMatch(/<[^>]*$/);
        expect(/[\ud800-\udbff]$/.test(part)).toBe(false);
      }
    }
  });

  it('cuts a token longer than the limit rather than looping', () => {
    const parts = splitEscaped(`<https://x.example/${'a'.repeat(100)}>`, 40);
    expect(parts.join('')).toBe(`<https://x.example/${'a'.repeat(100)}>`);
    expect(parts.every((p) => p.length <= 40)).toBe(true);
  });

  it('prefers line breaks and spaces', () => {
    expect(splitEscaped('first line here\nsecond line goes on', 20)).toEqual(['first line here\n', 'second line goes on']);
  });
});
