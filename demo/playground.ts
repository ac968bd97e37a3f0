import { randomBytes } from 'node:crypto';
import { emojiForShortcode } from '../bots/slack/text/slack-emoji.js';
import { type FakeSlack, nextTs, sendSlackEvent, sendSlackInteraction, sendSlashCommand } from '../tests/fakes/fake-slack.js';
import { callbackQueryUpdate, type FakeTelegram, postTelegramUpdate } from '../tests/fakes/fake-telegram.js';
import { slackWireMessage } from '../tests/fakes/slack-wire.js';
import { exportCommand, type ExportSetup } from './case-export.js';
import { agents, client, departmentPeople, everyone, supportChannel, supportOthers, type Person } from './people.js';
import { channelView, type Ephemeral } from './channel-view.js';
import { buttonClick, homeOpened, modalTyping, parseErrors, slashCommand, teamId, viewSubmission, viewWithState, type Actor } from './slack-payloads.js';
import { clientMessage } from './telegram-updates.js';
import { VisitorInputs, type SendResult } from './visitor-inputs.js';

/** A department as the playground shows it. */
export interface DemoDepartment {
  readonly id: string;
  readonly name: string;
  readonly slackChannel: string;
}

export interface PlaygroundDeps {
  readonly slack: FakeSlack;
  readonly telegram: FakeTelegram;
  /** The bot the fake Telegram plays: the `from` of its messages, in a reply's reply_to_message. */
  readonly telegramBot: { readonly id: number; readonly username: string };
  /** Base URL of the running Repka, e.g. http://127.0.0.1:3000. */
  readonly repkaUrl: string;
  /** Base URL of the playground's own server, for Slack's response_url (known once it listens). */
  readonly ownUrl: () => string;
  readonly signingSecret: string;
  readonly webhookSecret: string;
  readonly departments: readonly DemoDepartment[];
  /** The demo's database, for the export command the page shows. */
  readonly exports: ExportSetup;
}

/** One line of the client's Telegram chat. */
interface ChatLine {
  readonly from: 'client' | 'bot';
  readonly time: number;
  /** The bot's message_id (bot lines only): edits and button presses refer to it. */
  readonly messageId?: number;
  readonly text?: string;
  /** The client's line: its input, to tell whether Repka got it. */
  readonly inputId?: string;
  /** The bot message the client replied to. */
  readonly replyTo?: number;
}

interface OpenModal {
  readonly id: string;
  readonly user: string;
  readonly hash: string;
  readonly view: Record<string, any>;
}

/** What a Slack interaction posted back: Bolt's answer body, e.g. modal validation errors. */
export interface InteractionAnswer {
  readonly status: number;
  readonly errors?: Record<string, string>;
}

const sent = (res: { status: number; body: string }): SendResult => ({ status: res.status, body: res.body });

/**
 * The playground's view of the fakes, and the visitor's actions turned into what Telegram and Slack
 * would send: Telegram updates to the webhook, signed Slack events, interaction payloads and slash
 * commands. It never calls Repka's code: everything goes over HTTP, as from the real platforms.
 * What the visitor does before Repka is up waits in `inputs` and is sent once it is.
 */
export class Playground {
  private readonly chat: ChatLine[] = [];
  private readonly seenBotMessages = new Set<number>();
  private readonly seenAt = new Map<string, number>();
  private readonly triggers = new Map<string, string>();
  private readonly closedModals = new Set<string>();
  private readonly responses: Ephemeral[] = [];
  private readonly inputs = new VisitorInputs();
  private readonly emoji = new Map<string, string | undefined>();
  private up = false;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly deps: PlaygroundDeps) {
    for (const person of everyone) deps.slack.addUser({ id: person.id, name: person.name.toLowerCase(), real_name: person.name, display_name: person.name });
    // Frequent looks give each bot message a close first-seen time, to place ephemerals among them.
    this.timer = setInterval(() => this.observe(), 100);
    this.timer.unref();
  }

  /** Repka answers now: what the visitor did while it started is sent, in order. */
  repkaIsUp(): void {
    this.up = true;
    this.inputs.repkaIsUp();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * The client writes in the private chat: a text message, or a command such as /start; `replyTo`:
   * the bot message it answers (Telegram's reply_to_message). Shown at once; sent when Repka is up.
   */
  clientWrites(text: string, replyTo?: number): { id: string } {
    const original = replyTo === undefined ? undefined : this.deps.telegram.sentTo(client.id).find((m) => m.message_id === replyTo);
    if (replyTo !== undefined && original === undefined) throw new PlaygroundInputError(`no bot message ${replyTo}`);
    const update = clientMessage(client, text, original === undefined ? undefined : { message: original, bot: this.deps.telegramBot });
    this.observe();
    const { id } = this.inputs.submit(async () => sent(await postTelegramUpdate(this.deps.repkaUrl, this.deps.webhookSecret, update)));
    this.chat.push({ from: 'client', time: Date.now(), text, inputId: id, ...(replyTo === undefined ? {} : { replyTo }) });
    return { id };
  }

  /** The client presses an inline button under the bot's message `messageId`. */
  async clientPresses(messageId: number, data: string): Promise<number> {
    const update = callbackQueryUpdate(client, data, { message_id: messageId, chat_id: client.id });
    return (await this.inputs.submit(async () => sent(await postTelegramUpdate(this.deps.repkaUrl, this.deps.webhookSecret, update))).done).status;
  }

  /**
   * A person posts in a thread (or the channel): kept in the fake's history at once and sent to
   * Repka as Slack's Events API does (a repeat carries Slack's retry headers). Resolves with its ts.
   */
  slackPosts(channel: string, user: string, text: string, threadTs?: string): { ts: string } {
    this.checkPerson(user);
    this.checkChannel(channel);
    const ts = nextTs();
    // Slack keeps and sends what was typed in its wire form: escaped, links and mentions as <…>, emoji as :names:.
    const wire = slackWireMessage(text, this.deps.slack.userIdsByName());
    this.deps.slack.addHumanMessage(channel, { ts, user, text: wire.text, ...(threadTs ? { thread_ts: threadTs } : {}) });
    this.seenAt.set(`${channel}:${ts}`, Date.now());
    const event = { type: 'message', channel, user, text: wire.text, blocks: wire.blocks, ts, event_ts: ts, channel_type: 'channel', client_msg_id: randomBytes(8).toString('hex'), ...(threadTs ? { thread_ts: threadTs } : {}) };
    const eventId = `Ev${randomBytes(5).toString('hex').toUpperCase()}`;
    this.inputs.submit(
      async (attempt) => sent(await sendSlackEvent(this.deps.repkaUrl, this.deps.signingSecret, event, { teamId, eventId, ...(attempt > 0 ? { retryNum: attempt, retryReason: 'http_error' } : {}) })),
      `${channel}:${ts}`,
    );
    return { ts };
  }

  /** A person types a slash command (`/repka stats`) in a channel or thread; the answer shows there, only for them. */
  async slackCommand(channel: string, user: string, commandLine: string, threadTs?: string): Promise<number> {
    this.checkPerson(user);
    this.checkChannel(channel);
    const fields = slashCommand(this.actor(user), channel, commandLine, this.deps.slack.newTriggerId(), this.responseUrl(user, channel, threadTs));
    return (await this.inputs.submit(async () => sent(await sendSlashCommand(this.deps.repkaUrl, this.deps.signingSecret, fields))).done).status;
  }

  /**
   * A person opens the Repka app's Home tab: app_home_opened, then the view Repka publishes for them
   * in answer (views.publish), or undefined when none comes within 10 s.
   */
  async openHome(user: string): Promise<{ status: number; view?: unknown }> {
    this.checkPerson(user);
    const event = homeOpened(user);
    const since = Date.now();
    const published = this.deps.slack.waitFor('views.publish', (c) => c.params.user_id === user && c.at >= since, 10_000).catch(() => undefined);
    const { status } = await this.inputs.submit(async () => sent(await sendSlackEvent(this.deps.repkaUrl, this.deps.signingSecret, event, { teamId }))).done;
    if (status !== 200) return { status };
    return { status, view: (await published)?.params.view };
  }

  /** A person clicks a button on a message: a signed block_actions payload, as Slack sends it (after the confirm dialog, if any). */
  async slackClicks(channel: string, messageTs: string, user: string, actionId: string): Promise<InteractionAnswer> {
    this.checkPerson(user);
    const message = this.deps.slack.messages(channel).find((m) => m.ts === messageTs);
    const blocks = Array.isArray(message?.blocks) ? (message.blocks as Record<string, any>[]) : [];
    const found = blocks.flatMap((block) => (block.type === 'actions' ? (block.elements as Record<string, any>[]).map((element) => ({ block, element })) : [])).find((b) => b.element.action_id === actionId);
    if (message === undefined || found === undefined) return { status: 404 };
    const answer = await this.inputs.submit(async () => {
      // A fresh trigger per attempt: Slack's expire after 3 s, and this one may have waited for Repka.
      const triggerId = this.trigger(user);
      const payload = buttonClick(this.actor(user), channel, message, found.block, found.element, triggerId, this.responseUrl(user, channel, message.thread_ts ?? message.ts));
      return sent(await sendSlackInteraction(this.deps.repkaUrl, this.deps.signingSecret, payload));
    }).done;
    return { status: answer.status };
  }

  /** A person types in a modal input that dispatches actions (the reply form's preview): block_actions from the view. */
  async slackTypes(modalId: string, blockId: string, values: Record<string, string>): Promise<InteractionAnswer> {
    const modal = this.openModals().find((m) => m.id === modalId);
    if (modal === undefined) return { status: 404 };
    const user = modal.user;
    if (modalTyping(this.actor(user), modal.view, blockId, values, '') === undefined) throw new PlaygroundInputError(`no input ${blockId} in the modal`);
    const since = Date.now();
    const updated = this.deps.slack.waitFor('views.update', (c) => c.params.view_id === modalId && c.at >= since, 3000).catch(() => undefined);
    const answer = await this.inputs.submit(async () => {
      // The view as it is now: an update in between gave it a new hash, which views.update checks.
      const current = this.deps.slack.view(modalId);
      const view = viewWithState((current?.view ?? modal.view) as Record<string, any>, modalId, current?.hash ?? modal.hash, values);
      return sent(await sendSlackInteraction(this.deps.repkaUrl, this.deps.signingSecret, modalTyping(this.actor(user), view, blockId, values, this.trigger(user)) ?? {}));
    }).done;
    // Bolt answers before the listener's views.update lands: the next keystroke must carry the hash it gives.
    if (answer.status === 200) await updated;
    return { status: answer.status };
  }

  /** A person submits a modal: a signed view_submission payload. `values` maps block_id to the typed or chosen value. */
  async slackSubmits(modalId: string, values: Record<string, string>): Promise<InteractionAnswer> {
    const modal = this.openModals().find((m) => m.id === modalId);
    if (modal === undefined) return { status: 404 };
    const view = viewWithState(modal.view, modal.id, this.deps.slack.view(modal.id)?.hash ?? modal.hash, values);
    const payload = viewSubmission(this.actor(modal.user), view, this.deps.slack.newTriggerId());
    const answer = await this.inputs.submit(async () => sent(await sendSlackInteraction(this.deps.repkaUrl, this.deps.signingSecret, payload))).done;
    const errors = parseErrors(answer.body ?? '');
    if (answer.status === 200 && errors === undefined) this.closedModals.add(modal.id);
    return { status: answer.status, errors };
  }

  /** The visitor closes a modal without submitting it (Slack tells the app nothing unless asked to). */
  dismissModal(modalId: string): void {
    this.closedModals.add(modalId);
  }

  /** Sends a failed message again; false when `id` names no failed one. */
  retry(id: string): boolean {
    return this.inputs.retry(id);
  }

  /** A message the app sent to a response_url (an ephemeral answer to a click or a slash command); threadTs '-': the channel. */
  recordResponse(user: string, channel: string, threadTs: string, body: Record<string, unknown>): void {
    if ((typeof body.text !== 'string' || body.text === '') && !Array.isArray(body.blocks)) return;
    this.responses.push({ user, channel, ...(threadTs === '-' ? {} : { threadTs }), text: typeof body.text === 'string' ? body.text : '', blocks: body.blocks, time: Date.now() });
  }

  /** A file Repka uploaded (the `!history` Markdown), by its id. */
  file(id: string): { bytes: Buffer; filename: string } | undefined {
    return this.deps.slack.uploadedFile(id);
  }

  /** Everything the page shows; plain JSON. */
  state(): Record<string, unknown> {
    this.observe();
    const names = Object.fromEntries(everyone.map((p) => [p.id, p.name]));
    const person = (p: Person) => ({ id: p.id, name: p.name, role: p.role });
    const state = {
      repka: this.up ? 'up' : 'starting',
      client: { id: client.id, name: [client.first_name, client.last_name].filter(Boolean).join(' ') },
      chat: this.chatLines(),
      names: { ...names, U0REPKABOT: 'Repka' },
      support: { id: supportChannel, name: 'support', people: [...agents, ...supportOthers].map(person), ...this.channel(supportChannel) },
      departments: this.deps.departments.map((d) => ({
        id: d.id,
        name: d.name,
        channel: d.slackChannel,
        people: (departmentPeople[d.slackChannel] ?? []).map(person),
        ...this.channel(d.slackChannel),
      })),
      modals: this.openModals().map((m) => ({ id: m.id, user: m.user, hash: m.hash, view: m.view })),
      exportCommand: exportCommand(this.deps.exports),
    };
    return { ...state, emoji: this.emojiIn(JSON.stringify(state)) };
  }

  /** Unicode for each `:shortcode:` in `json` that Slack's standard set has (as bots/slack/text/slack-emoji.ts maps them). */
  private emojiIn(json: string): Record<string, string> {
    const found: Record<string, string> = {};
    for (const [, name = ''] of json.matchAll(/:([a-z0-9_+-]+):/g)) {
      if (!this.emoji.has(name)) this.emoji.set(name, emojiForShortcode(name));
      const unicode = this.emoji.get(name);
      if (unicode !== undefined) found[name] = unicode;
    }
    return found;
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
    const sentMessages = new Map(this.deps.telegram.sentTo(client.id).map((m) => [m.message_id, m]));
    return this.chat.map((line) => {
      if (line.from === 'client') {
        const quoted = line.replyTo === undefined ? undefined : sentMessages.get(line.replyTo);
        return {
          from: 'client',
          time: line.time,
          text: line.text,
          delivery: this.inputs.get(line.inputId ?? ''),
          ...(quoted === undefined ? {} : { replyTo: { messageId: quoted.message_id, text: quoted.text ?? quoted.caption ?? '' } }),
        };
      }
      const m = sentMessages.get(line.messageId as number);
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

  /** A channel's threads and the ephemerals shown in the channel itself (see channelView). */
  private channel(channel: string): ReturnType<typeof channelView> {
    const ephemerals: Ephemeral[] = [
      ...this.deps.slack
        .callsTo('chat.postEphemeral')
        .filter((c) => c.params.channel === channel)
        .map((c) => ({ channel, threadTs: c.params.thread_ts as string | undefined, user: String(c.params.user), text: String(c.params.text ?? ''), blocks: c.params.blocks, time: c.at })),
      ...this.responses.filter((r) => r.channel === channel),
    ];
    return channelView({
      messages: this.deps.slack.messages(channel),
      ephemerals,
      firstSeen: (ts) => this.seenAt.get(`${channel}:${ts}`),
      delivery: (ts) => this.inputs.get(`${channel}:${ts}`),
    });
  }

  private openModals(): OpenModal[] {
    return this.deps.slack
      .callsTo('views.open')
      .flatMap((c) => {
        // Only the views Slack opened: a refused views.open (an expired trigger, say) shows nothing.
        const opened = this.deps.slack.viewOpenedBy(String(c.params.trigger_id));
        return opened === undefined ? [] : [{ id: opened.id, user: this.triggers.get(String(c.params.trigger_id)) ?? '', hash: opened.hash, view: opened.view as Record<string, any> }];
      })
      .filter((m) => !this.closedModals.has(m.id) && typeof m.view === 'object' && m.view !== null);
  }

  /** A fresh trigger_id for an interaction of `user`: a modal it opens is shown as theirs. */
  private trigger(user: string): string {
    const triggerId = this.deps.slack.newTriggerId();
    this.triggers.set(triggerId, user);
    return triggerId;
  }

  /** Where Repka answers an interaction of `user`: /api/slack/respond/<user>/<channel>/<thread ts or ->. */
  private responseUrl(user: string, channel: string, threadTs: string | undefined): string {
    return `${this.deps.ownUrl()}/api/slack/respond/${encodeURIComponent(user)}/${encodeURIComponent(channel)}/${encodeURIComponent(threadTs ?? '-')}`;
  }

  private actor(user: string): Actor {
    return { id: user, name: everyone.find((p) => p.id === user)?.name ?? user };
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
