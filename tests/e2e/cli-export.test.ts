import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TgUser } from '../fakes/fake-telegram.js';
import { eventually, startHarness, type Harness } from './harness.js';
import { npmCheckout } from '../support/built-repka.js';

/** A checkout whose dist/ is the test run's build of the sources as they are now (made on first use). */
let checkout: string | undefined;
let checkoutParent: string | undefined;
const project = () => (checkout ??= npmCheckout((checkoutParent = mkdtempSync(join(tmpdir(), 'repka-cli-checkout-')))));
afterAll(() => {
  if (checkoutParent !== undefined) rmSync(checkoutParent, { recursive: true, force: true });
});
const timeZone = 'Asia/Kathmandu';
/** Kathmandu is UTC+5:45 all year. */
const inKathmandu = (epochMs: number) => new Date(epochMs + (5 * 60 + 45) * 60_000).toISOString().slice(0, 16).replace('T', ' ');

const departments = { departments: [{ id: 'accounting', name: 'Accounting Dept', aliases: ['acc'], slackChannel: 'C0ACC', replyWithin: '1h' }] };
const client: TgUser = { id: 9700, first_name: 'Nina', last_name: '<Ivanova>', language_code: 'en' };

let h: Harness;
let caseId: number;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run [--silent] cli -- <args>` in the project, as an operator types it, against the test's database. */
function cli(args: string[], options: { silent?: boolean } = {}): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_PATH: h.config.databasePath, ...(h.config.databaseUrl === undefined ? {} : { DATABASE_URL: h.config.databaseUrl }), DEPARTMENTS_FILE: join(h.dataDir, 'departments.json'), TEAM_TIMEZONE: timeZone };
  const npmArgs = ['run', ...(options.silent ? ['--silent'] : []), 'cli', '--', ...args];
  return new Promise((resolve) => {
    execFile('npm', npmArgs, { cwd: project(), env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  h = await startHarness({ departments, env: { SLACK_AGENTS: 'U0AGENT1', TEAM_TIMEZONE: timeZone, SLACK_CHANNEL_POSTS_PER_SECOND: '0' } });
  h.slack.addUser({ id: 'U0ACC1', name: 'olga', real_name: 'Olga', display_name: 'Olga' });
  const opened = await h.openCase(client, 'I was charged <twice> & nobody answers');
  caseId = opened.caseId;
  await h.agentSays(opened.threadTs, 'U0AGENT1', '!ask acc in 2h was the card charged twice?');
  const question = await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === 'C0ACC' && String(c.params.text).includes('charged twice?'));
  const questionTs = h.slack.messages('C0ACC').find((m) => m.text === question.params.text)?.ts as string;
  await h.agentSays(questionTs, 'U0ACC1', 'Yes; the second charge is refunded.', 'C0ACC');
  await h.agentSays(opened.threadTs, 'U0AGENT1', '!reply Refunded, sorry!');
  await h.agentSays(opened.threadTs, 'U0AGENT1', '!close refund issued');
  await eventually(async () => ((await h.db.get("select count(*) as n from case_events where case_id = ? and kind = 'closed'", caseId)) as { n: number }).n === 1, 5000, 'the case closed');
}, 60_000);
afterAll(async () => {
  await h.stop(true);
});

describe('npm run cli -- export', () => {
  it('prints the case with its question as one printable HTML page, read while Repka runs', async () => {
    const { code, stdout, stderr } = await cli(['export', String(caseId), '--format', 'html'], { silent: true });
    expect(code, stderr).toBe(0);
    // With --silent, npm prints nothing of its own: the output can be redirected into a file as it is.
    expect(stdout.startsWith('<!doctype html>')).toBe(true);
    expect(stdout.trimEnd().endsWith('</html>')).toBe(true);
    expect(stdout).toContain(`<h1>Case #${caseId}: Nina &lt;Ivanova&gt;</h1>`);
    expect(stdout).toContain('I was charged &lt;twice&gt; &amp; nobody answers');
    expect(stdout).toContain(`Times in ${timeZone}.`);
    const ask = (await h.db.get('select id, asked_at as "askedAt", deadline_at as "deadlineAt", answered_at as "answeredAt" from asks where case_id = ?', caseId)) as { id: number; askedAt: number; deadlineAt: number; answeredAt: number };
    const events = await h.db.all<{ at: number }>('select at from case_events where case_id = ? order by id', caseId);
    const row = /<table class="asks">[\s\S]*?<tr class="[^"]*">(.*?)<\/tr>/.exec(stdout)?.[1] ?? '';
    const cells = [...row.matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1]);
    expect(cells).toEqual([`Q${ask.id}`, 'Accounting Dept', 'was the card charged twice?', 'Anna', inKathmandu(ask.askedAt), inKathmandu(ask.deadlineAt), 'Olga', expect.stringMatching(/^(under a second|\d+s)$/), 'answered on time', '0']);
    const timeline = stdout.slice(stdout.indexOf('<h2>Timeline</h2>'));
    const times = [...timeline.matchAll(/<tr class="[^"]*"><td>([^<]*)<\/td>/g)].map((r) => r[1]);
    expect(times).toEqual(events.map((e) => inKathmandu(e.at)));
    expect(timeline).toContain('Answer to Q');
    expect(timeline).toContain('Yes; the second charge is refunded.');
    expect(timeline).toContain('Reply to client by Anna: Refunded, sorry!');
    expect(timeline).toContain('Closed by Anna: refund issued');
  });

  it('prints Markdown by default and JSON that parses', async () => {
    const [md, json, plain, inlineJson] = await Promise.all([
      cli(['export', String(caseId)], { silent: true }),
      cli(['export', String(caseId), '--format', 'json'], { silent: true }),
      cli(['export', String(caseId), '--format', 'md']),
      cli(['export', String(caseId), '--format=json'], { silent: true }),
    ]);
    expect(inlineJson.stdout).toBe(json.stdout);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout.startsWith(`# Case #${caseId}: Nina \\<Ivanova\\>, closed`)).toBe(true);
    expect(md.stdout).toContain('| answered on time |');
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { case: { id: number; status: string }; asks: { department: string; onTime: boolean }[]; events: unknown[] };
    expect(parsed.case).toMatchObject({ id: caseId, status: 'closed' });
    expect(parsed.asks).toMatchObject([{ department: 'Accounting Dept', onTime: true }]);
    // Without --silent npm adds its banner, but the export itself is all there.
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain(md.stdout);
  });

  it.each([
    ['a case that does not exist', ['export', '999999', '--format', 'html'], 'There is no case #999999.'],
    ['an unknown format', ['export', 'CASE', '--format', 'pdf'], 'Unknown format "pdf"'],
    ['no case number', ['export', '--format', 'html'], 'Give a case number'],
    ['an unknown command', ['import', 'CASE'], 'Unknown command "import"'],
  ])('exits 1 for %s, saying why on stderr and printing nothing', async (_, args, message) => {
    const { code, stdout, stderr } = await cli(args.map((a) => (a === 'CASE' ? String(caseId) : a)), { silent: true });
    expect(code).toBe(1);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
  });
});
