import { describe, expect, it } from 'vitest';
import { formatDeadline } from '../../../../bots/slack/render/asks.js';
import { renderThreadNotice } from '../../../../bots/slack/render/notices.js';

const at = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('times near a deadline', () => {
  it('says how far a deadline is to the second when it is under a minute away or past', () => {
    expect(formatDeadline(at + 45_000, at, undefined)).toMatch(/, in 45s$/);
    expect(formatDeadline(at + 44_200, at, undefined)).toMatch(/, in 45s$/);
    expect(formatDeadline(at + 90_000, at, undefined)).toMatch(/, in 1m30s$/);
    expect(formatDeadline(at + 2 * 3_600_000, at + 3, undefined)).toMatch(/, in 2h$/);
    expect(formatDeadline(at - 45_000, at, undefined)).toMatch(/, 45s ago$/);
    expect(formatDeadline(at - 27, at, undefined)).toMatch(/, just now$/);
    expect(formatDeadline(at - 3 * 3_600_000, at, undefined)).toMatch(/^Mon 23 Nov 09:00 \(UTC\), 3h ago$/);
  });

  it('tells a client wait under a minute as it is', () => {
    expect(renderThreadNotice({ type: 'client-waiting', sinceMs: at - 2_400 }, { assignee: null, now: at })).toContain('waiting 2s for a first reply');
  });
});
