import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
/** Debian's Chromium (installed by .ci/run); never a browser downloaded by Playwright. */
const chromiumPath = '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.warn(`tests/browser/demo.test.ts skipped: ${chromiumPath} is missing (apt-get install chromium)`);

/** Starts the playground as `npm run demo` does, on a free port, with its own queue prefix and SQLite file. */
function startDemo(dataDir: string): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const loader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', loader, join(root, 'demo', 'main.ts')], {
    cwd: root,
    env: { ...process.env, DEMO_PORT: '0', DEMO_QUEUE_PREFIX: `demo-test-${randomUUID().slice(0, 8)}`, DEMO_DATABASE_PATH: join(dataDir, 'demo.sqlite'), DEMO_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /Repka playground: (http:\/\/\S+)/.exec(output);
      if (found?.[1]) resolve(found[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm run demo exited with ${code} before it was ready:\n${output}`)));
  });
  return { child, url, output: () => output };
}

describe.skipIf(!haveChromium)('npm run demo, played in a browser', () => {
  let dataDir: string;
  let demo: ReturnType<typeof startDemo>;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'repka-demo-'));
    demo = startDemo(dataDir);
    const url = await demo.url;
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (demo !== undefined && demo.child.exitCode === null) {
      const exited = new Promise((resolve) => demo.child.once('exit', resolve));
      demo.child.kill('SIGINT');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  /** A message in a Slack thread or channel that contains `text`, once it is on the page. */
  const slackMessage = async (scope: Locator, text: string): Promise<Locator> => {
    const found = scope.locator('.slack-msg').filter({ hasText: text }).last();
    await found.waitFor();
    return found;
  };
  const clientSees = async (text: string): Promise<string> => {
    const bubble = page.locator('.tg-msg.bot').filter({ hasText: text }).last();
    await bubble.waitFor();
    return (await bubble.textContent()) ?? '';
  };
  const replyInThread = async (thread: Locator, text: string) => {
    await thread.locator('.reply-input').fill(text);
    await thread.locator('.reply-input').press('Enter');
  };

  it('plays a whole case: client, agent, accounting, reply, close, rating', async () => {
    await page.fill('#tg-input', 'Hello! I was charged twice for order <b>1234</b>.');
    await page.press('#tg-input', 'Enter');

    const support = page.locator('.channel[data-channel="C0SUPPORT"]');
    const caseThread = support.locator('article.thread').filter({ hasText: 'charged twice for order' });
    await caseThread.waitFor();
    const header = (await caseThread.locator('.block-header').first().textContent()) ?? '';
    const caseId = /#(\d+)/.exec(header)?.[1];
    expect(caseId, header).toBeDefined();
    // The client's text is shown as text: no markup from it reaches the page.
    expect(await caseThread.textContent()).toContain('<b>1234</b>');
    expect(await page.locator('.thread b').count()).toBe(0);
    expect(await clientSees(`case #${caseId}`)).toContain('registered');

    await page.selectOption('select.post-as[data-channel="C0SUPPORT"]', 'U0ANNA');
    await replyInThread(caseThread, '!ask accounting in 30s Did we charge order 1234 twice?');
    await slackMessage(caseThread, 'Asked Q');
    expect(await clientSees('checking with our Accounting team')).toContain(`#${caseId}`);

    const accounting = page.locator('.channel[data-channel="C0ACCOUNTING"]');
    const question = accounting.locator('article.thread').filter({ hasText: 'Did we charge order 1234 twice?' });
    await question.waitFor();
    expect(await question.textContent()).toContain(`case #${caseId}`);
    await page.selectOption('select.post-as[data-channel="C0ACCOUNTING"]', 'U0ALLA');
    await replyInThread(question, 'Yes, the second charge is refunded today.');
    const answer = await slackMessage(caseThread, 'refunded today');
    expect(await answer.textContent()).toContain('Accounting answered');

    await replyInThread(caseThread, '!reply We found the double charge: the refund arrives today.');
    expect(await clientSees('the refund arrives today')).toContain('Anna');
    // Repka marks the agent's !reply with ✅ once Telegram took it.
    const agentReply = await slackMessage(caseThread, '!reply We found the double charge');
    await agentReply.locator('.reaction').filter({ hasText: '✅' }).waitFor();

    await replyInThread(caseThread, '!close Refunded the double charge');
    expect(await clientSees(`Case #${caseId} is closed`)).toContain('closed');
    await caseThread.locator('.block-header').filter({ hasText: 'Closed' }).waitFor();
    // The client rates the case with the best score; the agents see it in the thread and on the card.
    const request = page.locator('.tg-msg.bot').filter({ hasText: `How did we do with case #${caseId}` }).last();
    await request.waitFor();
    await request.locator('.tg-button').last().click();
    expect(await (await slackMessage(caseThread, 'The client rated this case')).textContent()).toContain('5/5');
    await clientSees('Reply to this message with a comment');

    mkdirSync(join(root, 'artifacts'), { recursive: true });
    await page.screenshot({ path: join(root, 'artifacts', 'demo.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
