import { describe, expect, it } from 'vitest';
import type { AgentMessage, CaseService } from '../../../../../src/cases/case-service.js';
import { caseThreadMessage } from '../../../../../bots/slack/listeners/messages/case-thread-message.js';
import { directory, eventArguments, ownBotReply, recordingLogger, repkaUser, team, threadReply } from '../bolt-arguments.js';

const support = 'C0SUPPORT1';
const card = '1764654000.000100';

/** The case service as a recording stub: what the listener hands on, and nothing else. */
function setup(receive: (m: AgentMessage) => unknown = () => ({ outcome: 'done', caseId: 12 })) {
  const received: AgentMessage[] = [];
  const cases = { receiveAgentMessage: async (m: AgentMessage) => (received.push(m), receive(m)) } as unknown as CaseService;
  return { received, listener: caseThreadMessage({ cases, directory, supportChannel: support, log: recordingLogger() }) };
}

const agentSays = (text: string, ts = '1764654001.000200') => threadReply({ channel: support, user: 'U0AGENT1', text, ts, thread_ts: card });

describe('a message in a case thread', () => {
  it('reaches the case service once, keyed by the event_id Slack keeps across retries, decoded as the agent saw it', async () => {
    const t = setup();
    await t.listener(eventArguments(agentSays('!reply 5 &gt; 3 &amp; <https://x.example|see> :wave:'), { eventId: 'Ev0CASE0001' }));
    expect(t.received).toEqual([
      {
        inboundKey: 'slack:Ev0CASE0001',
        platform: 'slack',
        channel: support,
        threadTs: card,
        ts: '1764654001.000200',
        user: 'U0AGENT1',
        userName: 'Anna',
        text: '!reply 5 > 3 & see (https://x.example) 👋',
        mentions: [],
        files: [],
      },
    ]);
  });

  it('names the people it mentions, by display name in the text and by id in mentions', async () => {
    const t = setup();
    await t.listener(eventArguments(agentSays('!assign <@U0AGENT2>')));
    expect(t.received.map((m) => [m.text, m.mentions])).toEqual([['!assign @Boris', [{ id: 'U0AGENT2', name: 'Boris' }]]]);
  });

  it('passes on "also send to channel" replies and replies with a file', async () => {
    const t = setup();
    const broadcast = { ...agentSays('!note seen &lt;3', '1764654002.000300'), subtype: 'thread_broadcast', root: { type: 'message', user: repkaUser, text: 'Case #12', ts: card, thread_ts: card, reply_count: 2, reply_users_count: 1, latest_reply: '1764654002.000300', reply_users: ['U0AGENT1'] } };
    const file = { ...agentSays('', '1764654003.000400'), subtype: 'file_share', files: [{ id: 'F0SCREEN1', name: 'screen.png', mimetype: 'image/png', filetype: 'png' }], upload: false, display_as_bot: false };
    await t.listener(eventArguments(broadcast));
    await t.listener(eventArguments(file));
    expect(t.received.map((m) => [m.ts, m.text])).toEqual([
      ['1764654002.000300', '!note seen <3'],
      ['1764654003.000400', ''],
    ]);
    // The file as the domain keeps it (no size or URL in this payload: looked up when sent).
    expect(t.received[1]?.files).toEqual([{ id: 'F0SCREEN1', name: 'screen.png', mimeType: 'image/png', size: 0 }]);
  });

  it("reads a Slack Connect file's details with files.info: they decide photo or document and whether it is too big", async () => {
    const t = setup();
    const asked: unknown[] = [];
    const client = {
      files: {
        info: async (args: { file: string }) => {
          asked.push(args);
          return { ok: true, file: { id: 'F0CONNECT', name: 'scan.jpg', mimetype: 'image/jpeg', size: 734_003, mode: 'hosted', url_private_download: 'https://files.slack.com/files-pri/T0-F0CONNECT/download/scan.jpg' } };
        },
      },
    };
    // What Slack Connect puts in the event: the id and a pointer to files.info, nothing else.
    const connect = { id: 'F0CONNECT', mode: 'file_access', file_access: 'check_file_info', created: 0, timestamp: 0, user: '' };
    await t.listener(eventArguments({ ...agentSays('!reply the scan', '1764654005.000600'), subtype: 'file_share', files: [connect], upload: true, display_as_bot: false }, { client }));
    expect(asked).toEqual([{ file: 'F0CONNECT' }]);
    expect(t.received[0]?.files).toEqual([{ id: 'F0CONNECT', name: 'scan.jpg', mimeType: 'image/jpeg', size: 734_003, url: 'https://files.slack.com/files-pri/T0-F0CONNECT/download/scan.jpg' }]);
  });

  it('keeps hosted files only: a deleted one (tombstone) or an external link has no bytes to send', async () => {
    const t = setup();
    const hosted = { id: 'F0INVOICE', name: 'invoice.pdf', mimetype: 'application/pdf', size: 2048, mode: 'hosted', url_private_download: 'https://files.slack.com/files-pri/T0-F0INVOICE/download/invoice.pdf' };
    const files = [hosted, { id: 'F0GONE', mode: 'tombstone' }, { id: 'F0GDRIVE', name: 'Plan', mode: 'external', is_external: true, external_type: 'gdrive' }];
    await t.listener(eventArguments({ ...agentSays('!reply see attached', '1764654004.000500'), subtype: 'file_share', files, upload: false, display_as_bot: false }));
    expect(t.received[0]?.files).toEqual([{ id: 'F0INVOICE', name: 'invoice.pdf', mimeType: 'application/pdf', size: 2048, url: hosted.url_private_download }]);
  });

  it("ignores Repka's own posts, edits, deletions, joins, thread parents and other channels", async () => {
    const t = setup();
    const original = agentSays('!close');
    const ignored = [
      // Repka's own post in the thread: no subtype, but bot_id (Bolt's ignoreSelf aside, the guard holds by itself).
      ownBotReply({ channel: support, text: 'Reply sent to the client.', ts: '1764654010.000500', thread_ts: card }),
      // Another app's post through an incoming webhook.
      { type: 'message', subtype: 'bot_message', text: 'Deploy done', ts: '1764654011.000600', thread_ts: card, bot_id: 'B0OTHER01', username: 'ci', channel: support, event_ts: '1764654011.000600', channel_type: 'channel' },
      // The agent edits "!close" into "!close now": an edit is never a second command.
      {
        type: 'message',
        subtype: 'message_changed',
        message: { ...original, text: '!close now', edited: { user: 'U0AGENT1', ts: '1764654020.000700' } },
        previous_message: original,
        channel: support,
        hidden: true,
        ts: '1764654020.000700',
        event_ts: '1764654020.000700',
        channel_type: 'channel',
      },
      { type: 'message', subtype: 'message_deleted', previous_message: original, channel: support, hidden: true, deleted_ts: original.ts, ts: '1764654021.000800', event_ts: '1764654021.000800', channel_type: 'channel' },
      { type: 'message', subtype: 'channel_join', user: 'U0AGENT2', text: '<@U0AGENT2> has joined the channel', inviter: 'U0AGENT1', team, channel: support, ts: '1764654022.000900', event_ts: '1764654022.000900', channel_type: 'channel' },
      // A top-level message in the support channel, and the thread's parent itself.
      { ...agentSays('!close'), thread_ts: undefined, parent_user_id: undefined },
      { ...agentSays('Case #12', card), user: 'U0AGENT1' },
      // The same words in a thread of a department channel: the department listener's, not this one's.
      threadReply({ channel: 'C0ACCOUNT1', user: 'U0AGENT1', text: '!close', ts: '1764654030.001000', thread_ts: '1764654029.000900' }),
    ];
    for (const event of ignored) await t.listener(eventArguments(event));
    expect(t.received).toEqual([]);
  });

  it("rejects with the case service's error, so Bolt's app.error logs it and Slack's retry is not swallowed", async () => {
    const t = setup(() => Promise.reject(new Error('database is locked')));
    await expect(t.listener(eventArguments(agentSays('!close')))).rejects.toThrow('database is locked');
    const thrown = setup(() => {
      throw new Error('SQLITE_FULL');
    });
    await expect(thrown.listener(eventArguments(agentSays('!close')))).rejects.toThrow('SQLITE_FULL');
  });
});
