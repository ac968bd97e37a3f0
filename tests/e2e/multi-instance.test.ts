import { afterEach, describe, expect, it } from 'vitest';
import type { FakeSlack, StoredMessage } from '../fakes/fake-slack.js';
import { commandUpdate, postTelegramUpdate, textUpdate, type TgUser } from '../fakes/fake-telegram.js';
import { eventually, pause, supportChannel, webhookSecret } from './harness.js';
import { Cluster, flushPrefix } from './instances.js';

// The contract's last guarantee under faults, with real processes: several Repka instances on one
// PostgreSQL database, one Redis and one QUEUE_PREFIX, behind a load balancer; any of them killed
// or stopped at any moment, or all of them down with Redis emptied. Nothing accepted is lost,
// order per thread and per chat holds, each notice fires once.
//
// KEEP_MI_LOGS=1 keeps each test's folder (instances' stderr at LOG_LEVEL=info) for a diagnosis.

const clusters: Cluster[] = [];
async function cluster(instances: number, departments?: unknown): Promise<Cluster> {
  const c = await Cluster.create({ instances, departments });
  clusters.push(c);
  return c;
}

afterEach(async (context) => {
  const ended = clusters.splice(0);
  // A failed test keeps its folder (the instances' logs) for the diagnosis.
  const keep = process.env.KEEP_MI_LOGS !== undefined || (context.task.result?.state === 'fail' && context.task.fails !== true);
  for (const c of ended) {
    if (keep) console.log(`multi-instance logs kept in ${c.dir}`);
    await c.close(keep);
  }
  for (const c of ended) {
    c.slack.assertNoViolations();
    c.telegram.assertNoViolations();
  }
});

const clientsOf = (firstId: number, prefix: string, n: number): TgUser[] =>
  Array.from({ length: n }, (_, i) => ({ id: firstId + i, first_name: `${prefix}${String(i).padStart(2, '0')}`, language_code: 'en' }));

/** A client's text number `i`: all of one width, so none is part of another. */
const clientText = (client: TgUser, i: number | string) => `${client.first_name.toLowerCase()}-m${typeof i === 'number' ? String(i).padStart(3, '0') : i}`;

/** The client's case cards and the posts in their threads, in the order Slack stored them. */
function postsOf(slack: FakeSlack, client: TgUser): StoredMessage[] {
  const all = slack.messages(supportChannel);
  const roots = new Set(all.filter((m) => m.thread_ts === undefined && (m.text ?? '').includes(`from ${client.first_name}:`)).map((m) => m.ts));
  return all.filter((m) => roots.has(m.ts) || (m.thread_ts !== undefined && roots.has(m.thread_ts)));
}

const cardsOf = (slack: FakeSlack, client: TgUser) => slack.messages(supportChannel).filter((m) => m.thread_ts === undefined && (m.text ?? '').includes(`from ${client.first_name}:`));

/** How often each of `texts` shows in `posts` (a post may carry several), and the order they first showed in. */
function tally(posts: readonly { text?: string }[], texts: readonly string[]): { counts: Map<string, number>; firstSeen: string[] } {
  const counts = new Map<string, number>(texts.map((t) => [t, 0]));
  const firstSeen: string[] = [];
  for (const post of posts) {
    const text = post.text ?? '';
    const inPost = texts.filter((t) => text.includes(t)).sort((a, b) => text.indexOf(a) - text.indexOf(b));
    for (const t of inPost) {
      if (counts.get(t) === 0) firstSeen.push(t);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
  }
  return { counts, firstSeen };
}

const notOnce = (counts: Map<string, number>) => [...counts].filter(([, n]) => n !== 1).map(([t, n]) => `${t}×${n}`);

/** Waits until every text of every client is in its case thread; the error names what is missing. */
async function allInSlack(c: Cluster, expected: ReadonlyMap<TgUser, readonly string[]>, timeoutMs: number): Promise<void> {
  const missing = () => [...expected].flatMap(([client, texts]) => {
    const { counts } = tally(postsOf(c.slack, client), texts);
    return texts.filter((t) => counts.get(t) === 0);
  });
  await eventually(() => missing().length === 0, timeoutMs, 'every accepted message in its case thread').catch((error: Error) => {
    const left = missing();
    throw new Error(`${error.message}; ${left.length} missing: ${left.slice(0, 40).join(', ')}`);
  });
}

/** The texts Telegram has for the chat (successful sends only), in order. */
const textsTo = (c: Cluster, client: TgUser) => c.telegram.sentTo(client.id).map((m) => String(m.text ?? m.caption ?? ''));

/**
 * The client sends /help and its answer arrives: one chat's messages go out in order, so what the
 * chat has then is everything Repka queued for it before. Returns those texts, the answer left out.
 */
async function textsBeforeHelp(c: Cluster, client: TgUser): Promise<string[]> {
  const before = textsTo(c, client).length;
  await c.deliverUpdate(commandUpdate(client, '/help'));
  await eventually(() => textsTo(c, client).length > before && textsTo(c, client).slice(before).some((t) => t.includes('/status')), 30_000, `the /help answer to ${client.first_name}`);
  const texts = textsTo(c, client);
  expect(texts.at(-1), client.first_name).toContain('/status');
  return texts.slice(0, -1);
}

/** The client's texts in Repka's history (their case's client events), in order. */
async function historyOf(c: Cluster, client: TgUser): Promise<string[]> {
  const rows = await c.db.all<{ text: string | null }>(
    "select e.text from case_events e join cases k on k.id = e.case_id join clients cl on cl.id = k.client_id where cl.telegram_user_id = ? and e.author_kind = 'client' order by e.id",
    client.id,
  );
  return rows.map((r) => r.text ?? '').filter((t) => t.startsWith(`${client.first_name.toLowerCase()}-`));
}

/** The history entries of `kind`, oldest first. */
const kindsOf = (c: Cluster, kind: string) => c.db.all<{ caseId: number; text: string | null; data: string | null }>('select case_id as "caseId", text, data from case_events where kind = ? order by id', kind);

async function outboxLeft(c: Cluster): Promise<{ pending: number; failed: number }> {
  const row = await c.db.get<{ pending: number; failed: number }>("select count(*) filter (where status = 'pending') as pending, count(*) filter (where status = 'failed') as failed from outbox");
  return row ?? { pending: -1, failed: -1 };
}

/** Waits until no outbox row is pending; the error lists those left. */
async function outboxSettled(c: Cluster, timeoutMs = 30_000): Promise<void> {
  await eventually(async () => (await outboxLeft(c)).pending === 0, timeoutMs, 'no pending outbox rows').catch(async (error: Error) => {
    const rows = await c.db.all("select id, stream, attempts, created_at, last_error, payload from outbox where status = 'pending' order by id limit 20");
    throw new Error(`${error.message} (now ${Date.now()}): ${JSON.stringify(rows)}`);
  });
}

/**
 * While a wait goes on, logs every 10 s what is still pending in the outbox (by stream: rows, first
 * id, attempts, age): a stream stuck behind a dead instance shows up here. Returns the stop.
 */
function watchPending(c: Cluster, label: string): () => void {
  const timer = setInterval(() => {
    void c.db
      .all<{ stream: string; n: number; first: number; attempts: number; since: number }>("select stream, count(*) as n, min(id) as first, max(attempts) as attempts, min(created_at) as since from outbox where status = 'pending' group by stream order by min(id) limit 10")
      .then((rows) => {
        if (rows.length > 0) console.log(`[${label}] still pending: ${rows.map((r) => `${r.stream} ×${r.n} from #${r.first} (attempts ${r.attempts}, ${Date.now() - r.since} ms old)`).join('; ')}`);
      })
      .catch(() => undefined);
  }, 10_000);
  return () => clearInterval(timer);
}

/** Logs how long into the test each phase ended, so a slow or failed run shows where the time went. */
function phases(name: string): (phase: string) => void {
  const startedAt = Date.now();
  return (phase) => console.log(`[${name}] ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${phase}`);
}

/** Opens a case for each client (one message each, through the balancer); the case threads' ts by client. */
async function openCases(c: Cluster, clients: readonly TgUser[]): Promise<Map<TgUser, string>> {
  const threads = new Map<TgUser, string>();
  await Promise.all(
    clients.map(async (client) => {
      await c.deliverUpdate(textUpdate(client, clientText(client, 'opn')));
      const card = await eventually(() => cardsOf(c.slack, client)[0], 30_000, `the card of ${client.first_name}`);
      threads.set(client, card.ts);
    }),
  );
  return threads;
}

describe('several instances on one database', () => {
  it('loses nothing and repeats nothing when one of two instances is killed -9 mid-burst and started again', async () => {
    const phase = phases('kill -9');
    const c = await cluster(2);
    // Slack answers each call after 80 ms and carries it out then, even if its caller died: the kill
    // leaves posts in flight that land, which whoever takes the stream over must find, not repeat.
    c.slack.setDelay(80);
    await Promise.all([c.start(0), c.start(1)]);
    const clients = clientsOf(71_000, 'Kb', 20);
    const perClient = 15;
    const sent = new Map<TgUser, string[]>(clients.map((client) => [client, []]));
    const accepted = new Map<TgUser, string[]>(clients.map((client) => [client, []]));
    let retries = 0;
    const burstStart = Date.now();
    // Each client's next message goes once the webhook answered 200 for the one before (Telegram
    // sends one chat's updates one at a time), and a non-200 is sent again with the same update_id.
    const done = Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < perClient; i++) {
          const text = clientText(client, i);
          sent.get(client)?.push(text);
          const attempts = await c.deliverUpdate(textUpdate(client, text));
          retries += attempts - 1;
          accepted.get(client)?.push(text);
          await pause(250);
        }
      }),
    );
    const total = () => [...accepted.values()].reduce((n, texts) => n + texts.length, 0);
    await eventually(() => total() >= 60 && clients.filter((client) => postsOf(c.slack, client).length > 0).length >= 10, 60_000, 'the burst under way');
    const killedAt = await c.kill9(1);
    const acceptedAtKill = total();
    phase(`instance 1 killed, ${acceptedAtKill} messages accepted`);
    // Started again at once, while the burst goes on.
    await c.start(1);
    phase(`instance 1 healthy again, ${total()} messages accepted`);
    await done;
    phase('burst sent');
    const burstMs = Date.now() - burstStart;
    expect(acceptedAtKill, 'the kill came mid-burst').toBeLessThan(clients.length * perClient);

    const stopWatching = watchPending(c, 'kill -9');
    await allInSlack(c, sent, 90_000);
    phase('every message in Slack');
    // A later message from each client: one thread's posts go out in order, so any repeat of an
    // earlier text is in Slack before it.
    for (const client of clients) sent.get(client)?.push(clientText(client, 'zzz'));
    await Promise.all(clients.map((client) => c.deliverUpdate(textUpdate(client, clientText(client, 'zzz')))));
    await allInSlack(c, sent, 60_000);
    await outboxSettled(c);
    phase('the later messages in Slack');

    const acks = new Map<TgUser, string[]>();
    await Promise.all(clients.map(async (client) => acks.set(client, await textsBeforeHelp(c, client))));
    // The /help answers are in Telegram; their rows are marked sent right after.
    await outboxSettled(c);
    stopWatching();
    phase('the /help answers in Telegram');

    let ackRepeatsInFlight = 0;
    for (const client of clients) {
      const texts = sent.get(client) as string[];
      const { counts, firstSeen } = tally(postsOf(c.slack, client), texts);
      expect(notOnce(counts), `${client.first_name}: every message once in its thread`).toEqual([]);
      expect(firstSeen, `${client.first_name}: in order`).toEqual(texts);
      expect(cardsOf(c.slack, client), `${client.first_name}: one card`).toHaveLength(1);
      expect(await historyOf(c, client), `${client.first_name}: the history`).toEqual(texts);
      // The case-opened acknowledgement, once: a duplicate would be tolerated only for the one call
      // in flight at the kill (the contract); it is reported, never silently accepted.
      const got = acks.get(client) as string[];
      const opened = got.filter((t) => t.includes('registered as case #'));
      if (opened.length !== 1) {
        const calls = c.telegram.callsTo('sendMessage').filter((call) => call.params.chat_id === client.id && String(call.params.text).includes('registered as case #'));
        const inFlightAtKill = calls.length === 2 && (calls[0]?.at ?? 0) <= killedAt && (calls[0]?.at ?? 0) >= killedAt - 1000 && (calls[1]?.at ?? 0) > killedAt;
        expect(inFlightAtKill, `${client.first_name}: ${opened.length} acknowledgements (${calls.map((call) => call.at - killedAt).join(', ')} ms from the kill)`).toBe(true);
        ackRepeatsInFlight += 1;
      }
      expect(got.filter((t) => !t.includes('registered as case #')), `${client.first_name}: nothing else sent to the client`).toEqual([]);
    }
    expect(((await c.db.get<{ n: number }>('select count(*) as n from cases')) as { n: number }).n).toBe(clients.length);
    expect((await outboxLeft(c)).failed, 'no delivery given up').toBe(0);
    const held = c.slack.held().length;
    expect(held).toBe(0);
    console.log(
      `kill -9 mid-burst: ${clients.length * perClient} messages in ${burstMs} ms, ${acceptedAtKill} accepted at the kill, ${retries} webhook retries, ${ackRepeatsInFlight} acknowledgements repeated (in flight at the kill), balancer ${JSON.stringify(c.lb.stats)}`,
    );
  }, 150_000);

  it('delivers every agent reply once and in order per chat through a rolling restart of three instances', async () => {
    const phase = phases('rolling restart');
    const c = await cluster(3);
    await Promise.all([0, 1, 2].map((slot) => c.start(slot)));
    phase('three instances healthy');
    const clients = clientsOf(72_000, 'Rr', 6);
    const threads = await openCases(c, clients);
    const replyText = (client: TgUser, i: number | string) => `reply-${client.first_name.toLowerCase()}-${typeof i === 'number' ? String(i).padStart(3, '0') : i}`;
    const messages = new Map<TgUser, string[]>(clients.map((client) => [client, [clientText(client, 'opn')]]));
    const replies = new Map<TgUser, string[]>(clients.map((client) => [client, []]));
    const replyTs: string[] = [];
    let steady = true;
    // Steady traffic: each client writes every 250 ms, and an agent replies in each case thread
    // every 800 ms (each next one once the one before was accepted, as the platforms send them).
    const traffic = Promise.all(
      clients.flatMap((client) => [
        (async () => {
          for (let i = 0; steady; i++) {
            const text = clientText(client, i);
            messages.get(client)?.push(text);
            await c.deliverUpdate(textUpdate(client, text));
            await pause(250);
          }
        })(),
        (async () => {
          for (let i = 0; steady; i++) {
            const text = replyText(client, i);
            replies.get(client)?.push(text);
            const { ts } = await c.humanSays(threads.get(client), i % 2 === 0 ? 'U0AGENT1' : 'U0AGENT2', `!reply ${text}`);
            replyTs.push(ts);
            await pause(800);
          }
        })(),
      ]),
    );
    const rollStart = Date.now();
    await pause(1500);
    const exits: unknown[] = [];
    for (const slot of [0, 1, 2]) {
      exits.push(await c.stop(slot));
      await c.start(slot);
      phase(`instance ${slot} restarted`);
    }
    const rollMs = Date.now() - rollStart;
    steady = false;
    await traffic;
    expect(exits, 'every SIGTERM ends in exit 0').toEqual([0, 1, 2].map(() => ({ code: 0, signal: null })));

    // Every reply reaches its client; then a last one each, which comes after any repeat.
    const allReplied = () => clients.every((client) => (replies.get(client) as string[]).every((t) => textsTo(c, client).some((sentText) => sentText.includes(t))));
    await eventually(allReplied, 60_000, 'every reply in Telegram').catch((error: Error) => {
      const missing = clients.flatMap((client) => (replies.get(client) as string[]).filter((t) => !textsTo(c, client).some((x) => x.includes(t))));
      throw new Error(`${error.message}; missing ${missing.length}: ${missing.slice(0, 30).join(', ')}`);
    });
    await Promise.all(
      clients.map(async (client) => {
        const last = replyText(client, 'zzz');
        replies.get(client)?.push(last);
        replyTs.push((await c.humanSays(threads.get(client), 'U0AGENT1', `!reply ${last}`)).ts);
        messages.get(client)?.push(clientText(client, 'zzz'));
        await c.deliverUpdate(textUpdate(client, clientText(client, 'zzz')));
      }),
    );
    await eventually(() => clients.every((client) => textsTo(c, client).some((t) => t.includes(replyText(client, 'zzz')))), 60_000, 'the last replies');
    await allInSlack(c, messages, 60_000);
    await outboxSettled(c);
    phase('everything delivered');

    let replyCount = 0;
    for (const client of clients) {
      const texts = replies.get(client) as string[];
      replyCount += texts.length;
      const { counts, firstSeen } = tally(
        textsTo(c, client).map((text) => ({ text })),
        texts,
      );
      expect(notOnce(counts), `${client.first_name}: every reply once`).toEqual([]);
      expect(firstSeen, `${client.first_name}: replies in order`).toEqual(texts);
      expect(textsTo(c, client).filter((t) => t.includes('registered as case #')), `${client.first_name}: one acknowledgement`).toHaveLength(1);
      const inSlack = tally(postsOf(c.slack, client), messages.get(client) as string[]);
      expect(notOnce(inSlack.counts), `${client.first_name}: every message once in its thread`).toEqual([]);
      expect(inSlack.firstSeen, `${client.first_name}: messages in order`).toEqual(messages.get(client));
      expect(cardsOf(c.slack, client), `${client.first_name}: one card`).toHaveLength(1);
      expect(await historyOf(c, client), `${client.first_name}: the history`).toEqual(messages.get(client));
    }
    // In the database: each reply recorded once, and recorded delivered once.
    expect((await kindsOf(c, 'agent-reply')).length, 'agent-reply entries').toBe(replyCount);
    const delivered = (await kindsOf(c, 'reply-delivered')).map((e) => (JSON.parse(e.data ?? '{}') as { ts?: string }).ts);
    expect(delivered.filter((ts, i) => delivered.indexOf(ts) !== i), 'no reply recorded delivered twice').toEqual([]);
    expect(new Set(delivered), 'every reply recorded delivered').toEqual(new Set(replyTs));
    // Each delivered reply is marked once in Slack (a second reactions.add would be refused as already_reacted).
    for (const ts of replyTs) expect(c.slack.reactionsOn(supportChannel, ts), `reaction on ${ts}`).toHaveLength(1);
    expect((await outboxLeft(c)).failed, 'no delivery given up').toBe(0);
    const sentMessages = [...messages.values()].reduce((n, t) => n + t.length, 0);
    console.log(`rolling restart of 3 in ${rollMs} ms: ${sentMessages} client messages, ${replyCount} replies, balancer ${JSON.stringify(c.lb.stats)}`);
  }, 150_000);

  it('delivers what was pending once and fires an overdue notice once after all instances were down with Redis emptied', async () => {
    const departments = { departments: [{ id: 'acc', name: 'Accounting', slackChannel: 'C0ACC', replyWithin: '1h', escalateTo: ['U0ACCLEAD'] }] };
    const c = await cluster(2, departments);
    await Promise.all([c.start(0), c.start(1)]);
    const [client] = clientsOf(73_000, 'Rd', 1) as [TgUser];
    const threadTs = (await openCases(c, [client])).get(client) as string;
    const question = `question for ${client.first_name}`;
    const askedAt = Date.now();
    const inSeconds = 6;
    await c.humanSays(threadTs, 'U0AGENT1', `!ask acc in ${inSeconds}s ${question}`);
    const questionPost = await eventually(() => c.slack.messages('C0ACC').find((m) => m.thread_ts === undefined && (m.text ?? '').includes(question)), 30_000, 'the question in the department channel');
    await outboxSettled(c);

    // Slack and Telegram fail every call now (nothing lands), so what comes next stays pending.
    c.slack.failNext('chat.postMessage', 100_000, { status: 500 });
    c.telegram.failNext('sendMessage', 100_000, { status: 500 });
    const messages = [clientText(client, 'opn')];
    const replies: string[] = [];
    for (let i = 0; i < 3; i++) {
      messages.push(clientText(client, i));
      await c.deliverUpdate(textUpdate(client, clientText(client, i)));
      replies.push(`pending-reply-${i}`);
      await c.humanSays(threadTs, 'U0AGENT1', `!reply pending-reply-${i}`);
    }
    expect((await outboxLeft(c)).pending, 'deliveries pending').toBeGreaterThanOrEqual(6);
    await Promise.all([c.kill9(0), c.stop(1)]);
    expect(await flushPrefix(c.prefix)).toBe(0);
    // The deadline passes while every instance is down (real time: the processes read the clock).
    await pause(Math.max(0, askedAt + inSeconds * 1000 + 1000 - Date.now()));
    expect(((await c.db.get<{ n: number }>("select count(*) as n from asks where status = 'open' and overdue_at is null")) as { n: number }).n, 'the ask still open, not yet overdue').toBe(1);
    c.slack.failNext('chat.postMessage', 0, {});
    c.telegram.failNext('sendMessage', 0, {});
    const restartedAt = Date.now();
    await Promise.all([c.start(0), c.start(1)]);

    const overdue = (channel: string, thread: string) => c.slack.messages(channel).filter((m) => m.thread_ts === thread && /overdue/.test(m.text ?? ''));
    await eventually(() => overdue('C0ACC', questionPost.ts).length > 0 && overdue(supportChannel, threadTs).length > 0, 30_000, 'the overdue notices');
    const overdueMs = Date.now() - restartedAt;
    await allInSlack(c, new Map([[client, messages]]), 30_000);
    await eventually(() => replies.every((r) => textsTo(c, client).some((t) => t.includes(r))), 30_000, 'the pending replies in Telegram');

    // Then the department answers: its post in the case thread comes after any overdue post a second
    // firing would have queued there, and the answer ends the question. A later client message and
    // reply close both streams.
    const answer = `answer for ${client.first_name}`;
    await c.humanSays(questionPost.ts, 'U0AGENT2', answer, 'C0ACC');
    await eventually(() => c.slack.messages(supportChannel).some((m) => m.thread_ts === threadTs && (m.text ?? '').includes(answer)), 30_000, 'the answer in the case thread');
    messages.push(clientText(client, 'zzz'));
    await c.deliverUpdate(textUpdate(client, clientText(client, 'zzz')));
    replies.push('pending-reply-zzz');
    await c.humanSays(threadTs, 'U0AGENT1', '!reply pending-reply-zzz');
    await allInSlack(c, new Map([[client, messages]]), 30_000);
    await eventually(() => textsTo(c, client).some((t) => t.includes('pending-reply-zzz')), 30_000, 'the last reply');
    await outboxSettled(c);

    const inSlack = tally(postsOf(c.slack, client), messages);
    expect(notOnce(inSlack.counts), 'every client message once in the thread').toEqual([]);
    expect(inSlack.firstSeen, 'in order').toEqual(messages);
    const toClient = tally(
      textsTo(c, client).map((text) => ({ text })),
      replies,
    );
    expect(notOnce(toClient.counts), 'every reply once').toEqual([]);
    expect(toClient.firstSeen, 'replies in order').toEqual(replies);
    const inDepartment = overdue('C0ACC', questionPost.ts);
    const inCase = overdue(supportChannel, threadTs);
    expect(inDepartment.map((m) => m.text), 'one overdue notice in the question thread').toHaveLength(1);
    expect(inCase.map((m) => m.text), 'one overdue notice in the case thread').toHaveLength(1);
    expect(inDepartment[0]?.text).toContain('<@U0ACCLEAD>');
    expect(inCase[0]?.text).toContain('Accounting');
    const ask = await c.db.get<{ status: string; overdueAt: number | null }>('select status, overdue_at as "overdueAt" from asks');
    expect(ask?.status).toBe('answered');
    expect(ask?.overdueAt).toBeGreaterThanOrEqual(askedAt + inSeconds * 1000);
    expect((await outboxLeft(c)).failed, 'no delivery given up').toBe(0);
    // In the database too: the overdue firing recorded once, one notice queued for each thread.
    expect(await kindsOf(c, 'ask-overdue'), 'one ask-overdue in the history').toHaveLength(1);
    const notices = await c.db.all<{ stream: string; status: string }>("select stream, status from outbox where payload like '%\"type\":\"overdue\"%' or payload like '%\"type\":\"ask-overdue\"%' order by stream");
    expect(notices, 'one overdue notice queued per thread').toEqual([
      { stream: 'ask-1', status: 'sent' },
      { stream: 'case-1', status: 'sent' },
    ]);
    expect((await kindsOf(c, 'reply-delivered')).length, 'each reply recorded delivered once').toBe(replies.length);
    console.log(`all down with Redis emptied: overdue notices ${overdueMs} ms after the restart began, balancer ${JSON.stringify(c.lb.stats)}`);
  }, 120_000);

  // Several instances share the delivery queue: a job one instance adds is often taken by
  // another's worker. The trigger must not then skip the stream's next rows (it once kept, per
  // process, the streams with a job waiting to start, and forgot one only when its own worker
  // started it: later rows waited for the 10 s sweep). Stops at the first slow message.
  it('delivers at once on a healthy cluster, whichever instance takes the webhook and whichever worker takes the job', async () => {
    const phase = phases('latency');
    const c = await cluster(2);
    const [a] = await Promise.all([c.start(0), c.start(1)]);
    const [client] = clientsOf(74_000, 'Lt', 1) as [TgUser];
    const texts: string[] = [];
    const latencies: number[] = [];
    // Every message to the same instance, each once the one before is in Slack: the first case
    // thread delivery through another instance's worker leaves the stream stuck in the first's set.
    for (let i = 0; i < 20 && !latencies.some((ms) => ms >= 3000); i++) {
      const text = clientText(client, i === 0 ? 'opn' : i);
      texts.push(text);
      const sentAt = Date.now();
      expect((await postTelegramUpdate(a.url, webhookSecret, textUpdate(client, text))).status).toBe(200);
      await eventually(() => postsOf(c.slack, client).some((m) => (m.text ?? '').includes(text)), 20_000, `${text} in Slack`);
      latencies.push(Date.now() - sentAt);
    }
    phase(`latencies ${latencies.join(', ')} ms`);
    const { counts, firstSeen } = tally(postsOf(c.slack, client), texts);
    expect(notOnce(counts)).toEqual([]);
    expect(firstSeen).toEqual(texts);
    expect(Math.max(...latencies), `webhook 200 to Slack, ms: ${latencies.join(', ')}`).toBeLessThan(3000);
  }, 120_000);
});
