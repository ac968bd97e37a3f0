import { describe, expect, it } from 'vitest';
import { escapeWithLinks } from '../../../bots/slack/render/escape-with-links.js';
import { decodeSlackTextWith } from '../../../bots/slack/text/decode-slack-text.js';

describe('escapeWithLinks', () => {
  it.each([
    ['Fish & chips < 5 EUR > 3', 'Fish &amp; chips &lt; 5 EUR &gt; 3'],
    ['see https://shop.example/shipping.', 'see <https://shop.example/shipping>.'],
    ['https://x.example/?a=1&b=2, then', '<https://x.example/?a=1&amp;b=2>, then'],
    ['(see https://x.example/a)', '(see <https://x.example/a>)'],
    ['https://en.wikipedia.org/wiki/Foo_(bar)', '<https://en.wikipedia.org/wiki/Foo_(bar)>'],
    ['Terms (https://x.example/terms)', 'Terms (<https://x.example/terms>)'],
    ['odd https://x.example/a|b', 'odd <https://x.example/a%7Cb>'],
    ['ask @Boris @here 👋', 'ask @Boris @here 👋'],
    ['<!channel> <https://evil.example|login>', '&lt;!channel&gt; &lt;<https://evil.example%7Clogin>&gt;'],
  ])('%j', (text, mrkdwn) => {
    expect(escapeWithLinks(text)).toBe(mrkdwn);
  });

  it('round-trips Slack wire text: decoded, then mirrored, it is escaped once with its links', () => {
    const wire = 'Refund &amp; credit &lt;= 50 EUR, see <https://shop.example/refunds?x=1&amp;y=2> :+1:';
    const decoded = decodeSlackTextWith(wire, new Map()).text;
    expect(decoded).toBe('Refund & credit <= 50 EUR, see https://shop.example/refunds?x=1&y=2 👍');
    expect(escapeWithLinks(decoded)).toBe('Refund &amp; credit &lt;= 50 EUR, see <https://shop.example/refunds?x=1&amp;y=2> 👍');
  });
});
