import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack, fileShareEvent, messageChangedEvent, messageDeletedEvent, messageEvent, newTriggerId, richTextOf, threadBroadcastEvent, triggerLifetimeMs } from './fake-slack.js';

let slack: FakeSlack;
let web: WebClient;

/** A Web API call over real HTTP, form-encoded as WebClient sends it; the answer as Slack gives it, ok or not. */
async function call(method: string, args: Record<string, unknown>): Promise<Record<string, any>> {
  try {
    return (await web.apiCall(method, args)) as Record<string, any>;
  } catch (error) {
    return (error as { data: Record<string, any> }).data;
  }
}

const modal = (title = 'Reply') => ({ type: 'modal', title: { type: 'plain_text', text: title }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] });

beforeAll(async () => {
  slack = await FakeSlack.start();
  web = new WebClient('xoxb-fake-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  slack.addUser({ id: 'U0AGENT1', name: 'anna' });
  slack.addChannel('C0OPEN', { name: 'open' });
  slack.addChannel('C0OUTSIDE', { name: 'outside', botIsMember: false });
  slack.addChannel('C0SECRET', { name: 'secret', isPrivate: true });
  slack.addChannel('C0HIDDEN', { name: 'hidden', isPrivate: true, botIsMember: false });
  slack.addChannel('C0OLD', { name: 'old', isArchived: true });
});
afterAll(async () => {
  await slack.close();
});

describe('FakeSlack channels', () => {
  it('posts only to channels that exist and have the bot in them', async () => {
    expect(await call('chat.postMessage', { channel: 'C0OPEN', text: 'hello' })).toMatchObject({ ok: true, channel: 'C0OPEN' });
    expect(await call('chat.postMessage', { channel: 'C0NOWHERE', text: 'hello' })).toEqual({ ok: false, error: 'channel_not_found', response_metadata: {} });
    expect(await call('chat.postMessage', { channel: 'C0OUTSIDE', text: 'hello' })).toMatchObject({ ok: false, error: 'not_in_channel' });
    expect(await call('chat.postMessage', { channel: 'C0HIDDEN', text: 'hello' })).toMatchObject({ ok: false, error: 'channel_not_found' });
    expect(await call('chat.postMessage', { channel: 'C0OLD', text: 'hello' })).toMatchObject({ ok: false, error: 'is_archived' });
    expect(slack.violations.map((v) => v.answer.error)).toContain('not_in_channel');
  });

  it('conversations.info tells is_member, is_private, name, is_archived', async () => {
    expect((await call('conversations.info', { channel: 'C0OUTSIDE' })).channel).toMatchObject({ id: 'C0OUTSIDE', name: 'outside', is_member: false, is_private: false, is_archived: false });
    expect((await call('conversations.info', { channel: 'C0SECRET' })).channel).toMatchObject({ is_member: true, is_private: true });
    expect(await call('conversations.info', { channel: 'C0HIDDEN' })).toMatchObject({ ok: false, error: 'channel_not_found' });
  });

  it('conversations.join enters a public channel (then posting works) and refuses private ones', async () => {
    slack.addChannel('C0JOIN', { name: 'join', botIsMember: false });
    expect(await call('chat.postMessage', { channel: 'C0JOIN', text: 'x' })).toMatchObject({ error: 'not_in_channel' });
    expect(await call('conversations.join', { channel: 'C0JOIN' })).toMatchObject({ ok: true, channel: { id: 'C0JOIN', is_member: true } });
    expect(slack.botIsMember('C0JOIN')).toBe(true);
    expect(await call('conversations.join', { channel: 'C0JOIN' })).toMatchObject({ ok: true, warning: 'already_in_channel' });
    expect(await call('chat.postMessage', { channel: 'C0JOIN', text: 'x' })).toMatchObject({ ok: true });
    expect(await call('conversations.join', { channel: 'C0SECRET' })).toMatchObject({ ok: false, error: 'method_not_supported_for_channel_type' });
    expect(await call('conversations.join', { channel: 'C0HIDDEN' })).toMatchObject({ ok: false, error: 'channel_not_found' });
    expect(await call('conversations.join', { channel: 'C0OLD' })).toMatchObject({ ok: false, error: 'is_archived' });
  });

  it('conversations.members pages with next_cursor and refuses a limit of 1000', async () => {
    slack.setMembers('C0OPEN', Array.from({ length: 250 }, (_, i) => `U${String(i).padStart(6, '0')}`));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call('conversations.members', { channel: 'C0OPEN', limit: 200, ...(cursor ? { cursor } : {}) });
      expect(page.ok).toBe(true);
      seen.push(...(page.members as string[]));
      cursor = page.response_metadata.next_cursor || undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toHaveLength(251);
    expect(seen[0]).toBe('U0REPKABOT');
    expect(await call('conversations.members', { channel: 'C0OPEN', limit: 1000 })).toMatchObject({ ok: false, error: 'invalid_limit' });
  });
});

describe('FakeSlack deleted messages', () => {
  it('a deleted parent: thread posts answer thread_not_found, chat.update message_not_found', async () => {
    const card = await call('chat.postMessage', { channel: 'C0OPEN', text: 'card' });
    expect(await call('chat.postMessage', { channel: 'C0OPEN', text: 'reply', thread_ts: card.ts })).toMatchObject({ ok: true });
    slack.deleteMessage('C0OPEN', card.ts);
    expect(await call('chat.postMessage', { channel: 'C0OPEN', text: 'reply', thread_ts: card.ts })).toMatchObject({ ok: false, error: 'thread_not_found' });
    expect(await call('chat.update', { channel: 'C0OPEN', ts: card.ts, text: 'changed' })).toMatchObject({ ok: false, error: 'message_not_found' });
  });

  it('chat.update of a human message answers cant_update_message', async () => {
    slack.addHumanMessage('C0OPEN', { ts: '1732280000.999999', user: 'U0AGENT1', text: 'mine' });
    expect(await call('chat.update', { channel: 'C0OPEN', ts: '1732280000.999999', text: 'x' })).toMatchObject({ ok: false, error: 'cant_update_message' });
  });
});

describe('FakeSlack limits on the wire', () => {
  it('refuses oversized blocks with invalid_blocks and records the violation', async () => {
    const before = slack.violations.length;
    const answer = await call('chat.postMessage', { channel: 'C0OPEN', text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }] });
    expect(answer).toMatchObject({ ok: false, error: 'invalid_blocks', errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] });
    expect(answer.response_metadata.messages).toEqual(['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
    expect(slack.violations).toHaveLength(before + 1);
    expect(() => slack.assertNoViolations()).toThrow(/invalid_blocks/);
  });
});

describe('FakeSlack triggers and views', () => {
  it('views.open takes a trigger the fake issued, once, within 3 s', async () => {
    const fresh = newTriggerId();
    expect(fresh).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
    const opened = await call('views.open', { trigger_id: fresh, view: modal() });
    expect(opened).toMatchObject({ ok: true, view: { title: { text: 'Reply' } } });
    expect(slack.viewOpenedBy(fresh)).toMatchObject({ id: opened.view.id, hash: opened.view.hash });
    expect(await call('views.open', { trigger_id: fresh, view: modal() })).toMatchObject({ ok: false, error: 'exchanged_trigger_id' });
    expect(await call('views.open', { trigger_id: newTriggerId(Date.now() - triggerLifetimeMs - 1), view: modal() })).toMatchObject({ ok: false, error: 'expired_trigger_id' });
    expect(await call('views.open', { trigger_id: '123.456.abc', view: modal() })).toMatchObject({ ok: false, error: 'invalid_trigger_id' });
    expect(await call('views.open', { trigger_id: newTriggerId(), view: modal('A title of twenty-five ch') })).toMatchObject({ ok: false, error: 'invalid_arguments' });
  });

  it('views.update needs a view Slack opened, and its current hash', async () => {
    const trigger = newTriggerId();
    const opened = await call('views.open', { trigger_id: trigger, view: modal() });
    const updated = await call('views.update', { view_id: opened.view.id, hash: opened.view.hash, view: modal('Preview') });
    expect(updated).toMatchObject({ ok: true, view: { id: opened.view.id } });
    expect(await call('views.update', { view_id: opened.view.id, hash: opened.view.hash, view: modal('Stale') })).toMatchObject({ ok: false, error: 'hash_conflict' });
    expect(await call('views.update', { view_id: 'VNOSUCH', view: modal() })).toMatchObject({ ok: false, error: 'not_found' });
  });
});

describe('Slack events as Slack sends them', () => {
  it('a message event carries the wire text and a rich_text copy of it', () => {
    const event = messageEvent({ channel: 'C0OPEN', user: 'U0AGENT1', text: '5 &gt; 3 &amp; <https://x.example/a|docs> <@U0AGENT2> <!here> :wave:', thread_ts: '1.1' });
    expect(event).toMatchObject({ type: 'message', channel: 'C0OPEN', user: 'U0AGENT1', thread_ts: '1.1', channel_type: 'channel', team: 'T0TEAM' });
    expect(event.client_msg_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.ts).toBe(event.event_ts);
    const [section] = (richTextOf(String(event.text))[0]?.elements as { elements: unknown[] }[]) ?? [];
    expect(section?.elements).toEqual([
      { type: 'text', text: '5 > 3 & ' },
      { type: 'link', url: 'https://x.example/a', text: 'docs' },
      { type: 'text', text: ' ' },
      { type: 'user', user_id: 'U0AGENT2' },
      { type: 'text', text: ' ' },
      { type: 'broadcast', range: 'here' },
      { type: 'text', text: ' ' },
      { type: 'emoji', name: 'wave' },
    ]);
  });

  it('file_share carries files downloadable only with a bot token', async () => {
    const file = slack.shareFile({ name: 'invoice.pdf', mimetype: 'application/pdf', bytes: Buffer.from('%PDF-1.4 fake') });
    const event = fileShareEvent({ channel: 'C0OPEN', user: 'U0AGENT1', text: 'see attached', thread_ts: '1.1', files: [file] });
    expect(event).toMatchObject({ subtype: 'file_share', files: [{ name: 'invoice.pdf', size: 13 }] });
    const withToken = await fetch(String(file.url_private_download), { headers: { authorization: 'Bearer xoxb-fake-test' } });
    expect(Buffer.from(await withToken.arrayBuffer()).toString()).toBe('%PDF-1.4 fake');
    const anonymous = await fetch(String(file.url_private_download));
    expect(anonymous.headers.get('content-type')).toContain('text/html');
  });

  it('thread_broadcast, message_changed and message_deleted have Slack\'s fields', () => {
    const original = { channel: 'C0OPEN', user: 'U0AGENT1', text: 'first', ts: '1732280000.000500', thread_ts: '1.1' };
    expect(threadBroadcastEvent(original)).toMatchObject({ subtype: 'thread_broadcast', thread_ts: '1.1', root: { ts: '1.1' } });
    const changed = messageChangedEvent(original, 'second');
    expect(changed).toMatchObject({ type: 'message', subtype: 'message_changed', hidden: true, channel: 'C0OPEN', message: { text: 'second', ts: original.ts, edited: { user: 'U0AGENT1' } }, previous_message: { text: 'first', ts: original.ts } });
    expect(changed.ts).not.toBe(original.ts);
    expect(messageDeletedEvent(original)).toMatchObject({ subtype: 'message_deleted', hidden: true, deleted_ts: original.ts, previous_message: { text: 'first' } });
  });
});

describe('FakeSlack refuses a token as Slack does', () => {
  it('a rejected token: HTTP 200 ok:false with its error on every method; no token: not_authed', async () => {
    slack.rejectToken('xoxb-gone', 'token_revoked');
    slack.rejectToken('xoxb-wrong');
    const as = (token: string) => new WebClient(token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    const refusal = (run: () => Promise<unknown>) => run().then(() => undefined, (error: { data: Record<string, unknown> }) => error.data);
    expect(await refusal(() => as('xoxb-gone').auth.test())).toMatchObject({ ok: false, error: 'token_revoked' });
    expect(await refusal(() => as('xoxb-wrong').conversations.info({ channel: 'C0OPEN' }))).toMatchObject({ ok: false, error: 'invalid_auth' });
    expect(await refusal(() => new WebClient(undefined, { slackApiUrl: slack.url, retryConfig: { retries: 0 } }).auth.test())).toMatchObject({ ok: false, error: 'not_authed' });
    expect(await refusal(() => web.auth.test())).toBeUndefined();
  });
});
