import { describe, expect, it } from 'vitest';
import { formatDeadline, renderAskProblem } from '../../../../bots/slack/render/asks.js';
import { parseDepartments } from '../../../../src/config.js';
import { renderThreadNotice } from '../../../../bots/slack/render/notices.js';

const at = Date.UTC(2026, 10, 23, 12, 0, 0);
const departments = parseDepartments(
  JSON.stringify({ departments: [{ id: 'accounting', name: 'Accounting & Co', aliases: ['acc'], slackChannel: 'C0ACC', replyWithin: '1h30m' }] }),
  'departments.json',
);

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

describe('an !ask that sent nothing', () => {
  it('says a word after "in" is not a duration and how to ask a question that starts with "in"', () => {
    const text = renderAskProblem({ type: 'ask-usage', problem: 'bad-duration', given: 'banana<b>', department: 'accounting' }, departments);
    expect(text).toContain('"banana&lt;b&gt;" is not a duration');
    expect(text).toContain('`!ask accounting in 1h30m in banana&lt;b&gt;…`');
    expect(text).toContain("Accounting &amp; Co's usual reply time");
    expect(text).toContain('Nothing was sent.');
  });

  it('words a bare "in" and a missing question', () => {
    expect(renderAskProblem({ type: 'ask-usage', problem: 'bad-duration', given: '', department: 'accounting' }, departments)).toContain('`in` must be followed by a reply-by time');
    expect(renderAskProblem({ type: 'ask-usage', problem: 'no-question', department: 'accounting' }, departments)).toContain('the question is missing');
  });
});
