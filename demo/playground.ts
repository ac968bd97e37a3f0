import { randomBytes } from 'node:crypto';
import { type FakeSlack, nextTs, sendSlackEvent, sendSlackInteraction, type StoredMessage } from '../tests/fakes/fake-slack.js';
import { callbackQueryUpdate, commandUpdate, type FakeTelegram, postTelegramUpdate, textUpdate } from '../tests/fakes/fake-telegram.js';
import { slackWireMessage } from '../tests/fakes/slack-wire.js';
import { agents, client, departmentPeople, everyone, supportChannel, supportOthers, type Person } from './people.js';

/** A department as the playground shows it. */
export interface DemoDepartment {
  readonly id: string;
  readonly name: string;
  readonly slackChannel: string;
}

export interface PlaygroundDeps {
  readonly slack: FakeSlack;
  readonly telegram: FakeTelegram;
  /** Base URL of the running Repka, e.g. http://127.0.0.1:3000. */
  readonly repkaUrl: string;
  /** Base URL of the playground's own server, for Slack's response_url (known once it listens). */
  readonly ownUrl: () => string;
  readonly signingSecret: string;
  readonly webhookSecret: string;
  readonly departments: readonly DemoDepartment[];
}

/** One line of the client's Telegram chat. */
interface ChatLine {
  readonly from: 'client' | 'bot';
  readonly time: number;
  /** The bot's message_id (bot lines only): edits and button presses refer to it. */
  readonly messageId?: number;
  readonly text?: string;
}

/** A message as the page renders it: stored Slack messages and ephemerals alike. */
interface SlackLine {
  readonly ts: string;
  readonly time: number;
  readonly user?: string;
  readonly bot: boolean;
  readonly text?: string;
  readonly blocks?: unknown;
  readonly files?: unknown[];
  readonly reactions: readonly string[];
  /** Set on ephemeral messages: the only user who sees it. */
  readonly onlyFor?: string;
}

interface OpenModal {
  readonly id: string;
  readonly user: string;
  readonly view: Record<string, any>;
}

/** What a Slack interaction posted back: Bolt's answer body, e.g. modal validation errors. */
export interface InteractionAnswer {
  readonly status: number;
  readonly errors?: Record<string, string>;
}

const teamId = 'T0TEAM';

/**
 * The playground's view of the fakes, and the visitor's actions turned into what Telegram and Slack
 * would send: Telegram updates to the webhook, signed Slack events and interaction payloads.
 * It never calls Repka's code: everything goes over HTTP, as from the real platforms.
 */
export class Playground {
  private readonly chat: ChatLine[] = [];
  private readonly seenBotMessages = new Set<number>();
  private readonly seenAt = new Map<string, number>();
  private readonly triggers = new Map<string, string>();
  private readonly closedModals = new Set<string>();
  private readonly responses: { channel?: string; threadTs?: string; user: string; text: string; time: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly deps: PlaygroundDeps) {
    for (const person of everyone) deps.slack.addUser({ id: person.id, name: person.name.toLowerCase(), real_name: person.name, display_name: person.name });
    // Frequent looks give each bot message a close first-seen time, to place ephemerals among them.
    this.timer = setInterval(() => this.observe(), 100);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The client writes in the private chat: a text message, or a command such as /start. */
  async clientWrites(text: string): Promise<number> {
    const update = /^\/[a-z]+/i.test(text) ? commandUpdate(client, text) : textUpdate(client, text);
    this.observe();
    this.chat.push({ from: 'client', time: Date.now(), text });
    return (await postTelegramUpdate(this.deps.repkaUrl, this.deps.webhookSecret, update)).status;
  }

  /** The client presses an inline button under the bot's message `messageId`. */
  async clientPresses(messageId: number, data: string): Promise<number> {
    const update = callbackQueryUpdate(client, data, { message_id: messageId, chat_id: client.id });
    return (await postTelegramUpdate(this.deps.repkaUrl, this.deps.webhookSecret, update)).status;
  }

  /** A person posts in a thread (or the channel): kept in the fake's history and sent to Repka as Slack's Events API does. */
  async slackPosts(channel: string, user: string, text: string, threadTs?: string): Promise<number> {
    this.checkPerson(user);
    this.checkChannel(channel);
    const ts = nextTs();
    // Slack keeps and sends what was typed in its wire form: escaped, links and mentions as <…>, emoji as :names:.
    const wire = slackWireMessage(text, this.deps.slack.userIdsByName());
    this.deps.slack.addHumanMessage(channel, { ts, user, text: wire.text, ...(threadTs ? { thread_ts: threadTs } : {}) });
    this.seenAt.set(`${channel}:${ts}`, Date.now());
    const event = { type: 'message', channel, user, text: wire.text, blocks: wire.blocks, ts, event_ts: ts, channel_type: 'channel', client_msg_id: randomBytes(8).toString('hex'), ...(threadTs ? { thread_ts: threadTs } : {}) };
    return (await sendSlackEvent(this.deps.repkaUrl, this.deps.signingSecret, event, { teamId })).status;
  }

  /** A person clicks a button on a message: a signed block_actions payload, as Slack sends it. */
  async slackClicks(channel: string, messageTs: string, user: string, actionId: string): Promise<InteractionAnswer> {
    this.checkPerson(user);
    const message = this.deps.slack.messages(channel).find((m) => m.ts === messageTs);
    const blocks = Array.isArray(message?.blocks) ? (message.blocks as Record<string, any>[]) : [];
    const found = blocks.flatMap((block) => (block.type === 'actions' ? (block.elements as Record<string, any>[]).map((element) => ({ block, element })) : [])).find((b) => b.element.action_id === actionId);
    if (message === undefined || found === undefined) return { status: 404 };
    const triggerId = this.deps.slack.newTriggerId();
    this.triggers.set(triggerId, user);
    const payload = {
      type: 'block_actions',
      user: { id: user, username: this.nameOf(user).toLowerCase(), name: this.nameOf(user).toLowerCase(), team_id: teamId },
      api_app_id: 'A0REPKA',
      token: 'legacy-verification-token',
      container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: false, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
      trigger_id: triggerId,
      team: { id: teamId, domain: 'fake' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: channel, name: channel.toLowerCase() },
      message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks, user: message.user, bot_id: message.bot_id, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
      state: { values: {} },
      response_url: `${this.deps.ownUrl()}/api/slack/respond/${encodeURIComponent(user)}/${encodeURIComponent(channel)}/${encodeURIComponent(message.thread_ts ?? message.ts)}`,
      actions: [{ type: 'button', action_id: actionId, block_id: found.block.block_id, text: found.element.text, value: found.element.value, action_ts: nextTs() }],
    };
    const answer = await sendSlackInteraction(this.deps.repkaUrl, this.deps.signingSecret, payload);
    return { status: answer.status };
  }

  /** A person submits a modal: a signed view_submission payload. `values` maps block_id to the typed or chosen value. */
  async slackSubmits(modalId: string, values: Record<string, string>): Promise<InteractionAnswer> {
    const modal = this.openModals().find((m) => m.id === modalId);
    if (modal === undefined) return { status: 404 };
    const state: Record<string, Record<string, unknown>> = {};
    for (const block of (modal.view.blocks ?? []) as Record<string, any>[]) {
      if (block.type !== 'input') continue;
      const value = values[block.block_id] ?? '';
      const element = block.element as Record<string, any>;
      const option = ((element.options ?? []) as { value: string; text: unknown }[]).find((o) => o.value === value);
      state[block.block_id] = {
        [element.action_id]:
          element.type === 'static_select'
            ? { type: 'static_select', selected_option: option === undefined ? null : { text: option.text, value: option.value } }
            : { type: element.type, value: value === '' ? null : value },
      };
    }
    const payload = {
      type: 'view_submission',
      team: { id: teamId, domain: 'fake' },
      user: { id: modal.user, username: this.nameOf(modal.user).toLowerCase(), name: this.nameOf(modal.user).toLowerCase(), team_id: teamId },
      api_app_id: 'A0REPKA',
      token: 'legacy-verification-token',
      trigger_id: this.deps.slack.newTriggerId(),
      view: { ...modal.view, id: modal.id, team_id: teamId, app_id: 'A0REPKA', hash: this.deps.slack.view(modal.id)?.hash ?? '', state: { values: state } },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    const answer = await sendSlackInteraction(this.deps.repkaUrl, this.deps.signingSecret, payload);
    const errors = parseErrors(answer.body);
    if (answer.status === 200 && errors === undefined) this.closedModals.add(modal.id);
    return { status: answer.status, errors };
  }

  /** The visitor closes a modal without submitting it (Slack tells the app nothing unless asked to). */
  dismissModal(modalId: string): void {
    this.closedModals.add(modalId);
  }

  /** A message the app sent to a block action's response_url (an ephemeral answer to a click). */
  recordResponse(user: string, channel: string, threadTs: string, body: Record<string, unknown>): void {
    if (typeof body.text !== 'string' || body.text === '') return;
    this.responses.push({ user, channel, threadTs, text: body.text, time: Date.now() });
  }

  /** Everything the page shows; plain JSON. */
  state(): Record<string, unknown> {
    this.observe();
    const names = Object.fromEntries(everyone.map((p) => [p.id, p.name]));
    const person = (p: Person) => ({ id: p.id, name: p.name, role: p.role });
    return {
      client: { id: client.id, name: [client.first_name, client.last_name].filter(Boolean).join(' ') },
      chat: this.chatLines(),
      names: { ...names, U0REPKABOT: 'Repka' },
      support: { id: supportChannel, name: 'support', people: [...agents, ...supportOthers].map(person), threads: this.threads(supportChannel) },
      departments: this.deps.departments.map((d) => ({
        id: d.id,
        name: d.name,
        channel: d.slackChannel,
        people: (departmentPeople[d.slackChannel] ?? []).map(person),
        threads: this.threads(d.slackChannel),
      })),
      modals: this.openModals().map((m) => ({ id: m.id, user: m.user, view: m.view })),
    };
  }

  /** Notes first-seen times of bot messages in Slack and Telegram. */
  private observe(): void {
    const now = Date.now();
    for (const channel of [supportChannel, ...this.deps.departments.map((d) => d.slackChannel)]) {
      for (const m of this.deps.slack.messages(channel)) {
        const key = `${channel}:${m.ts}`;
        if (!this.seenAt.has(key)) this.seenAt.set(key, now);
      }
    }
    for (const m of this.deps.telegram.sentTo(client.id)) {
      if (this.seenBotMessages.has(m.message_id)) continue;
      this.seenBotMessages.add(m.message_id);
      this.chat.push({ from: 'bot', time: now, messageId: m.message_id });
    }
  }

  private chatLines(): Record<string, unknown>[] {
    const sent = new Map(this.deps.telegram.sentTo(client.id).map((m) => [m.message_id, m]));
    return this.chat.map((line) => {
      if (line.from === 'client') return { from: 'client', time: line.time, text: line.text };
      const m = sent.get(line.messageId as number);
      const keyboard = (m?.reply_markup?.inline_keyboard ?? []) as { text: string; callback_data?: string }[][];
      return {
        from: 'bot',
        time: line.time,
        messageId: line.messageId,
        text: m?.text ?? m?.caption ?? '',
        buttons: keyboard.map((row) => row.filter((b) => typeof b.callback_data === 'string').map((b) => ({ text: b.text, data: b.callback_data }))),
      };
    });
  }

  /** Top-level messages of a channel, each with its replies and the ephemerals shown there. */
  private threads(channel: string): Record<string, unknown>[] {
    const stored = [...this.deps.slack.messages(channel)].sort((a, b) => compareTs(a.ts, b.ts));
    const lines = stored.map((m) => this.lineOf(channel, m));
    const ephemerals = [
      ...this.deps.slack
        .callsTo('chat.postEphemeral')
        .filter((c) => c.params.channel === channel)
        .map((c) => ({ threadTs: c.params.thread_ts as string | undefined, user: String(c.params.user), text: String(c.params.text ?? ''), time: c.at })),
      ...this.responses.filter((r) => r.channel === channel),
    ];
    const tops = lines.filter((l) => !isReply(l));
    return tops.map((top) => {
      const replies: SlackLine[] = lines.filter((l) => isReply(l) && l.thread === top.ts);
      for (const e of ephemerals.filter((x) => x.threadTs === top.ts)) {
        const at = replies.findIndex((r) => r.time > e.time);
        const line: SlackLine = { ts: `ephemeral-${e.time}`, time: e.time, user: 'U0REPKABOT', bot: true, text: e.text, reactions: [], onlyFor: e.user };
        replies.splice(at === -1 ? replies.length : at, 0, line);
      }
      return { ...top, replies };
    });
  }

  private lineOf(channel: string, m: StoredMessage): SlackLine & { thread?: string } {
    return {
      ts: m.ts,
      time: this.seenAt.get(`${channel}:${m.ts}`) ?? Date.now(),
      user: m.user,
      bot: m.bot_id !== undefined,
      text: m.text,
      blocks: m.blocks,
      files: m.files,
      reactions: m.reactions,
      thread: m.thread_ts !== undefined && m.thread_ts !== m.ts ? m.thread_ts : undefined,
    };
  }

  private openModals(): OpenModal[] {
    return this.deps.slack
      .callsTo('views.open')
      .flatMap((c) => {
        // Only the views Slack opened: a refused views.open (an expired trigger, say) shows nothing.
        const opened = this.deps.slack.viewOpenedBy(String(c.params.trigger_id));
        return opened === undefined ? [] : [{ id: opened.id, user: this.triggers.get(String(c.params.trigger_id)) ?? '', view: opened.view as Record<string, any> }];
      })
      .filter((m) => !this.closedModals.has(m.id) && typeof m.view === 'object' && m.view !== null);
  }

  private nameOf(user: string): string {
    return everyone.find((p) => p.id === user)?.name ?? user;
  }

  private checkPerson(user: string): void {
    if (!everyone.some((p) => p.id === user)) throw new PlaygroundInputError(`unknown user ${user}`);
  }

  private checkChannel(channel: string): void {
    if (channel !== supportChannel && !this.deps.departments.some((d) => d.slackChannel === channel)) throw new PlaygroundInputError(`unknown channel ${channel}`);
  }
}

/** A request from the page that names something the playground does not have; answered 400. */
export class PlaygroundInputError extends Error {
  override readonly name = 'PlaygroundInputError';
}

const isReply = (line: { thread?: string }) => line.thread !== undefined;

/** Orders Slack timestamps ("1732280000.000101") numerically, seconds then the fraction. */
function compareTs(a: string, b: string): number {
  const [as = '0', af = '0'] = a.split('.');
  const [bs = '0', bf = '0'] = b.split('.');
  return Number(as) - Number(bs) || Number(af) - Number(bf);
}

/** `{response_action:'errors', errors}` from Bolt's answer to a view submission, if that is what it was. */
function parseErrors(body: string): Record<string, string> | undefined {
  if (body.trim() === '') return undefined;
  try {
    const parsed = JSON.parse(body) as { response_action?: string; errors?: Record<string, string> };
    return parsed.response_action === 'errors' ? parsed.errors : undefined;
  } catch {
    return undefined;
  }
}
