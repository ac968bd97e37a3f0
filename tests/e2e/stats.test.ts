import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextTs, sendSlackEvent, sendSlashCommand, type SlackCall } from '../fakes/fake-slack.js';
import type { TgUser } from '../fakes/fake-telegram.js';
import { eventually, redisUrl, signingSecret, startHarness, supportChannel, type Harness } from './harness.js';
import { sampleValue } from '../support/exposition.js';

/** Moscow is UTC+3 all year; the team works in Moscow time. */
const msk = (y: number, m: number, d: number, h: number, min = 0) => Date.UTC(y, m - 1, d, h - 3, min);

const departments = {
  departments: [
    {
      id: 'dev',
      name: 'Development',
      slackChannel: 'C0DEV',
      replyWithin: '2h',
      mention: ['U0DEV1'],
      hours: { timezone: 'Europe/Moscow', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' },
    },
    { id: 'accounting', name: 'Accounting', aliases: ['acc'], slackChannel: 'C0ACC', replyWithin: '1h' },
  ],
};

const ivan: TgUser = { id: 7101, first_name: 'Ivan', last_name: 'Petrov', language_code: 'en' };
const olena: TgUser = { id: 7102, first_name: 'Olena', language_code: 'en' };

/** The app's clock: moved by the test between steps, so times in the history are known exactly. */
let now = msk(2026, 11, 27, 16, 55);
const clock = { now: () => now };

let h: Harness;
let caseA: { caseId: number; threadTs: string };
let caseB: { caseId: number; threadTs: string };

/** The question's message in a department channel, once posted. */
async function questionTs(channel: string, text: string): Promise<string> {
  const call = await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === channel && !c.params.thread_ts && String(c.params.text).includes(text));
  return h.slack.messages(channel).find((m) => m.text === call.params.text)?.ts as string;
}

let commandCounter = 0;
/** Runs a slash command as Slack sends it; resolves with the HTTP answer and what the app posted to the response_url. */
async function slash(user: string, channel: string, text: string): Promise<{ status: number; body: string; answer: SlackCall }> {
  const id = `cmd-${++commandCounter}`;
  const res = await sendSlashCommand(h.url, signingSecret, {
    command: '/repka',
    text,
    user_id: user,
    user_name: user.toLowerCase(),
    channel_id: channel,
    channel_name: channel.toLowerCase(),
    api_app_id: 'A0REPKA',
    response_url: h.slack.responseUrl(id),
  });
  const answer = await h.slack.waitFor('response_url', (c) => c.params.id === id);
  return { ...res, answer };
}

/** Everything a person sees in an answer or view: its text and the text of its blocks. */
const shown = (params: Record<string, any>) => `${String(params.text ?? '')}\n${JSON.stringify(params.blocks ?? params.view?.blocks ?? [])}`;

/** Rows the app would write if a command changed anything. */
const stored = async () => ((await h.db.get('select (select count(*) from case_events) + (select count(*) from outbox) + (select count(*) from asks) as n')) as { n: number }).n;

beforeAll(async () => {
  h = await startHarness({ departments, env: { SLACK_AGENTS: 'U0AGENT1,U0AGENT2', TEAM_TIMEZONE: 'Europe/Moscow' }, options: { clock } });

  // Fri 27 Nov 16:55: Ivan writes; Anna answers him five minutes later and asks Development (2 working hours: due Mon 10:00).
  caseA = await h.openCase(ivan, 'The invoice shows the wrong amount');
  now = msk(2026, 11, 27, 17, 0);
  await h.agentSays(caseA.threadTs, 'U0AGENT1', '!reply Checking with the team.');
  await h.agentSays(caseA.threadTs, 'U0AGENT1', '!ask dev why is the invoice amount wrong?');
  const q1 = await questionTs('C0DEV', 'why is the invoice amount wrong?');

  // Mon 30 Nov 10:00, exactly at the deadline: Dmitry answers (2 working hours, on time). Anna asks Accounting (due 11:00).
  now = msk(2026, 11, 30, 10, 0);
  await h.agentSays(q1, 'U0DEV1', 'A rounding bug, fixed.', 'C0DEV');
  await h.agentSays(caseA.threadTs, 'U0AGENT1', '!ask acc how much do we refund?');
  const q2 = await questionTs('C0ACC', 'how much do we refund?');

  // 12:30: Accounting answers late (2h30m). 13:00: Anna closes the case; Olena writes.
  now = msk(2026, 11, 30, 12, 30);
  await h.agentSays(q2, 'U0ACC1', 'Refund 120.', 'C0ACC');
  now = msk(2026, 11, 30, 13, 0);
  await h.agentSays(caseA.threadTs, 'U0AGENT1', '!close refunded');
  caseB = await h.openCase(olena, 'My order is late');

  // 13:10: Boris answers Olena (first reply in 10 minutes) and asks Development with a one-second deadline, which passes.
  now = msk(2026, 11, 30, 13, 10);
  await h.agentSays(caseB.threadTs, 'U0AGENT2', '!reply Let me check.');
  await h.agentSays(caseB.threadTs, 'U0AGENT2', '!ask dev in 1s where is the order?');
  await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === caseB.threadTs && /overdue/.test(String(c.params.text)), 15_000);
  now = msk(2026, 11, 30, 13, 30);

  // Ivan rates case A 4 of 5 (stored as the rating flow stores it).
  await h.db.run("insert into case_events (case_id, at, kind, author_kind, author_id, data) values (?, ?, 'rated', 'client', ?, ?)", caseA.caseId, now, String(ivan.id), JSON.stringify({ score: 4 }));
  now = msk(2026, 11, 30, 13, 31);
}, 60_000);

afterAll(async () => {
  await h?.stop(true);
});

describe('/repka stats', () => {
  it('answers an agent anywhere, privately, with the figures of the seeded history', async () => {
    const { status, answer } = await slash('U0AGENT1', 'C0ELSEWHERE', 'stats 30d');
    expect(status).toBe(200);
    expect(answer.params.response_type).toBe('ephemeral');
    const text = shown(answer.params);
    expect(text).toContain('Support report: last 30 days');
    expect(text).toContain('*Cases*: 2 opened, 1 closed');
    // Fri 17:00 → Mon 10:00 is 2 working hours; the one-second question is overdue.
    expect(text).toContain('*Development*: 2 questions · on time 50% (1/2) · reply median 2h, p90 2h · overdue now 1');
    expect(text).toContain('*Accounting*: 1 question · on time 0% (0/1) · reply median 2h30m, p90 2h30m · overdue now 0');
    // Case A: opened Fri 16:55, first reply 17:00, closed Mon 13:00 (68h05m).
    expect(text).toContain('*Anna*: 1 case handled · median first reply 5m (1) · median time to close 2d20h');
    expect(text).toContain('*Boris*: 0 cases handled · median first reply 10m (1) · median time to close —');
    expect(text).toContain('*Satisfaction*: 4.0 / 5 from 1 rating');
    expect(text).toContain('Cases opened by weekday: Mon 1 · Tue 0 · Wed 0 · Thu 0 · Fri 1 · Sat 0 · Sun 0');
    expect(text).toContain('Busiest hours for new cases: 13:00–14:00 (1), 16:00–17:00 (1)');
    expect(answer.params.blocks?.[0]).toMatchObject({ type: 'header' });
  });

  it('sends the same report as a page into the direct message of whoever asked, and says so', async () => {
    const { answer } = await slash('U0AGENT2', 'C0ELSEWHERE', 'stats 2026-11-27..2026-11-30');
    expect(shown(answer.params)).toContain('The same report as a page with charts (`repka-report-2026-11-27..2026-11-30.html`) is on its way to your direct messages with Repka.');
    const opened = await h.slack.waitFor('conversations.open', (c) => c.params.users === 'U0AGENT2');
    const upload = await h.slack.waitFor('files.completeUploadExternal', (c) => c.params.channel_id === 'DU0AGENT2');
    expect(opened.params.users).toBe('U0AGENT2');
    expect(String(upload.params.initial_comment)).toContain('The support report for 2026-11-27 – 2026-11-30 as a page with charts (times in Europe/Moscow)');
    const fileId = (upload.params.files as { id: string }[])[0]?.id as string;
    const file = h.slack.uploadedFile(fileId);
    expect(file?.filename).toBe('repka-report-2026-11-27..2026-11-30.html');
    const html = file?.bytes.toString('utf8') ?? '';
    // The figures /repka stats gave above, as a page: Development 2 questions, 1 of 2 on time, replies 2h.
    expect(html).toContain('<tr><td>Development</td><td>2</td><td>2</td><td>1</td><td>50%</td><td>1</td><td>2h</td><td>2h</td><td>1</td></tr>');
    expect(html).toContain('<tr><td>Anna</td><td>1</td><td>2d20h</td><td>1</td><td>5m</td></tr>');
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(h.slack.messages('DU0AGENT2').at(-1)?.files).toEqual([{ id: fileId, title: 'Support report: 2026-11-27 – 2026-11-30' }]);
  });

  it('tells the person privately when Slack refuses the page, the figures already given', async () => {
    h.slack.failNext('files.getUploadURLExternal', 1, { status: 200, body: { ok: false, error: 'file_uploads_disabled' } });
    const { answer } = await slash('U0AGENT1', supportChannel, 'stats 30d');
    expect(shown(answer.params)).toContain('*Development*: 2 questions');
    const notice = await h.slack.waitFor('response_url', (c) => String(c.params.text).includes('could not be sent'));
    expect(notice.params).toMatchObject({ response_type: 'ephemeral', text: 'The report as a page could not be sent to you: Slack answered `file_uploads_disabled`. The figures above are complete.' });
  });

  it('reads a range of days in the team time zone', async () => {
    const { answer } = await slash('U0AGENT2', supportChannel, 'stats 2026-11-30..2026-11-30');
    const text = shown(answer.params);
    expect(text).toContain('Support report: 2026-11-30 (2026-11-30 00:00 – 2026-12-01 00:00, Europe/Moscow)');
    expect(text).toContain('*Cases*: 1 opened, 1 closed');
    expect(text).toContain('*Development*: 1 question · on time 0% (0/1) · no answers yet · overdue now 1');
    expect(text).toContain('Cases opened by weekday: Mon 1 · Tue 0 · Wed 0 · Thu 0 · Fri 0');
    expect(text).toContain('*Anna*: 1 case handled · median first reply — (0)');
  });

  it('defaults to the last 7 days', async () => {
    const { answer } = await slash('U0AGENT1', supportChannel, 'stats');
    expect(shown(answer.params)).toContain('Support report: last 7 days');
  });

  it('answers a malformed period privately, changing nothing', async () => {
    const before = await stored();
    const posts = h.slack.callsTo('chat.postMessage').length;
    const { status, answer } = await slash('U0AGENT1', supportChannel, 'stats last-month');
    expect(status).toBe(200);
    expect(answer.params.response_type).toBe('ephemeral');
    expect(answer.params.text).toContain('"last-month" is not a period');
    expect(answer.params.text).toContain('YYYY-MM-DD..YYYY-MM-DD');
    expect(answer.params.blocks).toBeUndefined();
    const reversed = await slash('U0AGENT1', supportChannel, 'stats 2026-12-01..2026-11-01');
    expect(reversed.answer.params.text).toContain('ends before it starts');
    expect(await stored()).toBe(before);
    expect(h.slack.callsTo('chat.postMessage').length).toBe(posts);
  });

  it('refuses a non-agent outside the support channel, privately, and answers one inside it', async () => {
    const before = await stored();
    const refused = await slash('U0STRANGER', 'C0RANDOM', 'stats 30d');
    expect(refused.status).toBe(200);
    expect(refused.answer.params.response_type).toBe('ephemeral');
    expect(refused.answer.params.text).toContain('Team reports are for support agents');
    expect(refused.answer.params.text).toContain(`<#${supportChannel}>`);
    expect(shown(refused.answer.params)).not.toContain('Development');
    expect(await stored()).toBe(before);

    const inChannel = await slash('U0STRANGER', supportChannel, 'stats 30d');
    expect(shown(inChannel.answer.params)).toContain('*Development*: 2 questions');
  });

  it('answers /repka alone or with an unknown word with help', async () => {
    const help = await slash('U0STRANGER', 'C0RANDOM', '');
    expect(help.answer.params.response_type).toBe('ephemeral');
    expect(help.answer.params.text).toContain('/repka stats 30d');
    const unknown = await slash('U0AGENT1', supportChannel, 'report now');
    expect(unknown.answer.params.text).toContain('`/repka report` is not a Repka command');
    expect(unknown.answer.params.text).toContain('/repka stats');
  });

  it('is declared in the Slack manifest with the Home tab and its event', () => {
    const manifest = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8');
    expect(manifest).toMatch(/- command: \/repka/);
    expect(manifest).toMatch(/home_tab_enabled: true/);
    expect(manifest).toMatch(/- app_home_opened/);
    expect(manifest).toMatch(/- commands\b/);
  });
});

describe('App Home', () => {
  async function openHome(user: string): Promise<SlackCall> {
    const before = h.slack.callsTo('views.publish').filter((c) => c.params.user_id === user).length;
    const ts = nextTs();
    const res = await sendSlackEvent(h.url, signingSecret, { type: 'app_home_opened', user, channel: `D0${user}`, tab: 'home', event_ts: ts });
    expect(res.status).toBe(200);
    const calls = await h.slack.waitForCount('views.publish', before + 1, (c) => c.params.user_id === user);
    return calls[calls.length - 1] as SlackCall;
  }

  it("publishes the agent's open cases with links, the overdue questions that concern them and the team figures", async () => {
    const call = await openHome('U0AGENT2');
    expect(call.params.view.type).toBe('home');
    const text = shown(call.params);
    expect(text).toContain('Your open cases* (1)');
    expect(text).toContain(`https://fake.slack.test/archives/${supportChannel}/p${caseB.threadTs.replace('.', '')}|#${caseB.caseId}>`);
    expect(text).toContain('Olena');
    expect(text).not.toContain(`|#${caseA.caseId}>`);
    expect(text).toContain('Overdue questions that concern you* (1)');
    expect(text).toContain('where is the order?');
    expect(text).toContain('Team figures');
    expect(text).toContain('*Development*: 2 questions · on time 50% (1/2)');
    expect(text).toContain('*Satisfaction*: 4.0 / 5 from 1 rating');
  });

  it("shows a department member the overdue question of their department, without team figures", async () => {
    const text = shown((await openHome('U0DEV1')).params);
    expect(text).toContain('No open cases are assigned to you.');
    expect(text).toContain('Overdue questions that concern you* (1)');
    expect(text).toContain('where is the order?');
    expect(text).not.toContain('Team figures');
  });

  it('is refreshed on every open', async () => {
    const first = shown((await openHome('U0AGENT1')).params);
    expect(first).toContain('No open cases are assigned to you.');
    expect(first).toContain('No overdue questions concern you.');
    await h.agentSays(caseB.threadTs, 'U0AGENT1', '!assign me');
    const second = shown((await openHome('U0AGENT1')).params);
    expect(second).toContain('Your open cases* (1)');
    expect(second).toContain('Overdue questions that concern you* (1)');
    await h.agentSays(caseB.threadTs, 'U0AGENT2', '!assign me');
  });
});

describe('/metrics', () => {
  const value = sampleValue;

  it('counts cases and questions by department, reply times, deliveries and queue depths as they happened', async () => {
    // One more question with a deadline two hours ahead: a delayed job in the deadline queue.
    await h.agentSays(caseB.threadTs, 'U0AGENT2', '!ask acc in 2h is a discount possible?');
    await questionTs('C0ACC', 'is a discount possible?');
    const pending = async () => ((await h.db.get("select count(*) as n from outbox where status = 'pending'")) as { n: number }).n;
    await eventually(async () => await pending() === 0, 10_000, 'every outbox message delivered');
    const text = await (await fetch(`${h.url}/metrics`)).text();

    expect(value(text, 'repka_cases_opened_total')).toBe(2);
    expect(value(text, 'repka_cases_closed_total')).toBe(1);
    expect(value(text, 'repka_cases_open')).toBe(1);
    expect(value(text, 'repka_asks_opened_total{department="dev"}')).toBe(2);
    expect(value(text, 'repka_asks_opened_total{department="accounting"}')).toBe(2);
    expect(value(text, 'repka_asks_answered_total{department="dev"}')).toBe(1);
    expect(value(text, 'repka_asks_answered_total{department="accounting"}')).toBe(1);
    expect(value(text, 'repka_asks_overdue_total{department="dev"}')).toBe(1);
    expect(value(text, 'repka_asks_overdue_total{department="accounting"}')).toBe(0);
    expect(value(text, 'repka_asks_open_overdue{department="dev"}')).toBe(1);
    expect(value(text, 'repka_asks_open{department="accounting"}')).toBe(1);
    expect(text).toMatch(/^# TYPE repka_ask_reply_seconds histogram$/m);
    expect(value(text, 'repka_ask_reply_seconds_bucket{department="dev",le="3600"}')).toBe(0);
    expect(value(text, 'repka_ask_reply_seconds_bucket{department="dev",le="7200"}')).toBe(1);
    expect(value(text, 'repka_ask_reply_seconds_sum{department="dev"}')).toBe(7200);
    expect(value(text, 'repka_ask_reply_seconds_sum{department="accounting"}')).toBe(9000);
    expect(value(text, 'repka_ask_reply_seconds_count{department="accounting"}')).toBe(1);

    // Every delivery is in the latency histogram, per destination.
    expect(text).toMatch(/^# TYPE repka_outbox_delivery_seconds histogram$/m);
    for (const to of ['case-card', 'case-thread', 'department', 'client']) {
      const delivered = value(text, `repka_outbox_delivered_total{to="${to}"}`);
      expect(delivered, to).toBeGreaterThan(0);
      expect(value(text, `repka_outbox_delivery_seconds_count{to="${to}"}`), to).toBe(delivered);
      expect(value(text, `repka_outbox_delivery_seconds_bucket{to="${to}",le="+Inf"}`), to).toBe(delivered);
    }
    expect(value(text, 'repka_outbox_pending')).toBe(0);
    expect(value(text, 'repka_outbox_oldest_pending_seconds')).toBe(0);
    expect(value(text, 'repka_inbound_total{source="slack"}')).toBeGreaterThan(0);

    // The process's own metrics, from prom-client's collectDefaultMetrics.
    expect(value(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(value(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(value(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
    expect(text).toMatch(/^# TYPE nodejs_gc_duration_seconds histogram$/m);

    // Queue depths as BullMQ itself counts them.
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const deadlines = new Queue('deadlines', { connection, prefix: h.config.queuePrefix });
    try {
      const counts = await deadlines.getJobCounts('waiting', 'delayed');
      expect(counts.delayed).toBeGreaterThanOrEqual(1);
      const fresh = await (await fetch(`${h.url}/metrics`)).text();
      expect(value(fresh, 'repka_queue_jobs{queue="deadlines",state="delayed"}')).toBe(counts.delayed);
      expect(value(fresh, 'repka_queue_jobs{queue="deadlines",state="waiting"}')).toBe(counts.waiting);
      // Everything is delivered: no delivery job is left (the next test shows the same series counting).
      expect(value(fresh, 'repka_queue_jobs{queue="outbox",state="waiting"}')).toBe(0);
    } finally {
      await deadlines.close();
      // quit, not disconnect: commands the queue still has in flight get their answers instead of rejecting unhandled.
      await connection.quit();
    }
  });

  it('shows the outbox backlog while Slack fails', async () => {
    const count = async (where: string) => ((await h.db.get(`select count(*) as n from outbox where status = 'pending' ${where}`)) as { n: number }).n;
    h.slack.failNext('chat.postMessage', 100_000, { status: 500 });
    try {
      await h.agentSays(caseB.threadTs, 'U0AGENT2', '!ask acc is the courier insured?');
      // The question and its post in the case thread stay pending while Slack fails; the client's
      // Telegram notice and the card's update (chat.update still works) go out.
      await eventually(async () => await count("and stream like 'chat-%'") === 0 && await count("and stream like 'card-%'") === 0, 10_000, 'the other messages delivered');
      expect(await count('')).toBe(2);
      const text = await (await fetch(`${h.url}/metrics`)).text();
      expect(value(text, 'repka_outbox_pending')).toBe(2);
    } finally {
      h.slack.failNext('chat.postMessage', 0, {});
    }
    await eventually(async () => await count('') === 0, 15_000, 'the backlog delivered');
    expect(value(await (await fetch(`${h.url}/metrics`)).text(), 'repka_outbox_pending')).toBe(0);
  });

  it('counts the delivery jobs waiting while the outbox queue is paused, and none once it runs again', async () => {
    const pending = async () => ((await h.db.get("select count(*) as n from outbox where status = 'pending'")) as { n: number }).n;
    await eventually(async () => await pending() === 0, 10_000, 'a quiet outbox');
    const waiting = async () => value(await (await fetch(`${h.url}/metrics`)).text(), 'repka_queue_jobs{queue="outbox",state="waiting"}');
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const outbox = new Queue('outbox', { connection, prefix: h.config.queuePrefix });
    try {
      // No job left from earlier tests (a card update's job waits half a second before it runs).
      await eventually(async () => Object.values(await outbox.getJobCounts('waiting', 'delayed', 'prioritized', 'active')).every((n) => n === 0), 5000, 'an idle outbox queue');
      try {
        // Paused (as an operator would, from a BullMQ dashboard): Repka's worker takes no job.
        await outbox.pause();
        // Three delivery jobs queued (as the sweep or a busy process queues them; a woken stream is
        // drained in the process when it can be, without a job): each names a stream of its own.
        await outbox.addBulk(['U0AGENT1', 'U0AGENT2', 'U0DEV1'].map((user, i) => ({ name: 'deliver', data: { outboxId: 900_000 + i, streams: [`staff-C0SUPPORT-${user}`] }, opts: { jobId: `out-${900_000 + i}`, removeOnComplete: true, removeOnFail: true } })));
        await eventually(async () => (await outbox.getWaitingCount()) === 3, 5000, 'three jobs queued');
        expect(await waiting()).toBe(3);
      } finally {
        await outbox.resume();
      }
      await eventually(async () => (await outbox.getWaitingCount()) === 0, 10_000, 'the jobs run');
      expect(await waiting()).toBe(0);
    } finally {
      await outbox.close();
      await connection.quit();
    }
  });
});

describe('/repka stats when SLACK_AGENTS is unset', () => {
  let h2: Harness;
  beforeAll(async () => {
    h2 = await startHarness({ departments });
    h2.slack.setMembers(supportChannel, ['U0AGENT1', 'U0AGENT2']);
  });
  afterAll(async () => {
    await h2?.stop(true);
  });

  const ask = async (user: string, channel: string) => {
    const id = `unset-${user}`;
    await sendSlashCommand(h2.url, signingSecret, { command: '/repka', text: 'stats 7d', user_id: user, channel_id: channel, response_url: h2.slack.responseUrl(id) });
    return (await h2.slack.waitFor('response_url', (c) => c.params.id === id)).params;
  };

  it('treats members of the support channel as agents anywhere, and refuses others outside it', async () => {
    expect(shown(await ask('U0AGENT1', 'C0ELSEWHERE'))).toContain('Support report: last 7 days');
    expect((await ask('U0DEV1', 'C0ELSEWHERE')).text).toContain('Team reports are for support agents');
  });
});
