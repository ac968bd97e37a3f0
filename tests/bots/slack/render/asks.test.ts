import { describe, expect, it } from 'vitest';
import { formatDeadline, renderAskProblem, renderAskThreadPost, renderConfirmation, renderQuestion, type AskContext } from '../../../../bots/slack/render/asks.js';
import type { Ask, Case, Client } from '../../../../src/ports.js';
import { parseDepartments } from '../../../../bots/config.js';
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

const openAsk: Ask = {
  id: 5,
  caseId: 7,
  departmentId: 'accounting',
  question: 'was it refunded?',
  askedBy: 'U0ANNA',
  askedByName: 'Anna',
  askedAt: at,
  deadlineAt: at + 45_000,
  status: 'open',
  version: 1,
  windowStartAt: at,
  post: { platform: 'slack', conversation: 'C0ACC', thread: '1.1' },
  confirmation: '2.2',
  answeredAt: null,
  answeredBy: null,
  answeredByName: null,
  remindersSent: 0,
  overdueAt: null,
  escalatedAgainAt: null,
  closedReason: null,
};
const context = (ask: Partial<Ask>): AskContext => ({
  ask: { ...openAsk, ...ask },
  theCase: { id: 7, clientId: 1, status: 'open', assignee: null, thread: { platform: 'slack', conversation: 'C0SUPPORT', thread: '1.0' }} as Case,
  client: { id: 1, chatId: 42, userId: 42, firstName: 'Olga', lastName: null, username: null, language: 'en', languageChosen: true } as Client,
  department: departments.departments[0],
  departments,
  now: at,
  permalink: 'https://fake.slack.test/archives/C0SUPPORT/p10',
});
const buttons = (post: { blocks?: readonly Record<string, unknown>[] }) => (post.blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => (b.elements as { text: { text: string } }[]).map((e) => e.text.text));

describe("a question's posts with buttons", () => {
  it('show the reply-by time and their buttons while the question is open', () => {
    const question = renderQuestion(context({}));
    expect(buttons(question)).toEqual(['Need more time', 'Not ours']);
    expect(question.text).toContain('*Reply by:* Mon 23 Nov 12:00 (UTC), in 45s');
    expect(buttons(renderConfirmation(context({})))).toEqual(['Cancel question']);
  });

  it('show how the question ended, without buttons, once it is settled', () => {
    const cases: [Partial<Ask>, string, string][] = [
      [{ status: 'answered', answeredAt: at + 27, answeredByName: 'Boris' }, '*Answered* by Boris (took under a second).', 'answered by Boris (took under a second).'],
      [{ status: 'answered', answeredAt: at + 45_500, answeredByName: 'Boris' }, '*Answered* by Boris (took 45s).', 'answered by Boris (took 45s).'],
      [{ status: 'declined', closedReason: 'sales set <prices>' }, '*Not ours*: sales set &lt;prices&gt;.', 'not theirs: sales set &lt;prices&gt;.'],
      [{ status: 'cancelled' }, '*Cancelled* by support', 'cancelled.'],
      [{ status: 'cancelled', closedReason: 'case closed' }, '*Case #7 closed*', 'settled by the close of the case.'],
    ];
    for (const [ask, inDepartment, inThread] of cases) {
      const question = renderQuestion(context(ask));
      expect(buttons(question)).toEqual([]);
      expect(question.text).toContain(inDepartment);
      expect(question.text).toContain('was it refunded?');
      expect(question.text).toContain('|Open the case thread>');
      expect(question.text).not.toContain('Reply by');
      const confirmation = renderConfirmation(context(ask));
      expect(buttons(confirmation)).toEqual([]);
      expect(confirmation.text).toContain(`Asked Q5 to *Accounting &amp; Co*: ${inThread}`);
    }
  });
});

describe('"every question is settled" in the case thread', () => {
  it('never follows an overdue notice, and follows the answer, decline or cancellation that settled the last one', () => {
    const overdue = renderAskThreadPost({ type: 'ask-overdue', askId: 5, allSettled: true } as never, context({ overdueAt: at }));
    expect(overdue.text).not.toContain('settled');
    expect(renderAskThreadPost({ type: 'ask-cancelled', askId: 5, by: 'U0ANNA', allSettled: true }, context({ status: 'cancelled' })).text).toContain('Every department question of this case is settled');
    expect(renderAskThreadPost({ type: 'ask-cancelled', askId: 5, by: 'U0ANNA', allSettled: false }, context({ status: 'cancelled' })).text).not.toContain('settled');
    expect(renderAskThreadPost({ type: 'ask-declined', askId: 5, byName: 'Boris', reason: 'x', allSettled: true }, context({ status: 'declined' })).text).toContain('Every department question of this case is settled');
  });
});
