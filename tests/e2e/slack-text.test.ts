import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TgUser } from '../fakes/fake-telegram.js';
import { toSlackWire } from '../fakes/slack-wire.js';
import { startHarness, type Harness } from './harness.js';
import { npmCheckout } from '../support/built-repka.js';

// Text crossing the platforms (CONTRACT.md, "Text across the platforms"): agents type in Slack,
// Slack sends its wire format (agentSays sends what tests/fakes/slack-wire.ts makes of the typed
// text), the client gets what the agent saw, and staff text mirrored into Slack is escaped once.

/** A checkout whose dist/ is the test run's build of the sources as they are now (made on first use). */
let checkout: string | undefined;
let checkoutParent: string | undefined;
const project = () => (checkout ??= npmCheckout((checkoutParent = mkdtempSync(join(tmpdir(), 'repka-cli-checkout-')))));
afterAll(() => {
  if (checkoutParent !== undefined) rmSync(checkoutParent, { recursive: true, force: true });
});
const departments = { departments: [{ id: 'accounting', name: 'Accounting', aliases: ['acc'], slackChannel: 'C0ACC', replyWithin: '1h' }] };
const typedReply = 'Shipping is < 5 EUR & free over 50, see https://shop.example/shipping or ask @Boris 👋';

let h: Harness;
let nextUserId = 9900;
const newClient = (): TgUser => ({ id: nextUserId++, first_name: 'Mila', language_code: 'en' });

/** `npm run --silent cli -- export <case> --format json`, as an operator runs it, parsed. */
function exportJson(caseId: number): Promise<{ events: { kind: string; text: string | null }[]; asks: { question: string }[] }> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_PATH: h.config.databasePath, ...(h.config.databaseUrl === undefined ? {} : { DATABASE_URL: h.config.databaseUrl }), DEPARTMENTS_FILE: join(h.dataDir, 'departments.json') };
  return new Promise((resolve, reject) => {
    execFile('npm', ['run', '--silent', 'cli', '--', 'export', String(caseId), '--format', 'json'], { cwd: project(), env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`export failed: ${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

/** The first post in the case thread whose text contains `marker`. */
const threadPost = (threadTs: string, marker: string) =>
  h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === threadTs && String(c.params.text).includes(marker)).then((c) => String(c.params.text));

beforeAll(async () => {
  h = await startHarness({ departments, env: { SLACK_AGENTS: 'U0AGENT1,U0AGENT2' } });
  h.slack.addUser({ id: 'U0ACC1', name: 'olga', real_name: 'Olga', display_name: 'Olga' });
});
afterAll(async () => {
  await h.stop(true);
});

describe('text from Slack reaches the client as the agent saw it', () => {
  it("the issue's reply: entities, a link, a mention and an emoji", async () => {
    // What Slack really sends for it (the issue quotes this wire text).
    expect(toSlackWire(`!reply ${typedReply}`, h.slack.userIdsByName())).toBe(
      '!reply Shipping is &lt; 5 EUR &amp; free over 50, see <https://shop.example/shipping> or ask <@U0AGENT2> :wave:',
    );
    const client = newClient();
    const { caseId, threadTs } = await h.openCase(client, 'how much is shipping?');
    const { ts } = await h.agentSays(threadTs, 'U0AGENT1', `!reply ${typedReply}`);
    const sent = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('Shipping is'));
    expect(sent.params.text).toContain(typedReply);
    expect(sent.params.text).not.toMatch(/&amp;|&lt;|<https|<@U|:wave:/);
    await h.slack.waitFor('reactions.add', (c) => c.params.timestamp === ts);
    const exported = await exportJson(caseId);
    expect(exported.events.find((e) => e.kind === 'agent-reply')?.text).toBe(typedReply);
  });

  it('labelled links, channels, specials and skin tones are decoded too; !assign @Boris still assigns Boris', async () => {
    const client = newClient();
    const { threadTs } = await h.openCase(client, 'where do I read more?');
    await h.agentSays(threadTs, 'U0AGENT1', '!reply Read <https://shop.example/faq|our FAQ> :+1::skin-tone-2: (we discussed it in <#C0ACC|accounting>)');
    const sent = await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === client.id && String(c.params.text).includes('Read our FAQ'));
    expect(sent.params.text).toContain('Read our FAQ (https://shop.example/faq) 👍🏻 (we discussed it in #accounting)');
    await h.agentSays(threadTs, 'U0AGENT1', '!assign @Boris');
    expect(await threadPost(threadTs, 'Assigned to')).toContain('Assigned to <@U0AGENT2> by <@U0AGENT1>');
  });
});

describe('staff text mirrored into Slack is escaped once, links still links', () => {
  it('the !ask question, the department answer and the !close summary; the export keeps them decoded', async () => {
    const { caseId, threadTs } = await h.openCase(newClient(), 'is shipping free?');
    const typedQuestion = 'is it < 5 EUR & free over 50? see https://shop.example/shipping';
    await h.agentSays(threadTs, 'U0AGENT1', `!ask acc ${typedQuestion}`);
    const question = await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === 'C0ACC' && !c.params.thread_ts && String(c.params.text).includes('is it'));
    const questionText = String(question.params.text);
    expect(questionText).toContain('>is it &lt; 5 EUR &amp; free over 50? see <https://shop.example/shipping>');
    expect(JSON.stringify(question.params.blocks)).toContain('is it &lt; 5 EUR &amp; free over 50? see <https://shop.example/shipping>');
    expect(questionText).not.toMatch(/&amp;(amp|lt|gt);/);

    const questionTs = h.slack.messages('C0ACC').find((m) => m.text === question.params.text)?.ts as string;
    const typedAnswer = 'Yes: < 5 EUR & free over 50, rules at https://shop.example/shipping?from=50&currency=EUR. cc @Boris 👍';
    await h.agentSays(questionTs, 'U0ACC1', typedAnswer, 'C0ACC');
    const answer = await threadPost(threadTs, 'answered');
    expect(answer).toContain('(Olga)');
    expect(answer).toContain('Yes: &lt; 5 EUR &amp; free over 50, rules at <https://shop.example/shipping?from=50&amp;currency=EUR>. cc @Boris 👍');
    expect(answer).not.toMatch(/&amp;(amp|lt|gt);/);
    // The decoded @Boris is plain text now: mirroring it pings nobody.
    expect(answer).not.toContain('<@U0AGENT2>');

    const typedSummary = 'refunded 5 < 10 EUR & told the client, see https://shop.example/refunds';
    await h.agentSays(threadTs, 'U0AGENT1', `!close ${typedSummary}`);
    const closed = await threadPost(threadTs, 'Case closed');
    expect(closed).toContain(': refunded 5 &lt; 10 EUR &amp; told the client, see <https://shop.example/refunds>. The client was told.');

    const exported = await exportJson(caseId);
    expect(exported.asks[0]?.question).toBe(typedQuestion);
    const texts = exported.events.map((e) => e.text);
    expect(texts).toContain(typedAnswer);
    expect(texts).toContain(typedSummary);
    expect(JSON.stringify(exported)).not.toMatch(/&amp;|&lt;|&gt;|<https|<@U/);
  }, 30_000);
});
