import { describe, expect, it } from 'vitest';
import { continuedNote, renderCaseCard } from '../../../../bots/slack/render/case-card.js';
import { slackLimits } from '../../../../bots/platform-limits.js';
import type { Case, CaseEvent, Client } from '../../../../src/ports.js';

const theCase: Case = {
  id: 7,
  clientId: 1,
  status: 'open',
  assignee: null,
  thread: { platform: 'slack', conversation: 'C0SUPPORT', thread: null },
  previousCaseId: null,
  openedAt: 0,
  closedAt: null,
  closeSummary: null,
  clientWaitingSince: null,
  firstReplyAt: null,
  waitAlertedAt: null,
};
const client: Client = { id: 1, chatId: 42, userId: 42, firstName: 'Anna', lastName: null, username: null, language: 'en', languageChosen: true };

function firstMessage(text: string): CaseEvent[] {
  return [{ id: 1, caseId: 7, at: 0, kind: 'client-message', authorKind: 'client', authorId: '42', authorName: 'Anna', text, data: { content: { type: 'text', text } } }];
}

/** Text of every mrkdwn or plain_text object anywhere in the blocks. */
function texts(blocks: unknown): string[] {
  if (Array.isArray(blocks)) return blocks.flatMap(texts);
  if (blocks === null || typeof blocks !== 'object') return [];
  const o = blocks as Record<string, unknown>;
  return [...(typeof o.text === 'string' && (o.type === 'mrkdwn' || o.type === 'plain_text') ? [o.text] : []), ...Object.values(o).flatMap(texts)];
}

function decode(escaped: string): string {
  return escaped.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The client's message as the card quote shows it, quote marks and continuation note removed. */
function quoted(blocks: readonly Record<string, unknown>[]): string {
  const section = blocks[2] as { text: { text: string } };
  return section.text.text.replace(continuedNote, '').replace(/^>/, '').replace(/\n>/g, '\n');
}

/** A message of `length` characters full of &, < and >, line breaks, emoji and Slack-looking tokens. */
function noisy(length: number): string {
  const words = ['a&b', '<tag>', 'x > y', '&amp;', '<!here>', '👍', 'word', '\n', '<https://evil.example|login>', 'R&D'];
  let text = '';
  for (let i = 0; text.length < length; i += 1) text += `${words[i % words.length]} `;
  return text.slice(0, length);
}

describe('renderCaseCard: the first message', () => {
  for (const length of [2900, 3000, 10_000]) {
    it(`of ${length} characters: every section within Slack's limit after escaping, nothing lost`, () => {
      const text = noisy(length);
      const card = renderCaseCard(theCase, client, firstMessage(text), { canAsk: true, now: 0 });
      for (const block of card.blocks) {
        const t = (block as { text?: { text: string } }).text;
        if (block.type === 'section' && t) expect(t.text.length).toBeLessThanOrEqual(slackLimits.sectionText);
      }
      for (const post of card.continuation) expect(post.length).toBeLessThanOrEqual(slackLimits.messageText);
      expect(decode(quoted(card.blocks) + card.continuation.join(''))).toBe(text);
      // No raw `<` anywhere (Slack would read it as a link or mention), but Slack's own date tokens.
      for (const t of [...texts(card.blocks), card.text, ...card.continuation]) expect(t).not.toMatch(/<(?!!date\^)/);
    });
  }

  it('says when it goes on in the thread, and only then', () => {
    const long = renderCaseCard(theCase, client, firstMessage(noisy(10_000)), { canAsk: true, now: 0 });
    expect(JSON.stringify(long.blocks)).toContain('continued in the thread');
    expect(long.continuation.length).toBeGreaterThan(1);
    const short = renderCaseCard(theCase, client, firstMessage('Hello & <welcome>'), { canAsk: true, now: 0 });
    expect(JSON.stringify(short.blocks)).not.toContain('continued in the thread');
    expect(short.continuation).toEqual([]);
    expect(quoted(short.blocks)).toBe('Hello &amp; &lt;welcome&gt;');
  });

  it('a message of many short lines (each costs a quote mark) still fits', () => {
    const text = 'a\n'.repeat(2000);
    const card = renderCaseCard(theCase, client, firstMessage(text), { canAsk: true, now: 0 });
    expect((card.blocks[2] as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(slackLimits.sectionText);
    expect(quoted(card.blocks) + card.continuation.join('')).toBe(text);
  });
});

describe('renderCaseCard: whatever the client supplies is escaped', () => {
  const evil: Client = { ...client, firstName: '<!here>', lastName: '&co', username: null };
  const card = renderCaseCard(theCase, evil, firstMessage('<!channel> <https://evil.example|Slack login> <@U0BOSS>'), { canAsk: true, now: 0 });

  it('in the notification text', () => {
    expect(card.text).toContain('&lt;!here&gt; &amp;co');
    expect(card.text).toContain('&lt;!channel&gt; &lt;https://evil.example|Slack login&gt; &lt;@U0BOSS&gt;');
    expect(card.text).not.toMatch(/<[!@h]/);
  });

  it('in the blocks', () => {
    const all = texts(card.blocks).join('\n');
    expect(all).toContain('&lt;!here&gt; &amp;co');
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).not.toMatch(/<!here>|<!channel>|<https:\/\/evil|<@U0BOSS>/);
  });
});
