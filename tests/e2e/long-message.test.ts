import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../fakes/fake-slack.js';
import type { TgUser } from '../fakes/fake-telegram.js';
import { eventually, startHarness, supportChannel, type Harness } from './harness.js';

/** Slack's published limit for a section block's text (docs.slack.dev Block Kit, @slack/types SectionBlock). */
const sectionTextLimit = 3000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop(true);
});

const decode = (escaped: string) => escaped.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

type Section = { type: string; text?: { text: string } };

/** The card's quote of the client's message, as the client wrote it: quote marks and the note removed. */
function quoteOf(card: StoredMessage): string {
  const quote = ((card.blocks ?? []) as Section[]).map((b) => b.text?.text ?? '').find((t) => t.startsWith('>')) ?? '';
  return decode(quote.replace(/\n_… continued in the thread_$/, '').replace(/^>/, '').replace(/\n>/g, '\n'));
}

/** The bot's posts in the thread that carry part ≥ 1 of the card's own outbox row, in order. */
function continuation(card: StoredMessage, threadTs: string): StoredMessage[] {
  const outboxIds = (card.metadata as { event_payload?: { outbox_ids?: string } } | undefined)?.event_payload?.outbox_ids;
  return h.slack
    .messages(supportChannel)
    .filter((m) => m.thread_ts === threadTs && m.ts !== threadTs)
    .filter((m) => (m.metadata as { event_payload?: { outbox_ids?: string } } | undefined)?.event_payload?.outbox_ids === outboxIds);
}

describe('a long first message', () => {
  it('opens a case whose card shows the start and whose thread carries the rest: all of it reaches Slack', async () => {
    const client: TgUser = { id: 7101, first_name: 'Pasted', last_name: 'Log', language_code: 'en' };
    // Telegram's longest text message (4,096 characters), full of &, < and >: about 10,000 once escaped.
    const line = 'ERROR <db> R&D && x > y & <tag attr="1">done</tag>\n';
    const text = line.repeat(Math.ceil(4096 / line.length)).slice(0, 4096);
    const { threadTs } = await h.openCase(client, text);
    const card = h.slack.messages(supportChannel).find((m) => m.ts === threadTs) as StoredMessage;
    for (const block of (card.blocks ?? []) as Section[]) {
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(sectionTextLimit);
    }
    expect(card.text?.length ?? 0).toBeLessThan(4000);
    const rest = await eventually(() => {
      const posts = continuation(card, threadTs);
      return quoteOf(card) + posts.map((p) => decode(p.text ?? '')).join('') === text && posts;
    }, 10_000, 'the rest of the first message in the thread');
    expect(rest.length).toBeGreaterThan(0);
    for (const post of rest) expect(post.text).not.toMatch(/[<>]/);
  });
});

describe('a client writing Slack control sequences', () => {
  it('gets them into the card only escaped, in the notification text and the blocks alike', async () => {
    const client: TgUser = { id: 7102, first_name: '<!here>', language_code: 'en' };
    const { card } = await h.openCase(client, '<!channel> <https://evil.example|Slack login>');
    const text = String(card.params.text);
    const blocks = JSON.stringify(card.params.blocks);
    for (const shown of [text, blocks]) {
      expect(shown).toContain('&lt;!here&gt;');
      expect(shown).toContain('&lt;!channel&gt; &lt;https://evil.example|Slack login&gt;');
      expect(shown).not.toMatch(/<!here>|<!channel>|<https:\/\/evil/);
    }
  });
});
