import { describe, expect, it } from 'vitest';
import { clientNoticeText } from '../../../src/i18n/client-notice-text.js';
import { renderClientNotice } from '../../../bots/telegram/render/client-notice.js';
import { replyModal } from '../../../bots/slack/render/modals.js';
import type { ClientNotice } from '../../../src/outgoing.js';
import type { Case, Client } from '../../../src/ports.js';

const notices: readonly ClientNotice[] = [
  { type: 'case-opened', caseId: 7, empty: false },
  { type: 'agent-reply', caseId: 7, agentName: 'Boris', text: 'Your refund is on its way.' },
  { type: 'checking-with-department', caseId: 7, departmentName: 'accounting', expectBy: Date.UTC(2026, 10, 23, 15, 30) },
  { type: 'status', cases: [] },
  { type: 'choose-language' },
  { type: 'rate-request', caseId: 7 },
  { type: 'rating-recorded', caseId: 7, score: 4 },
  { type: 'rating-comment-invite', caseId: 7 },
];

describe('clientNoticeText: the words of a notice, whatever platform carries them', () => {
  it('words an agent reply in the client\'s language', () => {
    expect(clientNoticeText({ type: 'agent-reply', caseId: 7, agentName: 'Анна', text: 'Готово.' }, 'ru')).toBe('Анна, поддержка · обращение #7:\n\nГотово.');
  });

  it('gives the checking-with-department deadline in the given time zone, named', () => {
    const text = clientNoticeText({ type: 'checking-with-department', caseId: 7, departmentName: 'accounting', expectBy: Date.UTC(2026, 10, 23, 15, 30) }, 'en', 'Europe/Kyiv');
    expect(text).toContain('17:30 (Europe/Kyiv)');
  });

  it('is the text of the Telegram message, buttons or not', () => {
    for (const language of ['en', 'ru', 'uk'] as const) {
      for (const notice of notices) expect(renderClientNotice(notice, language, 'Europe/Kyiv').text).toBe(clientNoticeText(notice, language, 'Europe/Kyiv'));
    }
  });

  it('is what the Slack reply modal previews', () => {
    const client = { id: 1, firstName: 'Olena', lastName: null, username: null, language: 'uk' } as Client;
    const view = replyModal({ id: 7, status: 'open' } as Case, client, 'Boris', ' Your refund is on its way. ', 'UTC');
    const blocks = view.blocks as { type: string; text?: { text: string } }[];
    const telegram = renderClientNotice({ type: 'agent-reply', caseId: 7, agentName: 'Boris', text: 'Your refund is on its way.' }, 'uk').text;
    expect(blocks.at(-1)?.text?.text).toBe(telegram);
    expect(telegram).toBe('Boris, підтримка · звернення #7:\n\nYour refund is on its way.');
  });
});
