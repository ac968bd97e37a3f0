import { describe, expect, it } from 'vitest';
import { decodeSlackText, decodeSlackTextWith, mentionedUserIds } from '../../../bots/slack/text/decode-slack-text.js';
import { emojiForShortcode } from '../../../bots/slack/text/slack-emoji.js';

// Wire samples as Slack sends them, from "Formatting text for app surfaces"
// (https://api.slack.com/reference/surfaces/formatting): "Escaping text", "Linking to URLs",
// "Mentioning users", "Linking to channels", "Mentioning groups", "Special mentions",
// "Formatting dates", "Emoji"; and as message events carry what people typed in the Slack client.
const names = new Map([
  ['U024BE7LH', 'Boris'],
  ['U0AGENT1', 'Anna Petrova'],
]);
const decode = (wire: string) => decodeSlackTextWith(wire, names).text;

describe('decodeSlackTextWith', () => {
  it.each([
    // Escaping: only & < > are entities, decoded once (a typed "&amp;" arrives as "&amp;amp;").
    ['5 &gt; 3 &amp;&amp; 2 &lt; 4', '5 > 3 && 2 < 4'],
    ['I wrote &amp;amp; literally', 'I wrote &amp; literally'],
    ['&quot;quotes&quot; &#39;stay&#39;', '&quot;quotes&quot; &#39;stay&#39;'],
    // Links
    ['see <https://shop.example/shipping>', 'see https://shop.example/shipping'],
    ['<https://x.example/?a=1&amp;b=2>', 'https://x.example/?a=1&b=2'],
    ['<http://www.example.com|This message *is* a link>', 'This message *is* a link (http://www.example.com)'],
    ['<mailto:bob@example.com|Email Bob Roberts>', 'Email Bob Roberts (bob@example.com)'],
    ['<mailto:bob@example.com>', 'bob@example.com'],
    ['<mailto:bob@example.com|bob@example.com>', 'bob@example.com'],
    ['<https://shop.example|https://shop.example>', 'https://shop.example'],
    ['<http://shop.example|shop.example>', 'shop.example'],
    ['<https://x.example|Fish &amp; chips>', 'Fish & chips (https://x.example)'],
    // People
    ['ask <@U024BE7LH>', 'ask @Boris'],
    ['<@U024BE7LH|boris> and <@U0AGENT1>', '@Boris and @Anna Petrova'],
    ['<@U0UNKNOWN|olga>', '@olga'],
    ['<@U0UNKNOWN>', '@U0UNKNOWN'],
    ['<@W0ENTERPRISE>', '@W0ENTERPRISE'],
    // Channels
    ['in <#C024BE7LR|general>', 'in #general'],
    ['in <#C024BE7LR>', 'in #C024BE7LR'],
    ['in <#C024BE7LR|>', 'in #C024BE7LR'],
    // Special mentions and groups
    ['<!here> <!channel> <!everyone>', '@here @channel @everyone'],
    ['<!here|here>', '@here'],
    ['<!subteam^SAZ94GDB8|@accounting>', '@accounting'],
    ['<!subteam^SAZ94GDB8>', '@SAZ94GDB8'],
    // Dates
    ['<!date^1392734382^Posted {date_num} {time_secs}|Posted 2014-02-18 6:39:42 AM PST>', 'Posted 2014-02-18 6:39:42 AM PST'],
    ['<!date^1392734382^{date}>', '2014-02-18T14:39:42.000Z'],
    // Emoji from Slack's (iamcal's) set; custom ones stay names
    ['hi :wave:', 'hi 👋'],
    [':+1: :thumbsup: :-1:', '👍 👍 👎'],
    [':+1::skin-tone-2:', '👍🏻'],
    [':wave::skin-tone-6:', '👋🏿'],
    [':heart:', '❤️'],
    [':flag-de:', '🇩🇪'],
    [':partyparrot: :not an emoji:', ':partyparrot: :not an emoji:'],
    ['at 10:30:15', 'at 10:30:15'],
    // Inside code Slack shows shortcodes as typed; entities and links are still decoded
    ['`:wave:` and ```\n:smile: &lt;b&gt;\n``` but :smile:', '`:wave:` and ```\n:smile: <b>\n``` but 😄'],
  ])('%j', (wire, seen) => {
    expect(decode(wire)).toBe(seen);
  });

  it("decodes the issue's example as the agent saw it", () => {
    const wire = 'Shipping is &lt; 5 EUR &amp; free over 50, see <https://shop.example/shipping> or ask <@U024BE7LH> :wave:';
    expect(decode(wire)).toBe('Shipping is < 5 EUR & free over 50, see https://shop.example/shipping or ask @Boris 👋');
  });

  it('lists the people it names, once each, in order, with the name it shows', () => {
    const decoded = decodeSlackTextWith('!assign <@U0AGENT1> cc <@U024BE7LH|boris> <@U0AGENT1> <@U0NEW|nina>', names);
    expect(decoded.text).toBe('!assign @Anna Petrova cc @Boris @Anna Petrova @nina');
    expect(decoded.mentions).toEqual([
      { id: 'U0AGENT1', name: 'Anna Petrova' },
      { id: 'U024BE7LH', name: 'Boris' },
      { id: 'U0NEW', name: 'nina' },
    ]);
  });

  it('leaves text without markup alone, and never throws on broken markup', () => {
    expect(decode('plain text, no markup')).toBe('plain text, no markup');
    expect(decode('<>')).toBe('');
    expect(decode('a < b')).toBe('a < b');
    expect(decode('<@>')).toBe('@');
  });
});

describe('decodeSlackText', () => {
  it('asks the directory for every mentioned user, all at once, each once', async () => {
    const asked: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const directory = {
      async displayName(id: string) {
        asked.push(id);
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 10));
        inFlight -= 1;
        return id === 'U1' ? 'Anna' : id === 'U2' ? 'Boris' : id;
      },
    };
    const decoded = await decodeSlackText('<@U1> <@U2> <@U1> <@U3|carl>', directory);
    expect(decoded.text).toBe('@Anna @Boris @Anna @carl');
    expect(asked).toEqual(['U1', 'U2', 'U3']);
    expect(maxInFlight).toBe(3);
    expect(mentionedUserIds('<@U1> <#C1|x> <!here> <@W2|y>')).toEqual(['U1', 'W2']);
  });
});

describe('emojiForShortcode', () => {
  it('knows every iamcal name and none of the custom ones', () => {
    expect(emojiForShortcode('wave')).toBe('👋');
    expect(emojiForShortcode('grinning')).toBe('😀');
    expect(emojiForShortcode('v', 'skin-tone-3')).toBe('✌🏼');
    expect(emojiForShortcode('eyes', 'skin-tone-3')).toBe('👀');
    expect(emojiForShortcode('partyparrot')).toBeUndefined();
  });
});
