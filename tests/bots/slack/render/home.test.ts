import { describe, expect, it } from 'vitest';
import { renderHome } from '../../../../bots/slack/render/home.js';

const now = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('the Home tab', () => {
  it('tells waits and overdue times under a minute as they are, as the case thread does', () => {
    const view = renderHome({
      user: 'U0ANNA',
      now,
      timeZone: 'UTC',
      cases: [{ id: 7, clientName: 'Olga', openedAt: now - 60_000, clientWaitingSince: now - 12_300, assignee: 'U0ANNA', thread: { platform: 'slack', conversation: 'C0SUPPORT', thread: '1.0' }}],
      overdue: [{ id: 5, caseId: 7, departmentId: 'accounting', question: 'refunded?', askedBy: 'U0ANNA', deadlineAt: now - 45_600, caseThread: { platform: 'slack', conversation: 'C0SUPPORT', thread: '1.0' } }],
      departments: [],
      linkTo: (channel, ts) => `https://fake.slack.test/archives/${channel}/p${ts}`,
    });
    const text = JSON.stringify(view);
    expect(text).toContain('client waiting 12s');
    expect(text).toContain('overdue 45s');
  });
});
