import type { Logger } from '../../../../src/ports.js';

/**
 * The arguments Bolt passes a listener, built by hand (the Bolt templates' `buildArguments` style):
 * payloads as Slack sends them (see @slack/types events/message.d.ts, @slack/bolt types/view and
 * types/command), a recording `ack` and `respond`, and a logger that keeps what it was told.
 */

export const team = 'T0REPKA01';
export const appId = 'A0REPKA01';
/** Repka's own bot user and bot id: what its posts carry. */
export const repkaUser = 'U0REPKABOT';
export const repkaBotId = 'B0REPKA01';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

/** A Logger that records every line. */
export function recordingLogger(): Logger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Bolt's `ack`, recording what each call was given (`undefined` for a bare `ack()`). */
export function recordingAck(): ((response?: unknown) => Promise<void>) & { readonly calls: unknown[] } {
  const calls: unknown[] = [];
  return Object.assign(async (response?: unknown) => void calls.push(response), { calls });
}

/** The names a fake directory knows. */
export const people: Readonly<Record<string, string>> = { U0AGENT1: 'Anna', U0AGENT2: 'Boris', U0ACC1: 'Olga' };
export const directory = { displayName: async (id: string) => people[id] ?? id };

/** Lets every pending promise callback run (work a handler sends off after acking). */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The rich_text copy Slack adds to a message event, as it does for a plain typed message. */
const richText = (text: string) => [{ type: 'rich_text', block_id: 'b1Xz', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }] }];

/**
 * A human's reply in a thread, as the Events API sends it: `text` in Slack's wire format
 * (`&amp;`, `<@U…>`), `thread_ts` the parent's ts.
 */
export function threadReply(fields: { channel: string; user: string; text: string; ts: string; thread_ts: string; channel_type?: string }): Record<string, unknown> {
  return {
    type: 'message',
    user: fields.user,
    text: fields.text,
    blocks: richText(fields.text),
    client_msg_id: '0c2a4f3e-8d5e-4a1b-9d6f-5a7b8c9d0e1f',
    team,
    ts: fields.ts,
    thread_ts: fields.thread_ts,
    parent_user_id: repkaUser,
    channel: fields.channel,
    event_ts: fields.ts,
    channel_type: fields.channel_type ?? 'channel',
  };
}

/** Repka's own post in a thread (chat.postMessage with the bot token): no subtype, but `bot_id` and `bot_profile`. */
export function ownBotReply(fields: { channel: string; text: string; ts: string; thread_ts: string }): Record<string, unknown> {
  return {
    type: 'message',
    user: repkaUser,
    bot_id: repkaBotId,
    app_id: appId,
    bot_profile: { id: repkaBotId, app_id: appId, name: 'repka', deleted: false, team_id: team, updated: 1764000000, icons: {} },
    text: fields.text,
    team,
    ts: fields.ts,
    thread_ts: fields.thread_ts,
    parent_user_id: repkaUser,
    channel: fields.channel,
    event_ts: fields.ts,
    channel_type: 'channel',
  };
}

/** The Events API envelope around `event` (Bolt's `body`), with the `event_id` Slack keeps across retries. */
export function eventBody(event: Record<string, unknown>, eventId = 'Ev0REPKA0001'): Record<string, unknown> {
  return {
    token: 'verification-token',
    team_id: team,
    context_team_id: team,
    context_enterprise_id: null,
    api_app_id: appId,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: 1764654001,
    authorizations: [{ enterprise_id: null, team_id: team, user_id: repkaUser, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: '4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMFJFUEtBMDEifQ',
  };
}

/** What Bolt hands an event listener (events are acknowledged by Bolt itself: no `ack`). */
export function eventArguments(event: Record<string, unknown>, options: { eventId?: string; client?: unknown; logger?: Logger } = {}): never {
  const body = eventBody(event, options.eventId);
  return {
    payload: event,
    event,
    message: event.type === 'message' ? event : undefined,
    body,
    say: async () => {
      throw new Error('a listener posted with say(); every post goes through the outbox');
    },
    context: { botUserId: repkaUser, botId: repkaBotId, teamId: team, isEnterpriseInstall: false, retryNum: undefined },
    client: options.client ?? {},
    logger: options.logger ?? recordingLogger(),
    next: async () => undefined,
  } as never;
}

/**
 * A button press (block_actions) as Slack posts it: `container` and `channel` say where the
 * message with the button is, `actions[0]` is the button; Bolt passes it as `action`.
 */
export function buttonPress(fields: { actionId: string; value: string; user?: string; channel: string; messageTs: string; threadTs?: string; actionTs?: string }) {
  const action = {
    action_id: fields.actionId,
    block_id: 'Zk3q',
    text: { type: 'plain_text', text: 'Button', emoji: true },
    value: fields.value,
    type: 'button',
    action_ts: fields.actionTs ?? '1764654150.123456',
  };
  const body = {
    type: 'block_actions',
    user: { id: fields.user ?? 'U0AGENT1', username: 'anna', name: 'anna', team_id: team },
    api_app_id: appId,
    token: 'verification-token',
    container: { type: 'message', message_ts: fields.messageTs, channel_id: fields.channel, is_ephemeral: false, ...(fields.threadTs === undefined ? {} : { thread_ts: fields.threadTs }) },
    trigger_id: '8158120733333.7090000000.1c2d3e4f5a',
    team: { id: team, domain: 'acme' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: fields.channel, name: 'support' },
    message: { type: 'message', user: repkaUser, bot_id: repkaBotId, app_id: appId, text: 'Case #12', ts: fields.messageTs, team, blocks: [] },
    state: { values: {} },
    response_url: `https://hooks.slack.com/actions/${team}/8158120733333/Vt2mJ0fQ8xR1`,
    actions: [action],
  };
  return { action, body };
}

/** A Web API client that records views.open / views.update (and can fail them). */
export function recordingClient(fails?: Error) {
  const calls: { method: string; request: Record<string, unknown> }[] = [];
  const call = (method: string) => async (request: Record<string, unknown>) => {
    calls.push({ method, request });
    if (fails !== undefined) throw fails;
    return { ok: true };
  };
  return { calls, client: { views: { open: call('views.open'), update: call('views.update'), publish: call('views.publish') } } };
}

/** What Bolt hands an action listener. */
export function actionArguments(press: { action: unknown; body: unknown }, client: unknown, ack = recordingAck()): never {
  return {
    ack,
    action: press.action,
    payload: press.action,
    body: press.body,
    respond: async () => {
      throw new Error('a listener answered with respond(); answers go through the outbox');
    },
    say: async () => {
      throw new Error('a listener posted with say(); every post goes through the outbox');
    },
    context: { botUserId: repkaUser, botId: repkaBotId, teamId: team },
    client,
    logger: recordingLogger(),
    next: async () => undefined,
  } as never;
}
