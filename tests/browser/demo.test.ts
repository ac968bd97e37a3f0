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

const loader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/**
 * Starts the playground as `npm run demo` does, with its own SQLite file (and, unless given, its
 * own queue prefix). `url` resolves as soon as the page answers, before Repka is up; `up` once it is.
 */
function startDemo(env: Record<string, string>): { child: ChildProcess; url: Promise<string>; up: Promise<void>; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', loader, join(root, 'demo', 'main.ts')], {
    cwd: root,
    env: { ...process.env, DEMO_PORT: '0', DEMO_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = <T>(pattern: RegExp, pick: (m: RegExpExecArray) => T) =>
    new Promise<T>((resolve, reject) => {
      const look = () => {
        const found = pattern.exec(output);
        if (found) resolve(pick(found));
      };
      child.stdout?.on('data', look);
      child.stderr?.on('data', look);
      void exited.then((code) => reject(new Error(`npm run demo exited with ${code} before it was ready:\n${output}`)));
    });
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = waitFor(/Repka playground: (http:\/\/[^\s)]+)/, (m) => m[1] ?? '');
  const up = waitFor(/Repka is up/, () => undefined);
  url.catch(() => undefined);
  up.catch(() => undefined);
  return { child, url, up, exited, output: () => output };
}

describe.skipIf(!haveChromium)('npm run demo, played in a browser', () => {
  let dataDir: string;
  let databasePath: string;
  let demo: ReturnType<typeof startDemo>;
  let url: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let caseId = '';
  const queuePrefix = `demo-test-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'repka-demo-'));
    databasePath = join(dataDir, 'demo.sqlite');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    // The page is opened the moment it answers, as someone who ran `npm run demo` would.
    demo = startDemo({ DEMO_QUEUE_PREFIX: queuePrefix, DEMO_DATABASE_PATH: databasePath });
    url = await demo.url;
    await page.goto(url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (demo !== undefined && demo.child.exitCode === null) {
      demo.child.kill('SIGINT');
      await demo.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  const support = () => page.locator('.channel[data-channel="C0SUPPORT"]');
  const caseThread = () => support().locator('article.thread').filter({ hasText: 'charged twice for order' });
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

  it('takes a message typed the moment the page answers, shows it sending while Repka starts, and delivers it', async () => {
    await page.fill('#tg-input', 'Hello! I was charged twice for order <b>1234</b>.');
    await page.press('#tg-input', 'Enter');
    // Typed while Repka was still starting: the playground holds it and says so, rather than losing it.
    const bubble = page.locator('.tg-msg.client').filter({ hasText: 'charged twice' });
    await bubble.locator('.delivery.sending', { hasText: 'Repka is starting' }).waitFor();
    expect(await page.locator('#starting').isVisible()).toBe(true);

    await caseThread().waitFor({ timeout: 60_000 });
    const header = (await caseThread().locator('.block-header').first().textContent()) ?? '';
    caseId = /#(\d+)/.exec(header)?.[1] ?? '';
    expect(caseId, header).not.toBe('');
    expect(await clientSees(`case #${caseId}`)).toContain('registered');
    await bubble.locator('.delivery').waitFor({ state: 'detached' });
    expect(await page.locator('#starting').isVisible()).toBe(false);
    // The client's text is shown as text: no markup from it reaches the page.
    expect(await caseThread().textContent()).toContain('<b>1234</b>');
    expect(await page.locator('.thread b').count()).toBe(0);
  }, 90_000);

  it('refuses a second npm run demo beside it, changing nothing, and the first keeps working', async () => {
    const port = new URL(url).port;
    const sameDatabase = startDemo({ DEMO_DATABASE_PATH: databasePath });
    const samePort = startDemo({ DEMO_PORT: port, DEMO_DATABASE_PATH: join(dataDir, 'other.sqlite') });
    const sameQueues = startDemo({ DEMO_QUEUE_PREFIX: queuePrefix, DEMO_DATABASE_PATH: join(dataDir, 'third.sqlite') });
    expect(await sameQueues.exited).toBe(1);
    expect(sameQueues.output()).toContain(`another demo uses the queue prefix ${queuePrefix}`);
    expect(existsSync(join(dataDir, 'third.sqlite.lock'))).toBe(false);
    expect(await sameDatabase.exited).toBe(1);
    expect(sameDatabase.output()).toContain(`another demo (pid ${demo.child.pid}, ${url}) is using ${databasePath}; nothing was changed`);
    expect(await samePort.exited).toBe(1);
    expect(samePort.output()).toContain(`port ${port} is taken`);
    expect(existsSync(join(dataDir, 'other.sqlite'))).toBe(false);
    expect(existsSync(join(dataDir, 'other.sqlite.lock'))).toBe(false);
    expect(existsSync(`${databasePath}.lock`)).toBe(true);

    // The first demo's case is still there, and it still takes messages.
    await page.fill('#tg-input', 'Are you still there?');
    await page.press('#tg-input', 'Enter');
    await slackMessage(caseThread(), 'Are you still there?');
  }, 60_000);

  it('plays a whole case: questions, the reply form, Close with its confirmation, history and export, stats, Home, the rating comment', async () => {
    const thread = caseThread();
    await page.selectOption('select.post-as[data-channel="C0SUPPORT"]', 'U0ANNA');
    // Development gets 3 s: the card shows the question overdue (red) while the case goes on.
    await replyInThread(thread, '!ask dev in 3s Is the gateway posting payments twice?');
    await replyInThread(thread, '!ask accounting in 30s Did we charge order 1234 twice?');
    await slackMessage(thread, 'Asked Q');
    expect(await clientSees('checking with our Accounting team')).toContain(`#${caseId}`);

    const accounting = page.locator('.channel[data-channel="C0ACCOUNTING"]');
    const question = accounting.locator('article.thread').filter({ hasText: 'Did we charge order 1234 twice?' });
    await question.waitFor();
    expect(await question.textContent()).toContain(`case #${caseId}`);
    // "Open the case thread" shows the case thread on this page.
    await question.locator('a.workspace-link', { hasText: 'Open the case thread' }).click();
    await page.locator('article.thread.highlight').filter({ hasText: 'charged twice for order' }).waitFor();
    await page.selectOption('select.post-as[data-channel="C0ACCOUNTING"]', 'U0ALLA');
    await replyInThread(question, 'Yes, the second charge is refunded today.');
    expect(await (await slackMessage(thread, 'refunded today')).textContent()).toContain('Accounting answered');

    // Emoji shortcodes are shown as emoji: the overdue question's red circle, the client's wait.
    const card = thread.locator('.slack-msg').first();
    await card.locator('.blocks').filter({ hasText: '🔴' }).waitFor();
    expect(await card.textContent()).toContain('⏳');

    await replyInThread(thread, '!reply We found the double charge: the refund arrives today.');
    expect(await clientSees('the refund arrives today')).toContain('Anna');
    // Repka marks the agent's !reply with ✅ once Telegram took it.
    const agentReply = await slackMessage(thread, '!reply We found the double charge');
    await agentReply.locator('.reaction').filter({ hasText: '✅' }).waitFor();

    // The reply form: the preview below follows each keystroke, as Slack's dispatch_action does.
    await card.locator('button[data-action]', { hasText: 'Reply to client' }).click();
    const form = page.locator('form.modal');
    await form.waitFor();
    await form.locator('textarea[name="text"]').pressSequentially('Thanks for your patience!', { delay: 20 });
    await form.locator('.block-section').filter({ hasText: 'Thanks for your patience!' }).waitFor();
    expect(await form.locator('textarea[name="text"]').inputValue()).toBe('Thanks for your patience!');
    await form.locator('button[type="submit"]').click();
    await form.waitFor({ state: 'detached' });
    expect(await clientSees('Thanks for your patience!')).toContain('Anna');

    // /repka stats answers in the channel, only for the one who typed it.
    await support().locator('.channel-input').fill('/repka stats');
    await support().locator('.channel-input').press('Enter');
    const stats = await slackMessage(support().locator('.channel-foot'), 'Support report');
    expect(await stats.textContent()).toContain('Only visible to Anna');

    // The Home tab of whoever posts in the channel: Anna's case, linked to its thread.
    await card.locator('button[data-action]', { hasText: 'Assign to me' }).click();
    await slackMessage(thread, 'Anna');
    await support().locator('button.open-home').click();
    const home = page.locator('section.home');
    await home.locator('.block-header', { hasText: 'Repka' }).waitFor();
    expect(await home.textContent()).toContain('Home of Anna');
    await home.locator('.blocks').filter({ hasText: 'Your open cases (1)' }).waitFor();
    await home.locator('a.workspace-link', { hasText: `#${caseId}` }).first().click();
    await home.waitFor({ state: 'detached' });

    const body = (await page.locator('body').innerText()) ?? '';
    expect(body).not.toContain(':red_circle:');
    expect(body.match(/:[a-z][a-z0-9_+-]*:/g) ?? []).toEqual([]);

    // Close asks first, as Slack does; Cancel leaves the case open.
    const close = card.locator('button[data-action]', { hasText: 'Close' });
    await close.click();
    const dialog = page.locator('.confirm-dialog');
    expect(await dialog.textContent()).toContain(`Close case #${caseId}?`);
    await dialog.locator('.confirm-deny').click();
    await dialog.waitFor({ state: 'detached' });
    await close.click();
    await dialog.locator('.confirm-yes').click();
    expect(await clientSees(`Case #${caseId} is closed`)).toContain('closed');
    await thread.locator('.block-header').filter({ hasText: 'Closed' }).waitFor();

    // !history: the file opens, and the export its message suggests runs on the demo's database.
    await replyInThread(thread, '!history');
    const history = await slackMessage(thread, `History of case #${caseId}`);
    expect(await history.textContent()).toContain('📜');
    const file = await page.request.get(new URL((await history.locator('a.file').getAttribute('href')) ?? '', url).href);
    expect(file.status()).toBe(200);
    expect(await file.text()).toContain('charged twice');
    const exported = await page.request.get(new URL((await history.locator('a.export-link').getAttribute('href')) ?? '', url).href);
    expect(exported.status(), await exported.text()).toBe(200);
    expect(exported.headers()['content-type']).toContain('text/html');
    expect(await exported.text()).toContain(`#${caseId}`);

    // The client rates the case, then replies to the invitation: that reply is the comment.
    const request = page.locator('.tg-msg.bot').filter({ hasText: `How did we do with case #${caseId}` }).last();
    await request.waitFor();
    await request.locator('.tg-button').last().click();
    expect(await (await slackMessage(thread, 'The client rated this case')).textContent()).toContain('5/5');
    const invitation = page.locator('.tg-msg.bot').filter({ hasText: 'Reply to this message with a comment' }).last();
    await invitation.waitFor();
    await invitation.locator('.tg-reply').click();
    expect(await page.locator('#tg-replying').textContent()).toContain('Reply to this message with a comment');
    await page.fill('#tg-input', 'Quick and kind, thank you.');
    await page.press('#tg-input', 'Enter');
    expect(await page.locator('.tg-msg.client').filter({ hasText: 'Quick and kind' }).locator('.tg-quote').textContent()).toContain('Reply to this message');
    expect(await (await slackMessage(thread, 'Quick and kind, thank you.')).textContent()).toContain("The client's comment on their rating (5/5)");

    mkdirSync(join(root, 'artifacts'), { recursive: true });
    await page.screenshot({ path: join(root, 'artifacts', 'demo.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 150_000);

  it('keeps what the open tab sends while the demo restarts as not sent, and delivers it on Retry', async () => {
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    await page.fill('#tg-input', 'Is anybody there after the restart?');
    await page.press('#tg-input', 'Enter');
    const unsent = page.locator('.tg-msg.unsent').filter({ hasText: 'after the restart' });
    await unsent.locator('.delivery.failed', { hasText: 'not sent' }).waitFor();

    demo = startDemo({ DEMO_PORT: new URL(url).port, DEMO_DATABASE_PATH: databasePath });
    await demo.url;
    await unsent.locator('button.retry').click();
    await unsent.waitFor({ state: 'detached' });
    // A new run starts empty: the message opens case #1 of the new database.
    await support().locator('article.thread').filter({ hasText: 'after the restart' }).waitFor({ timeout: 60_000 });
    expect(await clientSees('case #1')).toContain('registered');
  }, 90_000);
});
