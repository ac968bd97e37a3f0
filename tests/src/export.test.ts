import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportCase, type CaseRecord, type ExportFormat } from '../../src/history/export-case.js';
import { describeEvent, knownNames } from '../../src/history/render-history.js';
import { escapeMarkdown } from '../../src/text/escape-markdown.js';
import type { Ask, Case, CaseEvent, CaseEventKind, Client } from '../../src/ports.js';

/**
 * Golden files: tests/src/golden/export-case.{md,json,html}. After a deliberate change of the
 * exports, regenerate them with `UPDATE_GOLDEN=1 npx vitest run tests/src/export.test.ts` and
 * review the diff before committing.
 */
const goldenDir = new URL('./golden/', import.meta.url);
const updateGolden = process.env.UPDATE_GOLDEN === '1';

/** Kathmandu is UTC+5:45 all year: a time shown in UTC, or off by whole hours, cannot pass. */
const timeZone = 'Asia/Kathmandu';
const inKathmandu = (epochMs: number) => new Date(epochMs + (5 * 60 + 45) * 60_000).toISOString().slice(0, 16).replace('T', ' ');

const start = Date.UTC(2026, 10, 20, 6, 0);
/** `n` minutes after the case was opened. */
const m = (n: number) => start + n * 60_000;

/** Every kind of history entry; the compiler insists the list is complete. */
const everyKind: Record<CaseEventKind, true> = {
  'case-opened': true,
  'client-message': true,
  'agent-reply': true,
  note: true,
  closed: true,
  reopened: true,
  assigned: true,
  'delivery-failed': true,
  'card-reposted': true,
  'card-carried': true,
  'ask-opened': true,
  'ask-answered': true,
  'department-message': true,
  'ask-reminder': true,
  'ask-overdue': true,
  'ask-escalated': true,
  'ask-extended': true,
  'ask-declined': true,
  'ask-cancelled': true,
  'client-waiting': true,
  linked: true,
  rated: true,
  'rating-comment': true,
  'rating-comment-invited': true,
  'client-edited': true,
  'agent-reply-edited': true,
  'reply-delivered': true,
};

const xssName = '<script>alert("x")</script>';
const xssMessage = '<img src=x onerror=alert(1)> charged twice & nobody answers';
const xssComment = 'Slow </td><script>alert(2)</script>';

const client: Client = { id: 7, chatId: 5001, userId: 5001, firstName: xssName, lastName: "O'Brien & Sons", username: 'obrien', language: 'en', languageChosen: false };
const clientAuthor = { authorKind: 'client', authorId: '5001', authorName: `${xssName} O'Brien & Sons (@obrien)` } as const;
const anna = { authorKind: 'agent', authorId: 'U0AGENT1', authorName: 'Anna' } as const;
const boris = { authorKind: 'agent', authorId: 'U0AGENT2', authorName: 'Boris' } as const;
const olga = { authorKind: 'department', authorId: 'U0ACC1', authorName: 'Olga' } as const;
const dmitry = { authorKind: 'department', authorId: 'U0DEV1', authorName: 'Dmitry' } as const;
const system = { authorKind: 'system', authorId: null, authorName: null } as const;

type Entry = Omit<CaseEvent, 'id' | 'caseId'>;
const entry = (at: number, kind: CaseEventKind, author: Pick<CaseEvent, 'authorKind' | 'authorId' | 'authorName'>, text: string | null, data: Record<string, unknown> | null = null): Entry => ({ at, kind, ...author, text, data });
const q = (askId: number, departmentId: string, data: Record<string, unknown> = {}) => ({ askId, departmentId, ...data });

const entries: Entry[] = [
  entry(m(0), 'case-opened', clientAuthor, null, { previousCaseId: 40, byCommand: false }),
  entry(m(1), 'client-message', clientAuthor, xssMessage, { content: { type: 'text', text: xssMessage } }),
  entry(m(1.5), 'card-carried', system, null, { eventIds: [1001] }),
  entry(m(2), 'client-edited', clientAuthor, 'charged twice, not once', { messageId: 11, previousText: xssMessage, eventId: 1001 }),
  entry(m(16), 'client-waiting', system, null, { waitingSince: m(1) }),
  entry(m(18), 'note', anna, 'looks like a double charge, "see" <b>logs</b>', { ts: '1.1' }),
  entry(m(19), 'assigned', anna, null, { assignee: 'U0AGENT2', assigneeName: 'Boris' }),
  entry(m(20), 'ask-opened', anna, 'charged 5% | 10%?', q(1, 'accounting', { department: 'Accounting', deadlineAt: m(80) })),
  entry(m(21), 'ask-opened', anna, 'is checkout broken?', q(2, 'dev', { department: 'Development', deadlineAt: m(51) })),
  entry(m(36), 'ask-reminder', system, null, q(2, 'dev', { index: 0 })),
  entry(m(45), 'ask-answered', olga, 'Refund issued.', q(1, 'accounting', { department: 'Accounting', ts: '2.1' })),
  entry(m(47), 'department-message', olga, 'It takes 3 days.', q(1, 'accounting', { department: 'Accounting', ts: '2.2' })),
  entry(m(51), 'ask-overdue', system, null, q(2, 'dev', { deadlineAt: m(51) })),
  entry(m(52), 'ask-escalated', system, null, q(2, 'dev', { to: ['U0LEAD'] })),
  entry(m(55), 'ask-extended', dmitry, 'need the weekend logs', q(2, 'dev', { deadlineAt: m(85), previousDeadlineAt: m(51) })),
  entry(m(60), 'ask-opened', boris, 'is the warehouse open?', q(3, 'ops', { department: 'Operations', deadlineAt: m(75) })),
  entry(m(62), 'ask-opened', boris, 'what did the banner promise?', q(4, 'marketing', { department: 'Marketing', deadlineAt: m(122) })),
  entry(m(63), 'ask-opened', anna, 'may we refund twice?', q(5, 'legal', { department: 'legal', deadlineAt: m(123) })),
  entry(m(70), 'ask-declined', { authorKind: 'department', authorId: 'U0MKT1', authorName: 'Mark' }, 'prices are set by sales', q(4, 'marketing')),
  entry(m(72), 'ask-cancelled', anna, null, q(5, 'legal')),
  entry(m(75), 'ask-overdue', system, null, q(3, 'ops', { deadlineAt: m(75) })),
  entry(m(89), 'agent-reply', anna, 'The receipt is attached.', { ts: '3.0', files: [{ id: 'F0RECEIPT', name: 'receipt.pdf', mimeType: 'application/pdf', size: 2048 }], filesNotSent: [{ id: 'F0VIDEO', name: 'call.mp4', mimeType: 'video/mp4', size: 60_000_000 }] }),
  entry(m(90), 'agent-reply', anna, 'Your refund is on its way.', { ts: '3.1' }),
  entry(m(90.5), 'reply-delivered', system, null, { ts: '3.1', messageIds: [77] }),
  entry(m(91), 'delivery-failed', system, 'the client blocked the bot', { what: 'the reply to the client', to: 'client' }),
  entry(m(92), 'agent-reply-edited', anna, 'Your refund is on its way: 2 days.', { ts: '3.1', previousText: 'Your refund is on its way.' }),
  entry(m(93), 'card-reposted', system, null, { previousTs: '1732280000.000050', ts: '1732280000.000100' }),
  entry(m(95), 'linked', boris, null, { otherCaseId: 57 }),
  entry(m(111), 'ask-answered', dmitry, 'Fixed in 2.4.1.', q(2, 'dev', { department: 'Development', ts: '4.1' })),
  entry(m(115), 'ask-opened', anna, 'anything else to refund?', q(6, 'accounting', { department: 'Accounting', deadlineAt: m(400) })),
  entry(m(120), 'closed', anna, 'refunded'),
  entry(m(125), 'reopened', boris, null),
  entry(m(130), 'closed', boris, 'refunded again'),
  entry(m(131), 'rated', clientAuthor, null, { score: 2 }),
  entry(m(132), 'rating-comment-invited', system, null, { messageId: 99 }),
  entry(m(140), 'rating-comment', clientAuthor, xssComment, { score: 2 }),
];
const events: CaseEvent[] = entries.map((e, i) => ({ id: 1000 + i, caseId: 42, ...e }));

const theCase: Case = {
  id: 42,
  clientId: 7,
  status: 'closed',
  assignee: 'U0AGENT2',
  thread: { platform: 'slack', conversation: 'C0SUPPORT', thread: '1732280000.000100' },
  previousCaseId: 40,
  openedAt: m(0),
  closedAt: m(130),
  closeSummary: 'refunded again',
  clientWaitingSince: null,
  firstReplyAt: m(90),
  waitAlertedAt: m(16),
};

const ask = (a: Partial<Ask> & Pick<Ask, 'id' | 'departmentId' | 'question' | 'askedAt' | 'deadlineAt' | 'status'>): Ask => ({
  caseId: 42,
  askedBy: 'U0AGENT1',
  askedByName: 'Anna',
  version: 1,
  windowStartAt: a.askedAt,
  post: { platform: 'slack', conversation: 'C0X', thread: `${a.id}.0` },
  confirmation: null,
  answeredAt: null,
  answeredBy: null,
  answeredByName: null,
  remindersSent: 0,
  overdueAt: null,
  escalatedAgainAt: null,
  closedReason: null,
  ...a,
});
const asks: Ask[] = [
  ask({ id: 1, departmentId: 'accounting', question: 'charged 5% | 10%?', askedAt: m(20), deadlineAt: m(80), status: 'answered', answeredAt: m(45), answeredBy: 'U0ACC1', answeredByName: 'Olga' }),
  ask({ id: 2, departmentId: 'dev', question: 'is checkout broken?', askedAt: m(21), deadlineAt: m(85), version: 2, status: 'answered', answeredAt: m(111), answeredBy: 'U0DEV1', answeredByName: 'Dmitry', remindersSent: 1, overdueAt: m(51) }),
  ask({ id: 3, departmentId: 'ops', question: 'is the warehouse open?', askedAt: m(60), deadlineAt: m(75), status: 'open', askedBy: 'U0AGENT2', askedByName: 'Boris', overdueAt: m(75) }),
  ask({ id: 4, departmentId: 'marketing', question: 'what did the banner promise?', askedAt: m(62), deadlineAt: m(122), status: 'declined', askedBy: 'U0AGENT2', askedByName: 'Boris', closedReason: 'prices are set by sales' }),
  ask({ id: 5, departmentId: 'legal', question: 'may we refund twice?', askedAt: m(63), deadlineAt: m(123), status: 'cancelled' }),
  ask({ id: 6, departmentId: 'accounting', question: 'anything else to refund?', askedAt: m(115), deadlineAt: m(400), status: 'open' }),
];
const departmentNames = new Map([
  ['accounting', 'Accounting'],
  ['dev', 'Development'],
  ['ops', 'Operations'],
  ['marketing', 'Marketing'],
]);
const record: CaseRecord = { case: theCase, client, events, asks, departmentNames };

/** The questions table as [id, department, took, outcome, reminders] per row, whatever the format. */
type QuestionRow = { id: string; department: string; question: string; askedBy: string; asked: string; replyBy: string; answeredBy: string; took: string; outcome: string; reminders: string };
const expectedQuestions: QuestionRow[] = [
  { id: 'Q1', department: 'Accounting', question: 'charged 5% | 10%?', askedBy: 'Anna', asked: inKathmandu(m(20)), replyBy: inKathmandu(m(80)), answeredBy: 'Olga', took: '25m', outcome: 'answered on time', reminders: '0' },
  { id: 'Q2', department: 'Development', question: 'is checkout broken?', askedBy: 'Anna', asked: inKathmandu(m(21)), replyBy: inKathmandu(m(85)), answeredBy: 'Dmitry', took: '1h30m', outcome: 'answered late', reminders: '1' },
  { id: 'Q3', department: 'Operations', question: 'is the warehouse open?', askedBy: 'Boris', asked: inKathmandu(m(60)), replyBy: inKathmandu(m(75)), answeredBy: '', took: '', outcome: 'overdue', reminders: '0' },
  { id: 'Q4', department: 'Marketing', question: 'what did the banner promise?', askedBy: 'Boris', asked: inKathmandu(m(62)), replyBy: inKathmandu(m(122)), answeredBy: '', took: '', outcome: 'declined', reminders: '0' },
  { id: 'Q5', department: 'legal', question: 'may we refund twice?', askedBy: 'Anna', asked: inKathmandu(m(63)), replyBy: inKathmandu(m(123)), answeredBy: '', took: '', outcome: 'cancelled', reminders: '0' },
  { id: 'Q6', department: 'Accounting', question: 'anything else to refund?', askedBy: 'Anna', asked: inKathmandu(m(115)), replyBy: inKathmandu(m(400)), answeredBy: '', took: '', outcome: 'waiting', reminders: '0' },
];
const toRow = (cells: string[]): QuestionRow => {
  const [id, department, question, askedBy, asked, replyBy, answeredBy, took, outcome, reminders] = cells.map((c) => c.trim());
  return { id, department, question, askedBy, asked, replyBy, answeredBy, took, outcome, reminders } as QuestionRow;
};

/** Undoes escapeMarkdown's backslashes (CommonMark: a backslash before ASCII punctuation shows the punctuation). */
const unescapeMd = (text: string) => text.replace(/\\([!-/:-@[-`{-~])/g, '$1');

const unescapeHtml = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

function checkGolden(format: ExportFormat, output: string): void {
  const file = new URL(`export-case.${format}`, goldenDir);
  if (updateGolden) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, output);
  }
  expect(existsSync(file), `missing ${file.pathname}: run UPDATE_GOLDEN=1 npx vitest run tests/src/export.test.ts`).toBe(true);
  expect(output).toBe(readFileSync(file, 'utf8'));
}

describe('the case export', () => {
  it('the sample history has an entry of every kind', () => {
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(Object.keys(everyKind)));
  });

  describe('Markdown', () => {
    const md = exportCase(record, 'md', timeZone);

    it('lists every entry in order with its time in the team time zone', () => {
      const timeline = md.slice(md.indexOf('## Timeline'));
      const lines = timeline.split('\n').filter((l) => l.startsWith('- **'));
      expect(lines).toHaveLength(events.length);
      events.forEach((e, i) => expect(lines[i]).toBe(`- **${inKathmandu(e.at)}** ${escapeMarkdown(describeEvent(e, timeZone, knownNames(events))).replace(/\n/g, '\n  ')}`));
      expect(unescapeMd(md)).toContain(`Question Q1 to Accounting by Anna, reply by ${inKathmandu(m(80))}: charged 5% | 10%?`);
      expect(unescapeMd(md)).toContain(`Q2 extended by Dmitry to ${inKathmandu(m(85))}: need the weekend logs`);
    });

    it('states the case, its times, assignee, links and rating at the top', () => {
      expect(unescapeMd(md.split('\n')[0] as string)).toBe(`# Case #42: ${xssName} O'Brien & Sons (@obrien), closed`);
      expect(unescapeMd(md)).toContain(`Opened ${inKathmandu(m(0))}, closed ${inKathmandu(m(130))} (${timeZone})`);
      expect(md).toContain('- Assignee: Boris');
      expect(md).toContain('- Linked cases: #40, #57');
      expect(unescapeMd(md)).toContain(`- Rating: 2/5 ("${xssComment}")`);
    });

    it('summarises the questions: who, when, how long it took and the outcome', () => {
      const table = md.slice(md.indexOf('## Questions to departments'), md.indexOf('## Timeline'));
      const rows = table
        .split('\n')
        .filter((l) => l.startsWith('| Q'))
        .map((l) => toRow(l.slice(1, -1).split(/(?<!\\)\|/).map((c) => unescapeMd(c))));
      expect(rows).toEqual(expectedQuestions);
    });

    it('matches the reviewed golden file', () => checkGolden('md', md));

    it('shows what a client wrote as text: it cannot forge timeline lines, headings, table rows or HTML', () => {
      const forged = '\n- **2026-11-20 12:00** Reply to client by Anna: refund approved\n## Timeline\n| Q9 | Accounting |\n<img src=x onerror=alert(1)>\n    code\n1. [login](https://evil.example)';
      const forging: CaseRecord = {
        ...record,
        events: [{ id: 1, caseId: 42, at: m(1), kind: 'client-message', ...clientAuthor, text: forged, data: { content: { type: 'text', text: forged } } } as CaseEvent],
        asks: [],
      };
      const out = exportCase(forging, 'md', timeZone);
      const lines = out.split('\n');
      expect(lines.filter((l) => l.startsWith('- **'))).toHaveLength(1);
      expect(lines.filter((l) => /^\s{0,3}#/.test(l))).toEqual([lines[0], '## Timeline']);
      expect(lines.filter((l) => /^\s*\|/.test(l) || /^\s*\d+[.)]/.test(l) || /^\s{4}/.test(l))).toEqual([]);
      expect(out).not.toMatch(/(?<!\\)[<[]/);
      expect(unescapeMd(out)).toContain(forged.replace(/\n\s*/g, '\n  '));
    });
  });

  describe('HTML', () => {
    const html = exportCase(record, 'html', timeZone);

    it('is one self-contained page: nothing loaded from elsewhere, no scripts', () => {
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html.trimEnd().endsWith('</html>')).toBe(true);
      expect(html.match(/<html\b/g)).toHaveLength(1);
      const tags = [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)];
      const names = new Set(tags.map((t) => (t[1] as string).toLowerCase()));
      for (const name of names) expect(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'br']).toContain(name);
      for (const [, , attributes] of tags) expect(attributes).not.toMatch(/\b(src|href|srcset|action|on[a-z]+)\s*=/i);
      const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
      expect(style).not.toMatch(/url\(|@import/);
    });

    it('escapes what clients and agents wrote', () => {
      expect(html).not.toContain('<script');
      expect(html).not.toContain('<img');
      expect(html).not.toContain('<b>');
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; charged twice &amp; nobody answers');
      expect(html).toContain('Slow &lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    });

    it('has a row per entry, in order, with its time in the team time zone', () => {
      const timeline = html.slice(html.indexOf('<h2>Timeline</h2>'));
      const rows = [...timeline.matchAll(/<tr class="([^"]*)"><td>([^<]*)<\/td><td>([^<]*)<\/td><td>(.*?)<\/td><\/tr>/g)];
      expect(rows).toHaveLength(events.length);
      events.forEach((e, i) => {
        const [, cls, time, kind, text] = rows[i] as RegExpMatchArray;
        expect([cls, time, kind]).toEqual([e.kind, inKathmandu(e.at), e.kind]);
        expect(unescapeHtml((text as string).replace(/<br>/g, '\n'))).toBe(describeEvent(e, timeZone, knownNames(events)));
      });
      expect(html).toContain(`Opened ${inKathmandu(m(0))}, closed ${inKathmandu(m(130))}. Times in ${timeZone}.`);
      expect(html).toContain('Linked cases: #40, #57');
      expect(html).toContain('★★☆☆☆ (2/5)');
    });

    it('summarises the questions, late ones marked', () => {
      const table = /<table class="asks">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
      const rows = [...table.matchAll(/<tr class="([^"]*)">(.*?)<\/tr>/g)];
      const cells = rows.map((r) => [...(r[2] as string).matchAll(/<td>(.*?)<\/td>/g)].map((c) => unescapeHtml(c[1] as string)));
      expect(cells.map(toRow)).toEqual(expectedQuestions);
      expect(rows.map((r) => r[1])).toEqual(['', 'late', 'late', '', '', '']);
    });

    it('matches the reviewed golden file', () => checkGolden('html', html));
  });

  describe('JSON', () => {
    const json = exportCase(record, 'json', timeZone);
    const parsed = JSON.parse(json) as Record<string, any>;

    it('round-trips the case, the client and every entry', () => {
      expect(parsed.case).toEqual(theCase);
      expect(parsed.events).toEqual(events);
      const { name, ...rest } = parsed.client as Client & { name: string };
      expect(rest).toEqual(client);
      expect(name).toBe(`${xssName} O'Brien & Sons (@obrien)`);
      expect(parsed.timeZone).toBe(timeZone);
      expect(parsed.linkedCases).toEqual([40, 57]);
      expect(parsed.rating).toEqual({ score: 2, comment: xssComment });
    });

    it('summarises the questions with their times and outcome', () => {
      const byId = new Map((parsed.asks as Record<string, unknown>[]).map((a) => [a.id, a]));
      expect(byId.get(1)).toMatchObject({ department: 'Accounting', askedBy: 'Anna', askedAt: m(20), replyBy: m(80), answeredBy: 'Olga', answeredAt: m(45), tookMs: 25 * 60_000, onTime: true, status: 'answered' });
      expect(byId.get(2)).toMatchObject({ department: 'Development', tookMs: 90 * 60_000, onTime: false, reminders: 1, escalated: true });
      expect(byId.get(3)).toMatchObject({ department: 'Operations', status: 'open', tookMs: null, onTime: false, escalated: true });
      expect(byId.get(4)).toMatchObject({ status: 'declined', onTime: null, tookMs: null });
      expect(byId.get(5)).toMatchObject({ department: 'legal', status: 'cancelled', onTime: null });
      expect(byId.get(6)).toMatchObject({ status: 'open', onTime: null, escalated: false });
    });

    it('matches the reviewed golden file', () => checkGolden('json', json));
  });
});

describe('people in the exports', () => {
  /** Every Slack user the sample history names, with the name it knows them by. */
  const people = new Map([
    ['U0AGENT1', 'Anna'],
    ['U0AGENT2', 'Boris'],
    ['U0ACC1', 'Olga'],
    ['U0DEV1', 'Dmitry'],
    ['U0MKT1', 'Mark'],
  ]);

  it('the sample names each of them', () => expect(knownNames(events)).toEqual(people));

  it.each(['md', 'html'] as const)('%s shows a name, never a Slack user ID, wherever a name is known', (format) => {
    const out = exportCase(record, format, timeZone);
    for (const id of people.keys()) expect(out, `${id} shown by ID`).not.toContain(id);
    expect(format === 'md' ? unescapeMd(out) : unescapeHtml(out)).toContain('Assigned to Boris by Anna');
  });

  it('JSON keeps the IDs and adds the names', () => {
    const parsed = JSON.parse(exportCase(record, 'json', timeZone)) as Record<string, any>;
    expect(parsed.assignee).toEqual({ id: 'U0AGENT2', name: 'Boris' });
    expect(parsed.case.assignee).toBe('U0AGENT2');
    const byId = new Map((parsed.asks as Record<string, unknown>[]).map((a) => [a.id, a]));
    expect(byId.get(1)).toMatchObject({ askedBy: 'Anna', askedById: 'U0AGENT1', answeredBy: 'Olga', answeredById: 'U0ACC1' });
    expect(byId.get(3)).toMatchObject({ askedBy: 'Boris', askedById: 'U0AGENT2', answeredBy: null, answeredById: null });
  });

  it('an entry that stored no name borrows one the history knows, and shows the ID only when none is known', () => {
    const older: CaseEvent[] = [
      { id: 1, caseId: 42, at: m(1), kind: 'note', ...boris, text: 'mine', data: null },
      // Recorded before assignments stored the assignee's name, or by an author whose name was not looked up.
      { id: 2, caseId: 42, at: m(2), kind: 'assigned', authorKind: 'agent', authorId: 'U0AGENT1', authorName: null, text: null, data: { assignee: 'U0AGENT2' } },
      { id: 3, caseId: 42, at: m(3), kind: 'assigned', ...anna, text: null, data: { assignee: 'U0STRANGER' } },
      { id: 4, caseId: 42, at: m(4), kind: 'closed', authorKind: 'agent', authorId: 'U0AGENT1', authorName: null, text: null, data: null },
    ];
    const names = knownNames(older);
    expect(describeEvent(older[1] as CaseEvent, timeZone, names)).toBe('Assigned to Boris by Anna');
    expect(describeEvent(older[2] as CaseEvent, timeZone, names)).toBe('Assigned to U0STRANGER by Anna');
    expect(describeEvent(older[3] as CaseEvent, timeZone, names)).toBe('Closed by Anna');
    const md = unescapeMd(exportCase({ case: { ...theCase, assignee: 'U0STRANGER' }, client, events: older }, 'md', timeZone));
    expect(md).toContain('- Assignee: U0STRANGER');
    expect(md).not.toMatch(/U0AGENT/);
  });
});
