import { afterEach, describe, expect, it } from 'vitest';
import type { FakeSlack, StoredMessage } from '../fakes/fake-slack.js';
import { commandUpdate, textUpdate, type TgUser } from '../fakes/fake-telegram.js';
import { eventually, pause, supportChannel } from './harness.js';
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

afterEach(async () => {
  const ended = clusters.splice(0);
  for (const c of ended) {
    if (process.env.KEEP_MI_LOGS !== undefined) console.log(`multi-instance logs kept in ${c.dir}`);
    await c.close();
  }
  for (const c of ended) {
    c.slack.assertNoViolations();
    c.telegram.assertNoViolations();
  }
});

const clientsOf = (firstId: number, prefix: string, n: number): TgUser[] =>
  Array.from({ length: n }, (_, i) => ({ id: firstId + i, first_name: `${prefix}${String(i).padStart(2, '0')}`, language_code: 'en' }));

/** A client's text number `i`: all of one width, so none is part of another. */
const clientText = (client: TgUser, i: number | string) => `${client.first_name.toLowerCase()}-m${typeof i === 'number' ? String(i).padStart(2, '0') : i}`;

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

async function outboxLeft(c: Cluster): Promise<{ pending: number; failed: number }> {
  const row = await c.db.get<{ pending: number; failed: number }>("select count(*) filter (where status = 'pending') as pending, count(*) filter (where status = 'failed') as failed from outbox");
  return row ?? { pending: -1, failed: -1 };
}

async function outboxSettled(c: Cluster, timeoutMs = 30_000): Promise<void> {
  await eventually(async () => (await outboxLeft(c)).pending === 0, timeoutMs, 'no pending outbox rows');
}

/** Opens a case for each client (one message each, through the balancer); the case threads' ts by client. */
async function openCases(c: Cluster, clients: readonly TgUser[]): Promise<Map<TgUser, string>> {
  const threads = new Map<TgUser, string>();
  await Promise.all(
    clients.map(async (client) => {
      await c.deliverUpdate(textUpdate(client, clientText(client, 'open')));
      const card = await eventually(() => cardsOf(c.slack, client)[0], 30_000, `the card of ${client.first_name}`);
      threads.set(client, card.ts);
    }),
  );
  return threads;
}

describe('several instances on one database', () => {
  it('loses nothing and repeats nothing when one of two instances is killed -9 mid-burst and started again', async () => {
    const c = await cluster(2);
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
          await pause(60);
        }
      }),
    );
    const total = () => [...accepted.values()].reduce((n, texts) => n + texts.length, 0);
    await eventually(() => total() >= 90 && clients.filter((client) => postsOf(c.slack, client).length > 0).length >= 10, 60_000, 'the burst under way');
    const killedAt = await c.kill9(1);
    const acceptedAtKill = total();
    // Started again at once, while the burst goes on.
    await c.start(1);
    await done;
    const burstMs = Date.now() - burstStart;
    expect(acceptedAtKill, 'the kill came mid-burst').toBeLessThan(clients.length * perClient);

    await allInSlack(c, sent, 90_000);
    // A later message from each client: one thread's posts go out in order, so any repeat of an
    // earlier text is in Slack before it.
    for (const client of clients) sent.get(client)?.push(clientText(client, 'zz'));
    await Promise.all(clients.map((client) => c.deliverUpdate(textUpdate(client, clientText(client, 'zz')))));
    await allInSlack(c, sent, 60_000);
    await outboxSettled(c);

    const acks = new Map<TgUser, string[]>();
    await Promise.all(clients.map(async (client) => acks.set(client, await textsBeforeHelp(c, client))));

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
      }
      expect(got.filter((t) => !t.includes('registered as case #')), `${client.first_name}: nothing else sent to the client`).toEqual([]);
    }
    expect(((await c.db.get<{ n: number }>('select count(*) as n from cases')) as { n: number }).n).toBe(clients.length);
    expect(await outboxLeft(c)).toEqual({ pending: 0, failed: 0 });
    console.log(
      `kill -9 mid-burst: ${clients.length * perClient} messages in ${burstMs} ms, ${acceptedAtKill} accepted at the kill, ${retries} webhook retries, balancer ${JSON.stringify(c.lb.stats)}`,
    );
  }, 150_000);
});
