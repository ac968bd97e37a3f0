import type { ClientContent, Outgoing, PrivateNotice, Refusal } from '../outgoing.js';
import type { Case, CaseEventKind, CaseStore, Client, ClientProfile, Clock, DeliveryTrigger, Language, Logger, ThreadRef, UnitOfWork } from '../ports.js';
import { parseAgentCommand, type AgentCommand } from './agent-command.js';
import { replyEditWindowMs, replyHadFiles, replyOf, replyWasSplit } from './reply-edits.js';
import type { AccessPolicy, Via } from './access-policy.js';
import { caseCommands, commandFor, type AgentMessage, type CommandContext } from './commands/index.js';
import type { AskService } from '../asks/ask-service.js';
import type { ClientFileLimits, SharedFile } from '../files.js';
import { languageFromCode } from '../i18n/language.js';
import { clientName, contentText } from '../client-name.js';
import { runUnitOfWork, type Effects, type InboundResult } from '../unit-of-work.js';
import type { ClientReply } from './rating-service.js';

export type { InboundResult } from '../unit-of-work.js';
export type { AgentMessage } from './commands/index.js';

export interface CaseServiceDeps {
  readonly uow: UnitOfWork;
  readonly trigger: DeliveryTrigger;
  readonly clock: Clock;
  readonly log: Logger;
  /** The staff platform and the conversation (the support channel) where every case gets its thread. */
  readonly support: { readonly platform: string; readonly conversation: string };
  /** Who may use the commands only agents may. */
  readonly policy: AccessPolicy;
  /** Department questions (`!ask`, `!cancel`) and the client-wait alert. */
  readonly asks: AskService;
  /** What the client's chat accepts from a bot (the client platform's adapter knows). */
  readonly clientFileLimits: ClientFileLimits;
  /** A client's open cases at most: `/new` beyond it opens nothing. Default 3. */
  readonly maxOpenCasesPerClient?: number;
  /**
   * Takes a client's message as a rating comment, in the message's unit of work (RatingService);
   * undefined when it is none and the message goes to a case. Without it no message is a comment.
   */
  readonly comments?: {
    takeComment(fx: Effects, client: Client, reply: ClientReply, hasOpenCase: boolean): Promise<InboundResult | undefined>;
  };
}

export type ClientCommand = 'start' | 'status' | 'new' | 'help' | 'language';

/** A command from a case card's button or form, for the case `caseId`. */
export interface CardCommand {
  /** Dedup key, unique per press or submission (the adapter builds it). */
  readonly inboundKey: string;
  readonly caseId: number;
  /** The action's or view's id, in place of a message ts. */
  readonly ts: string;
  readonly user: string;
  readonly userName: string;
  readonly command: AgentCommand;
  /** Files attached in the form (the reply form's file input). Default none. */
  readonly files?: readonly SharedFile[];
}

type Send = (message: Outgoing) => void;

/**
 * The case loop: client messages open and feed cases, agents answer, note, close, reopen and
 * assign. Every method runs in one unit of work together with its outbox writes, then wakes
 * delivery. Methods reject only when storage fails.
 */
export class CaseService {
  constructor(private readonly deps: CaseServiceDeps) {}

  /**
   * A message from a client's private chat (`replyToMessageId`: the bot's message it replies to).
   * A rating comment goes to the rating (see `comments`); anything else opens a case when the
   * client has none open, and goes to it. One unit of work decides and stores.
   */
  receiveClientMessage(inboundKey: string, profile: ClientProfile, content: ClientContent, messageId?: number, replyToMessageId?: number): Promise<InboundResult> {
    return this.run(inboundKey, async (fx) => {
      const { tx, send, now } = fx;
      const { client, openCase } = await tx.upsertClientWithOpenCase(profile, languageFromCode(profile.languageCode), now);
      let current = openCase;
      const comment = await this.deps.comments?.takeComment(fx, client, { chatId: client.chatId, ...(replyToMessageId === undefined ? {} : { replyToMessageId }), content }, current !== undefined);
      if (comment !== undefined) return comment;
      const opened = current === undefined;
      if (current === undefined) current = await this.openCase(tx, client, now, send, false);
      const event = await tx.appendEvent({
        caseId: current.id,
        at: now,
        kind: 'client-message',
        authorKind: 'client',
        authorId: String(client.userId),
        authorName: clientName(client),
        text: contentText(content),
        // The client chat's message id: an edit of this message names it.
        data: { content, ...(messageId === undefined ? {} : { messageId }) },
      });
      if (current.clientWaitingSince === null) {
        await tx.updateCase(current.id, { clientWaitingSince: now });
        const caseId = current.id;
        if (current.firstReplyAt === null) fx.later(() => this.deps.asks.scheduleClientWait(caseId, now));
        // The card of an existing case shows the client waiting again (a new card is posted with it).
        if (!opened) send({ to: 'case-card', caseId, op: 'update' });
      }
      // A new case's card already shows its first text; anything else goes into the thread.
      if (opened && content.type === 'text') send({ to: 'case-card', caseId: current.id, op: 'post' });
      else {
        if (opened) send({ to: 'case-card', caseId: current.id, op: 'post' });
        send({ to: 'case-thread', caseId: current.id, post: { type: 'client-message', eventId: event.id, content } });
      }
      if (opened) send({ to: 'client', chatId: client.chatId, caseId: current.id, notice: { type: 'case-opened', caseId: current.id, empty: false } });
      return { outcome: 'done', caseId: current.id, opened };
    });
  }

  /**
   * The client edited a message they sent (text or caption): its case's thread shows the new text,
   * marked as an edit; the history keeps both. An edit of a message Repka does not know (a command,
   * one from before it kept message ids) is ignored.
   */
  receiveClientEdit(inboundKey: string, profile: ClientProfile, messageId: number, content: ClientContent): Promise<InboundResult> {
    return this.run(inboundKey, async ({ tx, send, now }) => {
      const client = await tx.findClientByChat(profile.chatId);
      if (client === undefined) return { outcome: 'ignored', reason: 'unknown client' };
      const candidates = [...(await tx.listOpenCases(client.id)), await tx.findLatestCase(client.id)].filter((c): c is Case => c !== undefined);
      for (const theCase of new Map(candidates.map((c) => [c.id, c])).values()) {
        const events = await tx.listEvents(theCase.id);
        const original = events.find((e) => e.kind === 'client-message' && e.data?.messageId === messageId);
        if (original === undefined) continue;
        const previous = events.findLast((e) => e.kind === 'client-edited' && e.data?.messageId === messageId)?.text ?? original.text;
        const text = contentText(content) ?? '';
        await tx.appendEvent({
          caseId: theCase.id,
          at: now,
          kind: 'client-edited',
          authorKind: 'client',
          authorId: String(client.userId),
          authorName: clientName(client),
          text,
          data: { messageId, previousText: previous, eventId: original.id },
        });
        send({ to: 'case-thread', caseId: theCase.id, post: { type: 'client-edited', text, previousText: previous } });
        return { outcome: 'done', caseId: theCase.id };
      }
      return { outcome: 'ignored', reason: 'edit of an unknown message' };
    });
  }

  /** `/start`, `/status`, `/new`, `/help`, `/language` from a client's private chat. */
  receiveClientCommand(inboundKey: string, profile: ClientProfile, command: ClientCommand): Promise<InboundResult> {
    return this.run(inboundKey, async ({ tx, send, now }) => {
      const client = await this.upsertClient(tx, profile, now);
      const chatId = client.chatId;
      switch (command) {
        case 'start': {
          const open = (await tx.listOpenCases(client.id)).map((c) => c.id);
          send({ to: 'client', chatId, notice: { type: 'greeting', openCaseIds: open } });
          return { outcome: 'done' };
        }
        case 'status':
          send({ to: 'client', chatId, notice: { type: 'status', cases: await this.openCasesOf(tx, client) } });
          return { outcome: 'done' };
        case 'new': {
          const open = await this.openCasesOf(tx, client);
          const limit = this.deps.maxOpenCasesPerClient ?? 3;
          if (open.length >= limit) {
            send({ to: 'client', chatId, notice: { type: 'too-many-open-cases', limit, cases: open } });
            return { outcome: 'ignored', reason: `open-case limit (${limit}) reached` };
          }
          const created = await this.openCase(tx, client, now, send, true);
          send({ to: 'case-card', caseId: created.id, op: 'post' });
          send({ to: 'client', chatId, caseId: created.id, notice: { type: 'case-opened', caseId: created.id, empty: true } });
          return { outcome: 'done', caseId: created.id, opened: true };
        }
        case 'help':
          send({ to: 'client', chatId, notice: { type: 'help' } });
          return { outcome: 'done' };
        case 'language':
          send({ to: 'client', chatId, notice: { type: 'choose-language' } });
          return { outcome: 'done' };
      }
    });
  }

  /** A message in a group or channel the bot was added to: answered once, politely, with nothing stored. */
  receiveNonPrivateMessage(inboundKey: string, chatId: number): Promise<InboundResult> {
    return this.run(inboundKey, async ({ send }) => {
      send({ to: 'client', chatId, notice: { type: 'private-only' } });
      return { outcome: 'done' };
    });
  }

  /** Sets the client's language explicitly (e.g. from /language). */
  setClientLanguage(inboundKey: string, profile: ClientProfile, language: Language): Promise<InboundResult> {
    return this.run(inboundKey, async ({ tx, send, now }) => {
      const client = await this.upsertClient(tx, profile, now);
      await tx.setClientLanguage(client.id, language);
      send({ to: 'client', chatId: client.chatId, notice: { type: 'language-set' } });
      return { outcome: 'done' };
    });
  }

  /**
   * A human message in a case thread of the support channel: a command or an internal note. A
   * command only agents may use, from someone else, is refused privately and kept as a note.
   */
  async receiveAgentMessage(message: AgentMessage): Promise<InboundResult> {
    return this.dispatch(message, parseAgentCommand(message.text, message.mentions), 'message');
  }

  /**
   * An agent edited their message in a case thread. Only the edit of a `!reply` does anything (an
   * edit is never read as a new command): within 48 hours, a text-only reply still reading
   * `!reply <text>` changes the client's message to the new text (their chat shows it as edited) and,
   * once it did, the thread says so and the history records it beside the first text. Otherwise the agent is told privately
   * that the client keeps the reply as first sent.
   */
  receiveAgentEdit(edit: AgentMessage): Promise<InboundResult> {
    return this.run(edit.inboundKey, async ({ tx, send, now }) => {
      const theCase = await tx.findCaseByThread(this.threadOf(edit));
      if (theCase === undefined) return { outcome: 'ignored', reason: 'not a case thread' };
      const events = await tx.listEvents(theCase.id);
      const found = replyOf(events, edit.ts);
      if (found === undefined) return { outcome: 'ignored', reason: 'not an edit of a reply' };
      const refuse = (reason: 'files' | 'too-old' | 'not-a-reply' | 'split'): InboundResult => {
        send({ to: 'staff-private', conversation: edit.channel, user: edit.user, thread: edit.threadTs, notice: { type: 'reply-edit-refused', reason, maxAgeHours: replyEditWindowMs / 3_600_000 } });
        return { outcome: 'ignored', reason: `reply edit refused: ${reason}` };
      };
      const command = parseAgentCommand(edit.text, edit.mentions);
      if (command.name !== 'reply' || command.text === '') return refuse('not-a-reply');
      if (command.text === found.currentText) return { outcome: 'ignored', reason: 'reply text unchanged' };
      if (replyHadFiles(found.reply)) return refuse('files');
      if (replyWasSplit(events, edit.ts)) return refuse('split');
      if (now - found.reply.at > replyEditWindowMs) return refuse('too-old');
      const client = await tx.getClient(theCase.clientId);
      if (client === undefined) throw new Error(`case #${theCase.id} has no client ${theCase.clientId}`);
      // The history records the edit once the client's message changed (the deliverer writes it).
      send({
        to: 'client',
        chatId: client.chatId,
        caseId: theCase.id,
        notice: { type: 'agent-reply', caseId: theCase.id, text: command.text, agentName: found.reply.authorName ?? edit.userName },
        editOf: { replyTs: edit.ts, by: edit.user, byName: edit.userName, previousText: found.currentText },
        afterDelivery: [{ to: 'case-thread', caseId: theCase.id, post: { type: 'reply-edited', by: edit.user, text: command.text } }],
      });
      return { outcome: 'done', caseId: theCase.id };
    });
  }

  /** An agent deleted their message in a case thread: a deleted `!reply` is not unsent, and they are told so. */
  receiveAgentDeletion(deletion: { inboundKey: string; platform: string; channel: string; threadTs: string; ts: string; user: string }): Promise<InboundResult> {
    return this.run(deletion.inboundKey, async ({ tx, send }) => {
      const theCase = await tx.findCaseByThread(this.threadOf(deletion));
      if (theCase === undefined || replyOf(await tx.listEvents(theCase.id), deletion.ts) === undefined) return { outcome: 'ignored', reason: 'not a reply' };
      send({ to: 'staff-private', conversation: deletion.channel, user: deletion.user, thread: deletion.threadTs, notice: { type: 'reply-not-unsent' } });
      return { outcome: 'done', caseId: theCase.id };
    });
  }

  /**
   * A command from a case card's button or form, e.g. Close: the same module, checks and answers
   * as typing it in the thread. Ignored when the case does not exist or its card was never posted.
   */
  async receiveCardCommand(input: CardCommand): Promise<InboundResult> {
    const theCase = await this.deps.uow.read((tx) => tx.getCase(input.caseId));
    if (theCase === undefined || theCase.thread.thread === null) return { outcome: 'ignored', reason: 'no such case card' };
    const message: AgentMessage = { inboundKey: input.inboundKey, platform: theCase.thread.platform, channel: theCase.thread.conversation, threadTs: theCase.thread.thread, ts: input.ts, user: input.user, userName: input.userName, text: '', fromCard: true, files: input.files };
    return this.dispatch(message, input.command, 'button');
  }

  /**
   * Before a button opens a form (reply, ask): whether `user` may use the command the form sends.
   * When not, they are told privately in the case thread, as for any refused command.
   */
  async mayOpenForm(input: { inboundKey: string; caseId: number; user: string; command: AgentCommand['name'] }): Promise<boolean> {
    if (!caseCommands[input.command].needsAgent || (await this.deps.policy.isAgent(input.user, 'button'))) return true;
    await this.run(input.inboundKey, async ({ tx, send }) => {
      const theCase = await tx.getCase(input.caseId);
      if (theCase !== undefined && theCase.thread.thread !== null)
        send({ to: 'staff-private', conversation: theCase.thread.conversation, user: input.user, thread: theCase.thread.thread, notice: { type: 'not-agent', command: `!${input.command}`, via: 'button' } });
      return { outcome: 'ignored', reason: 'not an agent' };
    });
    return false;
  }

  /** Runs `command` from `message` through its module, after the access policy. */
  private async dispatch(message: AgentMessage, command: AgentCommand, via: Via): Promise<InboundResult> {
    const module = commandFor(command);
    const allowed = !module.needsAgent || (await this.deps.policy.isAgent(message.user, via));
    return this.run(message.inboundKey, async (fx) => {
      const { tx, send, now } = fx;
      const theCase = await tx.findCaseByThread(this.threadOf(message));
      if (theCase === undefined) return { outcome: 'ignored', reason: 'not a case thread' };
      const client = await tx.getClient(theCase.clientId);
      if (client === undefined) throw new Error(`case #${theCase.id} has no client ${theCase.clientId}`);
      const record = (kind: CaseEventKind, text: string | null, data: Record<string, unknown> | null = null): Promise<unknown> =>
        tx.appendEvent({ caseId: theCase.id, at: now, kind, authorKind: 'agent', authorId: message.user, authorName: message.userName, text, data });
      const tellPrivately = (notice: PrivateNotice) => send({ to: 'staff-private', conversation: message.channel, user: message.user, thread: message.threadTs, notice });
      const refuse = (refusal: Refusal, reason: string): InboundResult => (tellPrivately(refusal), { outcome: 'ignored', reason });
      if (!allowed) {
        // What they typed stays in the thread; the history keeps it as the note it now is.
        if (via === 'message') await record('note', message.text.trim(), { ts: message.ts });
        return refuse({ type: 'not-agent', command: `!${command.name}`, via }, 'not an agent');
      }
      const fileLimits = this.deps.clientFileLimits;
      const context: CommandContext = { theCase, client, message, fx, tx, asks: this.deps.asks, fileLimits, record, tellPrivately, refuse };
      return module.run(context, command as never);
    });
  }

  /**
   * A message that can never be delivered: recorded in the case history and, when the client did
   * not get something, told to the agents in the case thread.
   */
  async recordDeliveryFailure(message: Outgoing, reason: string): Promise<void> {
    const caseId = 'caseId' in message ? message.caseId : undefined;
    if (caseId === undefined) {
      this.deps.log.warn('undeliverable message outside a case', { to: message.to, reason });
      return;
    }
    const what = describeOutgoing(message);
    await this.run(null, async ({ tx, send, now }) => {
      await tx.appendEvent({ caseId, at: now, kind: 'delivery-failed', authorKind: 'system', authorId: null, authorName: null, text: reason, data: { what, to: message.to } });
      // Told in the case thread, unless that telling failed itself (or was a reaction or a private answer).
      const tell = message.to === 'client' || message.to === 'department' || message.to === 'case-card' || (message.to === 'case-thread' && message.post.type !== 'delivery-failed');
      if (tell) send({ to: 'case-thread', caseId, post: { type: 'delivery-failed', what, reason } });
      return { outcome: 'done', caseId };
    });
  }

  /** Where a case's thread is and who its client is, for card buttons and modals. */
  caseView(caseId: number): Promise<{ theCase: Case; client: Client } | undefined> {
    return this.deps.uow.read(async (tx) => {
      const theCase = await tx.getCase(caseId);
      const client = theCase && (await tx.getClient(theCase.clientId));
      return theCase && client ? { theCase, client } : undefined;
    });
  }

  private async openCase(store: CaseStore, client: Client, now: number, send: Send, byCommand: boolean): Promise<Case> {
    const previous = await store.findLatestCase(client.id);
    const created = await store.createCase({ clientId: client.id, thread: { ...this.deps.support, thread: null }, previousCaseId: previous?.id ?? null, openedAt: now });
    await store.appendEvent({
      caseId: created.id,
      at: now,
      kind: 'case-opened',
      authorKind: 'client',
      authorId: String(client.userId),
      authorName: clientName(client),
      text: null,
      data: { previousCaseId: previous?.id ?? null, byCommand },
    });
    if (previous !== undefined) {
      await store.appendEvent({ caseId: previous.id, at: now, kind: 'linked', authorKind: 'client', authorId: String(client.userId), authorName: clientName(client), text: null, data: { otherCaseId: created.id, followUp: true } });
      send({ to: 'case-thread', caseId: previous.id, post: { type: 'client-new-case', newCaseId: created.id } });
    }
    return created;
  }

  /** The client's open cases as they see them in `/status`. */
  private async openCasesOf(store: CaseStore, client: Client) {
    return (await store.listOpenCases(client.id)).map((c) => ({
      id: c.id,
      status: c.clientWaitingSince === null && c.firstReplyAt !== null ? ('waiting-for-you' as const) : ('waiting-for-us' as const),
      openedAt: c.openedAt,
    }));
  }

  private upsertClient(store: CaseStore, profile: ClientProfile, now: number): Promise<Client> {
    return store.upsertClient(profile, languageFromCode(profile.languageCode), now);
  }

  /** The thread a staff message was posted in. */
  private threadOf(message: { readonly platform: string; readonly channel: string; readonly threadTs: string }): ThreadRef & { readonly thread: string } {
    return { platform: message.platform, conversation: message.channel, thread: message.threadTs };
  }

  private run(inboundKey: string | null, work: (fx: Effects) => Promise<InboundResult>): Promise<InboundResult> {
    return runUnitOfWork(this.deps, inboundKey, work);
  }
}

/** What an undeliverable message was, for agents: "the reply to the client". */
function describeOutgoing(message: Outgoing): string {
  switch (message.to) {
    case 'client':
      return message.notice.type === 'agent-reply' ? 'the reply to the client' : `the "${message.notice.type}" message to the client`;
    case 'case-card':
      return 'the case card';
    case 'case-thread':
      return `a ${message.post.type} post in the case thread`;
    case 'staff-delivered-mark':
      return 'a delivered mark';
    case 'staff-private':
      return 'a private answer';
    case 'department':
      return `the ${message.post.type} post about Q${message.askId} in the department channel`;
    case 'question-post':
      return `the update of Q${message.askId}'s ${message.where === 'department' ? 'question in the department channel' : 'confirmation in the case thread'}`;
  }
}
