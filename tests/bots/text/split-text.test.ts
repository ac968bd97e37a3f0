import { describe, expect, it } from 'vitest';
import { splitText } from '../../../bots/text/split-text.js';

const strip = (s: string) => s.replace(/\s+/g, '');
const isLone = (code: number) => code >= 0xd800 && code <= 0xdbff;

function randomText(seed: number, length: number): string {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pieces = ['word', 'слово', 'слово ', '😀', '🇺🇦', ' ', ' ', '\n', '\n\n', '<@U0AGENT1>', '<https://example.com/a?b=c|a link>', 'x'.repeat(30)];
  let text = '';
  while (text.length < length) text += pieces[Math.floor(next() * pieces.length)];
  return text;
}

describe('splitText', () => {
  it('returns short text as it is', () => {
    expect(splitText('hello', 100)).toEqual(['hello']);
    expect(splitText('', 100)).toEqual(['']);
  });

  it('cuts at paragraph, line and word boundaries', () => {
    const text = `${'a'.repeat(30)}\n\n${'b'.repeat(30)}`;
    expect(splitText(text, 40)).toEqual(['a'.repeat(30), 'b'.repeat(30)]);
    expect(splitText('one two three four five six seven', 20)).toEqual(['one two three four', 'five six seven']);
  });

  it('cuts inside a word only when the word is longer than the limit', () => {
    const chunks = splitText('x'.repeat(50), 20);
    expect(chunks.join('')).toBe('x'.repeat(50));
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(20);
  });

  it('keeps every chunk within the limit, loses nothing, and never breaks surrogate pairs or markup', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const text = randomText(seed, 300 + seed * 7);
      const limit = 40 + (seed % 60);
      const chunks = splitText(text, limit);
      expect(strip(chunks.join(''))).toBe(strip(text));
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(limit);
        expect(isLone(chunk.charCodeAt(chunk.length - 1))).toBe(false);
        const lowFirst = chunk.charCodeAt(0) >= 0xdc00 && chunk.charCodeAt(0) <= 0xdfff;
        expect(lowFirst).toBe(false);
        expect((chunk.match(/</g) ?? []).length).toBe((chunk.match(/>/g) ?? []).length);
      }
    }
  });

  it('closes and reopens a code block that must be split', () => {
    const code = '```\n' + Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n') + '\n```';
    const chunks = splitText(code, 60);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(60);
      expect((chunk.match(/```/g) ?? []).length % 2).toBe(0);
    }
  });

  it('refuses a tiny limit', () => {
    expect(() => splitText('abc', 5)).toThrow(RangeError);
  });
});

describe('splitText on Slack-escaped text', () => {
  it('never cuts inside &amp;, &lt; or &gt;', () => {
    for (let limit = 16; limit <= 60; limit++) {
      const text = 'R&amp;D&lt;x&gt;'.repeat(40);
      const chunks = splitText(text, limit);
      expect(chunks.join('')).toBe(text);
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(limit);
        expect(chunk).not.toMatch(/&[a-z]{0,3}$/);
        expect(chunk).not.toMatch(/^[a-z]{1,3};/);
      }
    }
  });
});
