import type { webApi } from '@slack/bolt';
import type { ClientContent, ClientFile, Outgoing, ThreadPost } from '../../src/outgoing.js';
import { FileUnavailableError, readAll, type FileSource } from '../../src/files.js';
import type { Ask, Case, Client, Logger, UnitOfWork } from '../../src/ports.js';
import { PermanentDeliveryError, RetryLaterError, type Deliverer, type PendingMessage } from '../../src/delivery/deliverer.js';
import { isMessageGone, toDeliveryError } from './slack-errors.js';
import type { SlackMethodCall } from './slack-method-call.js';
import { turnPriority, type Pacer } from '../../src/delivery/rate-limiter.js';
import { splitText } from '../text/split-text.js';
import { clientName } from '../../src/client-name.js';
import { exportCase } from '../../src/history/export-case.js';
import { carriedOnCard, carriedRoom, renderCaseCard } from './render/case-card.js';
import { linkedCases } from '../../src/cases/links.js';
import { renderClientAlbum, renderClientContent } from './render/client-message.js';
import { renderCardReposted, renderEphemeral, renderThreadNotice } from './render/notices.js';
import { escapeMrkdwn } from './render/mrkdwn.js';
import { renderAskProblem, renderAskThreadPost, renderConfirmation, renderDepartmentPost, renderQuestion, type AskContext, type SlackPost } from './render/asks.js';
import type { DepartmentsConfig } from '../config.js';
import type { Clock } from '../../src/ports.js';

/** Slack accepts up to 40,000 characters but shows ~4,000 well; split long posts here. */
export const slackTextLimit = 3900;
/** Combined posts of queued client messages stay well under the limit. */
const combineLimit = 3500;
/** A rate-limit turn taken before reading a thread's posts is spent within this long, or not at all. */
const turnFreshMs = 150;

/** Metadata event type on every post, naming the outbox rows it delivers. */
export const postMetadataType = 'repka_post';

export interface SlackDelivererDeps {
  readonly client: webApi.WebClient;
  /**
   * Makes delivery's form-encoded Web API calls (bots/slack/slack-method-call.ts, without
   * WebClient's per-call work); the client's own methods when not given.
   */
  readonly callMethod?: SlackMethodCall;
  /** Cases, clients, history and asks are read with `read`; the thread ts and the like are written back with `run`. */
  readonly uow: UnitOfWork;
  readonly departments: DepartmentsConfig;
  readonly clock: Clock;
  /** Fetches a client's file from Telegram. */
  readonly downloadClientFile: (file: ClientFile) => Promise<Buffer>;
  /** Reads files shared in Slack (a department's answer), to copy them into the case thread. Without it their names are posted. */
  readonly files?: FileSource;
  /** Keeps posts per channel under Slack's ~1/s limit. */
  readonly channelLimiter: Pacer;
  /** Keeps card updates (chat.update, Tier 3: ~50 a minute) under Slack's limit; none: unlimited. */
  readonly updateLimiter?: Pacer;
  /** Team time zone for history times. */
  readonly timeZone: string;
  readonly log: Logger;
  /** Makes a wait that is not the pacers' (an album gathering its parts) without the drain's slot: DrainSlots.idle. */
  readonly idle?: (wait: () => Promise<void>, signal: AbortSignal) => Promise<void>;
}

const run = (wait: () => Promise<void>) => wait();

type SlackMessage = Exclude<Outgoing, { to: 'client' }>;

/** Delivers case cards, thread posts, ephemeral answers and reactions to Slack. */
export class SlackDeliverer implements Deliverer {
  private readonly startedAt: number;
  private readonly streamsChecked = new Set<string>();
  /** Case id → its card being posted again (see {@link repostCard}). */
  private readonly reposts = new Map<number, Promise<string>>();
  /** Per stream being drained: the case and client `ready` read for its head (see {@link takeReadyRead}). */
  private readonly readyReads = new Map<string, { id: number; at: number; view: { theCase: Case; client: Client } }>();
  /** Per channel: when rate-limit turns were taken by `ready` and not yet spent on a post. */
  private readonly turnsTaken = new Map<string, number[]>();
  /** Department id → name, for cards and history files. */
  private readonly departmentNames: ReadonlyMap<string, string>;

  constructor(private readonly deps: SlackDelivererDeps) {
    this.startedAt = deps.clock.now();
    this.departmentNames = new Map(deps.departments.departments.map((d) => [d.id, d.name]));
  }

  /**
   * Whether a post for this row may already be in Slack: an earlier attempt failed without a
   * clear answer, or the row is the first of its stream after a restart (it may have been in
   * flight when the previous process was killed).
   */
  private mayHaveLanded(row: PendingMessage): boolean {
    // Only streams with rows from before the start are kept: a stream's rows go out in order, so
    // once one written since the start is seen, none older is left (and no stream of the process's
    // own life stays in memory for it).
    const beforeStart = row.createdAt < this.startedAt;
    const firstAfterRestart = beforeStart && !this.streamsChecked.has(row.stream);
    if (beforeStart) this.streamsChecked.add(row.stream);
    return row.attempts > 0 || firstAfterRestart;
  }

  /**
   * Takes the channel's turn before thread posts are read: in a busy support channel a thread
   * waits its turn, and whatever its client wrote meanwhile goes out in the same post. The turn
   * taken here is spent by the next post to that channel (see {@link spendTurn}).
   */
  async ready(head: PendingMessage, signal: AbortSignal): Promise<void> {
    if (head.message.to === 'case-card' && head.message.op === 'post') {
      // A new card waits for its turn first, then carries what its client wrote meanwhile.
      const caseId = head.message.caseId;
      const theCase = await this.deps.uow.read((tx) => tx.getCase(caseId));
      if (theCase === undefined || theCase.thread.thread !== null) return;
      await this.takeTurn(theCase.thread.conversation, signal, await this.cardPriority(theCase));
      return;
    }
    if (head.message.to !== 'case-thread') return;
    // An album's parts reach Repka as separate Telegram messages moments apart: the first waits for
    // the rest, so the album lands in the thread as one post.
    const post = head.message.post;
    if (post.type === 'client-message' && 'mediaGroupId' in post.content && post.content.mediaGroupId !== undefined) {
      const wait = head.createdAt + albumGatherMs - this.deps.clock.now();
      // A wait, not work: made without the drain's slot (see DrainSlots).
      if (wait > 0) await (this.deps.idle ?? run)(() => abortableDelay(wait, signal), signal);
    }
    const caseId = head.message.caseId;
    const view = await this.deps.uow.read((tx) => tx.getCaseWithClient(caseId));
    if (view === undefined) return;
    // Read with the client: the post, if its turn comes at once, needs nothing more from storage.
    this.readyReads.set(head.stream, { id: head.id, at: this.deps.clock.now(), view });
    await this.takeTurn(view.theCase.thread.conversation, signal, turnPriority.normal);
  }

  /** Takes a turn of `channel` for the next post there to spend (see {@link spendTurn}). */
  private async takeTurn(channel: string, signal: AbortSignal, priority: number): Promise<void> {
    await this.deps.channelLimiter.take(channel, signal, priority);
    this.turnsTaken.set(channel, [...(this.turnsTaken.get(channel) ?? []), this.deps.clock.now()]);
  }

  /**
   * Waits for the channel's rate limit, unless a turn taken by {@link ready} moments ago is there
   * to spend. Only a fresh turn counts: spent late, it would bring the post closer to the next one
   * than the pacing allows.
   */
  private async spendTurn(channel: string, signal: AbortSignal, priority: number = turnPriority.normal): Promise<void> {
    const fresh = (this.turnsTaken.get(channel) ?? []).filter((at) => this.deps.clock.now() - at < turnFreshMs);
    if (fresh.length > 0) {
      fresh.shift();
      this.turnsTaken.set(channel, fresh);
      return;
    }
    this.turnsTaken.delete(channel);
    await this.deps.channelLimiter.take(channel, signal, priority);
  }

  async deliver(messages: readonly PendingMessage[], signal: AbortSignal): Promise<number> {
    const head = messages[0]?.message as SlackMessage;
    switch (head.to) {
      case 'case-card': {
        const carried = await this.deliverCard(head.caseId, head.op, messages, signal);
        if (head.op === 'post') return 1 + carried;
        // The card shows the case as it is now: one update stands for every queued one.
        let count = 1;
        while (count < messages.length && messages[count]?.message.to === 'case-card') count += 1;
        return count;
      }
      case 'case-thread':
        return this.deliverThreadPosts(messages, signal);
      case 'department':
        await this.deliverDepartmentPost(head, messages[0] as PendingMessage, signal);
        return 1;
      case 'question-post': {
        // It shows the question as it is now: queued edits of the same post collapse into one.
        await this.updateQuestionPost(head, signal);
        let count = 1;
        while (count < messages.length && messages[count]?.message.to === 'question-post') count += 1;
        return count;
      }
      case 'staff-private': {
        const args = { channel: head.conversation, user: head.user, thread_ts: head.thread, text: renderEphemeral(head.notice, (n) => renderAskProblem(n, this.deps.departments)) };
        await this.call('chat.postEphemeral', () => this.api('chat.postEphemeral', args, () => this.deps.client.chat.postEphemeral(args)));
        return 1;
      }
      case 'staff-delivered-mark':
        // Delivered to the client: ✅ on the agent's message.
        await this.call('reactions.add', async () => {
          try {
            const args = { channel: head.conversation, timestamp: head.message, name: 'white_check_mark' };
            await this.api('reactions.add', args, () => this.deps.client.reactions.add(args));
          } catch (error) {
            if ((error as { data?: { error?: string } }).data?.error !== 'already_reacted') throw error;
          }
        });
        return 1;
    }
  }

  /**
   * The channel turn a new card waits for: first, unless its client already has an earlier case
   * open. A client opening case after case (`/new`) then waits behind other clients' first cards,
   * as bulk traffic does, while every client's first card goes ahead.
   */
  private async cardPriority(theCase: Case): Promise<number> {
    const earlierOpen = (await this.deps.uow.read((tx) => tx.listOpenCases(theCase.clientId))).some((c) => c.id < theCase.id);
    return earlierOpen ? turnPriority.normal : turnPriority.firstCard;
  }

  /**
   * Posts or updates a case card; resolves with how many of the rows after the head the post
   * carried (see {@link carriable}; 0 for an update, a card posted before, or one that carried nothing).
   */
  private async deliverCard(caseId: number, op: 'post' | 'update', messages: readonly PendingMessage[], signal: AbortSignal): Promise<number> {
    const pending = messages[0] as PendingMessage;
    const { theCase, client } = await this.caseAndClient(caseId);
    if (theCase === undefined || client === undefined) throw new PermanentDeliveryError(`case #${caseId} does not exist`);
    if (theCase.thread.thread === null && op === 'update') {
      // The post is still on its way (updates have their own stream); give up only after long.
      if (this.deps.clock.now() - theCase.openedAt < 10 * 60_000) throw new RetryLaterError(1000, `the card of case #${caseId} is not posted yet`);
      throw new PermanentDeliveryError(`the card of case #${caseId} was never posted`);
    }
    if (theCase.thread.thread !== null && op === 'post') {
      // Posted before a crash or retry; the rest of a long first message may still be missing.
      const card = await this.renderCard(theCase, client);
      await this.postContinuation(theCase.thread.conversation, theCase.thread.thread, card.continuation, pending, true, signal);
      return 0;
    }
    if (theCase.thread.thread === null) {
      // A card posted before a timeout or crash is found by its metadata instead of posted twice;
      // the rows it carried are named there too.
      const landed = this.mayHaveLanded(pending) ? await this.findLanded(theCase.thread.conversation, undefined, pending.id, pending.createdAt) : undefined;
      let carried: PendingMessage[];
      let ts: string;
      // The rest of a long first message: the same however much the card carries.
      const first = await this.renderCard(theCase, client);
      if (landed !== undefined) {
        const ids = new Set(landed.ids);
        carried = [];
        for (const row of messages.slice(1)) {
          if (!ids.has(row.id)) break;
          carried.push(row);
        }
        ts = landed.firstTs;
      } else {
        // A first message too long for the card goes on in the thread: nothing is carried past it.
        carried = first.continuation.length === 0 ? carriable(messages.slice(1), caseId, clientName(client)) : [];
        const card = carried.length === 0 ? first : await this.renderCard(theCase, client, carried.map(carriedContent));
        ts = await this.postOnce(theCase.thread.conversation, undefined, { text: card.text, blocks: card.blocks }, { ids: [pending.id, ...carried.map((row) => row.id)], part: 0, parts: 1, caseId, priority: await this.cardPriority(theCase) }, signal);
      }
      const eventIds = carried.map((row) => (row.message.to === 'case-thread' && row.message.post.type === 'client-message' ? row.message.post.eventId : 0));
      const at = this.deps.clock.now();
      await this.deps.uow.run(async (tx) => {
        await tx.updateCase(caseId, { thread: { ...theCase.thread, thread: ts } });
        // Later renderings of the card (updates, a repost) show what it carried: the history says.
        if (eventIds.length > 0) await tx.appendEvent({ caseId, at, kind: 'card-carried', authorKind: 'system', authorId: null, authorName: null, text: null, data: { eventIds } });
      });
      await this.postContinuation(theCase.thread.conversation, ts, first.continuation, pending, false, signal);
      return carried.length;
    }
    const card = await this.renderCard(theCase, client);
    await this.deps.updateLimiter?.take('chat.update', signal);
    const cardTs = theCase.thread.thread;
    try {
      await this.call('chat.update', () => {
        const args = { channel: theCase.thread.conversation, ts: cardTs, text: card.text, blocks: card.blocks as never };
        return this.api('chat.update', args, () => this.deps.client.chat.update(args));
      });
    } catch (error) {
      if (!isMessageGone(error)) throw error;
      // The card was deleted in Slack: the card posted again shows the case as it is now.
      await this.repostCard(caseId, cardTs, signal);
    }
    return 0;
  }

  /**
   * Posts the rest of a client's long first message into the card's thread, in order, tagged as
   * parts 1… of the card's outbox row. With `checkLanded`, parts already in the thread (posted
   * before a crash or a lost answer) are found by their metadata and not posted again.
   */
  private async postContinuation(
    channel: string,
    threadTs: string,
    parts: readonly string[],
    pending: PendingMessage,
    checkLanded: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    if (parts.length === 0) return;
    const landed = checkLanded ? await this.findLanded(channel, threadTs, pending.id, pending.createdAt) : undefined;
    for (const [index, text] of parts.entries()) {
      if (landed?.parts.has(index + 1)) continue;
      await this.postOnce(channel, threadTs, { text }, { ids: [pending.id], part: index + 1, parts: parts.length + 1 }, signal);
    }
  }

  /** The case card as it should look now; `carried`: the messages to carry (default: those it carried when posted). */
  private async renderCard(theCase: Case, client: Client, carried?: readonly ClientContent[]): Promise<ReturnType<typeof renderCaseCard>> {
    const { events, asks } = await this.deps.uow.read(async (tx) => ({ events: await tx.listEvents(theCase.id), asks: await tx.listAsks(theCase.id) }));
    return renderCaseCard(theCase, client, events, {
      carried: carried ?? carriedOnCard(events),
      canAsk: this.deps.departments.departments.length > 0,
      asks,
      departmentNames: this.departmentNames,
      linkedCaseIds: linkedCases(theCase, events),
      now: this.deps.clock.now(),
    });
  }

  /**
   * The case card `goneTs` was deleted in Slack: posts the card again in the support channel,
   * moves the case to the new thread (messages in the old one no longer reach the case), records
   * it in the history and says so in the new thread. Resolves with the new thread's ts. One re-post
   * per case runs at a time; a card already posted again (by a concurrent delivery, or before a
   * lost answer or a crash) is found by its metadata, not posted twice.
   */
  private repostCard(caseId: number, goneTs: string, signal: AbortSignal): Promise<string> {
    const running = this.reposts.get(caseId);
    if (running !== undefined) return running;
    const work = this.postCardAgain(caseId, goneTs, signal).finally(() => this.reposts.delete(caseId));
    this.reposts.set(caseId, work);
    return work;
  }

  private async postCardAgain(caseId: number, goneTs: string, signal: AbortSignal): Promise<string> {
    const { log } = this.deps;
    const { theCase, client } = await this.caseAndClient(caseId);
    if (theCase === undefined || client === undefined) throw new PermanentDeliveryError(`case #${caseId} does not exist`);
    if (theCase.thread.thread !== null && theCase.thread.thread !== goneTs) return theCase.thread.thread;
    const channel = theCase.thread.conversation;
    const landed = await this.findRepost(channel, caseId, goneTs);
    const card = await this.renderCard(theCase, client);
    const ts = landed ?? (await this.postOnce(channel, undefined, { text: card.text, blocks: card.blocks }, { ids: [], part: 0, parts: 1, caseId, repostOf: goneTs }, signal));
    const at = this.deps.clock.now();
    await this.deps.uow.run(async (tx) => {
      await tx.updateCase(caseId, { thread: { ...theCase.thread, thread: ts } });
      await tx.appendEvent({ caseId, at, kind: 'card-reposted', authorKind: 'system', authorId: null, authorName: null, text: null, data: { previousTs: goneTs, ts } });
    });
    log.warn('case card deleted in Slack; posted it again', { caseId, previousTs: goneTs, ts });
    // Found after a lost answer or a crash: whether its notice followed cannot be told; the history has it.
    if (landed === undefined) {
      await this.postOnce(channel, ts, { text: renderCardReposted(caseId) }, { ids: [], part: 0, parts: 1 }, signal);
      // The rest of a long first message, as under the first card.
      for (const [index, text] of card.continuation.entries()) await this.postOnce(channel, ts, { text }, { ids: [], part: index + 1, parts: card.continuation.length + 1 }, signal);
    }
    return ts;
  }

  /** A card of `caseId` already posted again in place of `goneTs` (see {@link repostCard}), if any. */
  private async findRepost(channel: string, caseId: number, goneTs: string): Promise<string | undefined> {
    const answer = await this.call('conversations.history', () => this.deps.client.conversations.history({ channel, oldest: goneTs, include_all_metadata: true, limit: 200 }));
    const messages = (answer.messages ?? []) as { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[];
    return messages.find((m) => {
      const payload = m.metadata?.event_type === postMetadataType ? m.metadata.event_payload : undefined;
      return payload !== undefined && Number(payload.case_id) === caseId && payload.repost_of === goneTs;
    })?.ts;
  }

  /** Posts into the case thread; when its card was deleted in Slack, posts the card again and these posts into the new thread. */
  private async deliverThreadPosts(messages: readonly PendingMessage[], signal: AbortSignal): Promise<number> {
    const head = messages[0]?.message as Extract<Outgoing, { to: 'case-thread' }>;
    const kept = this.takeReadyRead(messages[0]?.stream ?? '', messages[0] as PendingMessage);
    for (let repostsLeft = 1; ; repostsLeft -= 1) {
      // Read again after a repost: the thread is the new card's.
      const { theCase, client } = repostsLeft === 1 && kept !== undefined ? kept : await this.caseAndClient(head.caseId);
      if (theCase === undefined || client === undefined) throw new PermanentDeliveryError(`case #${head.caseId} does not exist`);
      if (theCase.thread.thread === null) throw new PermanentDeliveryError(`the card of case #${theCase.id} was never posted`);
      const threadTs = theCase.thread.thread;
      try {
        return await this.postIntoThread(messages, theCase, client, threadTs, signal);
      } catch (error) {
        // Every call here names the card as the thread's parent: gone means the card was deleted.
        if (repostsLeft === 0 || !isMessageGone(error)) throw error;
        await this.repostCard(theCase.id, threadTs, signal);
      }
    }
  }

  private async postIntoThread(messages: readonly PendingMessage[], theCase: Case, client: Client, threadTs: string, signal: AbortSignal): Promise<number> {
    const head = messages[0]?.message as Extract<Outgoing, { to: 'case-thread' }>;
    const thread = { channel: theCase.thread.conversation, threadTs };
    const post = head.post;
    const name = clientName(client);

    if (post.type === 'client-message' && 'file' in post.content) {
      const album = albumAt(messages);
      if (album.length > 1) {
        await this.uploadClientAlbum(thread, name, album, signal);
        return album.length;
      }
      await this.uploadClientFile(thread, name, post.content, signal);
      return 1;
    }
    let text: string;
    let count = 1;
    if (post.type === 'client-message') {
      // Combine consecutive queued client messages into one post: the thread has fallen behind.
      const parts = [renderClientContent(name, post.content)];
      let length = parts[0]?.length ?? 0;
      for (const next of messages.slice(1)) {
        const m = next.message;
        if (m.to !== 'case-thread' || m.post.type !== 'client-message' || 'file' in m.post.content) break;
        const part = renderClientContent(name, m.post.content);
        if (length + part.length + 1 > combineLimit) break;
        parts.push(part);
        length += part.length + 1;
        count += 1;
      }
      text = parts.join('\n');
    } else if (post.type === 'department-files') {
      await this.copyDepartmentFiles(thread, post, signal);
      return 1;
    } else if ('askId' in post) {
      const rendered = renderAskThreadPost(post, await this.askContext(post.askId));
      const { ts } = await this.post(thread.channel, thread.threadTs, rendered, messages.slice(0, 1), signal);
      // The confirmation carries the "Cancel question" button: kept, so a settled question can take it away.
      const askId = post.askId;
      if (post.type === 'ask-created') await this.deps.uow.run((tx) => tx.updateAsk(askId, { confirmation: ts }));
      return 1;
    } else if (post.type === 'history') {
      await this.uploadHistory(theCase, client, thread, signal);
      return 1;
    } else {
      text = renderThreadNotice(post, { assignee: theCase.assignee, now: this.deps.clock.now() });
    }
    return (await this.post(thread.channel, thread.threadTs, { text }, messages.slice(0, count), signal)).rows;
  }

  private async deliverDepartmentPost(message: Extract<Outgoing, { to: 'department' }>, pending: PendingMessage, signal: AbortSignal): Promise<void> {
    const askId = message.askId;
    const ask = await this.deps.uow.read((tx) => tx.getAsk(askId));
    if (ask === undefined) throw new PermanentDeliveryError(`question Q${message.askId} does not exist`);
    if (message.post.type === 'question') {
      if (ask.post.thread !== null) return; // posted before a crash or retry
      const context = await this.askContext(ask.id);
      const rendered = renderDepartmentPost(message.post, { ...context, permalink: await this.casePermalink(context.theCase) });
      const { ts } = await this.post(ask.post.conversation, undefined, rendered, [pending], signal);
      await this.deps.uow.run((tx) => tx.updateAsk(ask.id, { post: { ...ask.post, thread: ts } }));
      return;
    }
    if (ask.post.thread === null) throw new PermanentDeliveryError(`the question Q${ask.id} was never posted to its department`);
    await this.post(ask.post.conversation, ask.post.thread, renderDepartmentPost(message.post, await this.askContext(ask.id)), [pending], signal);
  }

  /** A link to the case thread, for the question in the department channel; none while the card is missing. */
  private async casePermalink(theCase: Case): Promise<string | undefined> {
    const ts = theCase.thread.thread;
    if (ts === null) return undefined;
    try {
      const args = { channel: theCase.thread.conversation, message_ts: ts };
      return (await this.call('chat.getPermalink', () => this.api('chat.getPermalink', args, () => this.deps.client.chat.getPermalink(args)))).permalink;
    } catch (error) {
      // The card was deleted in Slack: the case thread posts it again; the question goes out without the link.
      if (!isMessageGone(error)) throw error;
      return undefined;
    }
  }

  /**
   * Edits one of a question's posts with buttons (see Outgoing `question-post`) to show the
   * question as it is now: a settled one loses its buttons. Within the chat.update limit, as cards.
   */
  private async updateQuestionPost(message: Extract<Outgoing, { to: 'question-post' }>, signal: AbortSignal): Promise<void> {
    const context = await this.askContext(message.askId);
    const { ask, theCase } = context;
    const channel = message.where === 'department' ? ask.post.conversation : theCase.thread.conversation;
    const ts = message.where === 'department' ? ask.post.thread : ask.confirmation;
    if (ts === null) {
      // Its post is still on its way (its own stream): edit once it is there. After a while it has
      // failed for good: no buttons to take away.
      if (this.deps.clock.now() - ask.askedAt < questionPostWaitMs) throw new RetryLaterError(2000, `the post of Q${ask.id} is not in Slack yet`);
      return;
    }
    const rendered = message.where === 'department' ? renderQuestion({ ...context, permalink: await this.casePermalink(theCase) }) : renderConfirmation(context);
    await this.deps.updateLimiter?.take('chat.update', signal);
    try {
      const args = { channel, ts, text: rendered.text, blocks: rendered.blocks as never };
      await this.call('chat.update', () => this.api('chat.update', args, () => this.deps.client.chat.update(args)));
    } catch (error) {
      // Deleted in Slack: nothing is left to press.
      if (!isMessageGone(error)) throw error;
    }
  }

  /** A case and its client, read together (either undefined when missing). */
  private async caseAndClient(caseId: number): Promise<{ theCase: Case | undefined; client: Client | undefined }> {
    return (await this.deps.uow.read((tx) => tx.getCaseWithClient(caseId))) ?? { theCase: undefined, client: undefined };
  }

  /**
   * The case and client `ready` read for the head of `stream`, when `head` is that row and the
   * read is fresh (within `turnFreshMs`): a thread post then needs no read of its own. Taken once.
   */
  private takeReadyRead(stream: string, head: PendingMessage): { theCase: Case; client: Client } | undefined {
    const kept = this.readyReads.get(stream);
    this.readyReads.delete(stream);
    if (kept === undefined || kept.id !== head.id || this.deps.clock.now() - kept.at >= turnFreshMs) return undefined;
    return kept.view;
  }

  private async askContext(askId: number): Promise<AskContext> {
    const { ask, theCase, client } = await this.deps.uow.read(async (tx) => {
      const ask: Ask | undefined = await tx.getAsk(askId);
      const theCase = ask && (await tx.getCase(ask.caseId));
      const client = theCase && (await tx.getClient(theCase.clientId));
      return { ask, theCase, client };
    });
    if (ask === undefined || theCase === undefined || client === undefined) throw new PermanentDeliveryError(`question Q${askId} does not exist`);
    const department = this.deps.departments.departments.find((d) => d.id === ask.departmentId);
    return { ask, theCase, client, department, departments: this.deps.departments, now: this.deps.clock.now() };
  }

  /**
   * Posts the text of one or more outbox rows (split when long; blocks only on a post that fits)
   * and returns the first post's ts. Each post carries the rows' ids in its metadata; on a retry,
   * parts that landed before a timeout or crash are found in the channel and not posted again.
   */
  private async post(channel: string, threadTs: string | undefined, rendered: SlackPost, rows: readonly PendingMessage[], signal: AbortSignal): Promise<{ ts: string; rows: number }> {
    const head = rows[0] as PendingMessage;
    const ids = rows.map((r) => r.id);
    const landed = this.mayHaveLanded(head) ? await this.findLanded(channel, threadTs, head.id, head.createdAt) : undefined;
    // A combined post, or one whose rows are now combined with later ones (both always one part),
    // delivered exactly the leading rows it names: the later rows are still to be posted.
    if (landed !== undefined && (landed.ids.length > 1 || rows.length > 1)) {
      const named = rows.findIndex((r) => !landed.ids.includes(r.id));
      return { ts: landed.firstTs, rows: named === -1 ? rows.length : Math.max(1, named) };
    }
    const chunks = splitText(rendered.text, slackTextLimit);
    let first = landed?.firstTs;
    for (const [part, chunk] of chunks.entries()) {
      if (landed?.parts.has(part)) continue;
      const blocks = chunks.length === 1 ? rendered.blocks : undefined;
      const ts = await this.postOnce(channel, threadTs, { text: chunk, blocks }, { ids, part, parts: chunks.length }, signal);
      first ??= ts;
    }
    return { ts: first as string, rows: rows.length };
  }

  /** One chat.postMessage within the channel's rate limit, tagged with Repka's metadata. */
  private async postOnce(
    channel: string,
    threadTs: string | undefined,
    content: { text: string; blocks?: readonly unknown[] },
    tag: { ids: readonly number[]; part: number; parts: number; caseId?: number; repostOf?: string; priority?: number },
    signal: AbortSignal,
  ): Promise<string> {
    // A case card (a post to the channel itself naming its case) goes before other cases' bulk posts.
    await this.spendTurn(channel, signal, tag.priority ?? (threadTs === undefined && tag.caseId !== undefined ? turnPriority.firstCard : turnPriority.normal));
    const answer = await this.call(
      'chat.postMessage',
      () =>
        this.postMessage({
          channel,
          thread_ts: threadTs,
          text: content.text,
          blocks: content.blocks as never,
          unfurl_links: false,
          unfurl_media: false,
          metadata: {
            event_type: postMetadataType,
            event_payload: {
              outbox_ids: tag.ids.join(','),
              part: tag.part,
              parts: tag.parts,
              ...(tag.caseId === undefined ? {} : { case_id: tag.caseId }),
              ...(tag.repostOf === undefined ? {} : { repost_of: tag.repostOf }),
            },
          },
        }),
      channel,
    );
    return answer.ts as string;
  }

  /** chat.postMessage through {@link SlackDelivererDeps.callMethod} when given. */
  private postMessage(args: webApi.ChatPostMessageArguments): Promise<webApi.ChatPostMessageResponse> {
    return this.api('chat.postMessage', args, () => this.deps.client.chat.postMessage(args));
  }

  /** Web API `method` with `args` through {@link SlackDelivererDeps.callMethod} when given, else as `viaClient` calls it. */
  private api<T>(method: string, args: object, viaClient: () => Promise<T>): Promise<T> {
    const call = this.deps.callMethod;
    return call === undefined ? viaClient() : (call(method, args as Record<string, unknown>) as Promise<T>);
  }

  /**
   * After a failed attempt (which may have reached Slack although no answer came back), looks for
   * posts carrying outbox row `id` in the thread (or the channel) since the row was written.
   */
  private async findLanded(
    channel: string,
    threadTs: string | undefined,
    id: number,
    since: number,
  ): Promise<{ firstTs: string; parts: Set<number>; ids: number[] } | undefined> {
    const oldest = String(Math.floor(since / 1000) - 60);
    const answer = await this.call(threadTs === undefined ? 'conversations.history' : 'conversations.replies', () =>
      threadTs === undefined
        ? this.deps.client.conversations.history({ channel, oldest, include_all_metadata: true, limit: 200 })
        : this.deps.client.conversations.replies({ channel, ts: threadTs, oldest, include_all_metadata: true, limit: 200 }),
    );
    const parts = new Set<number>();
    let firstTs: string | undefined;
    let ids: number[] = [id];
    for (const m of (answer.messages ?? []) as { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[]) {
      const payload = m.metadata?.event_type === postMetadataType ? m.metadata.event_payload : undefined;
      if (payload === undefined || !String(payload.outbox_ids ?? '').split(',').includes(String(id))) continue;
      const part = Number(payload.part ?? 0);
      parts.add(part);
      if (part === 0) {
        firstTs = m.ts;
        ids = String(payload.outbox_ids).split(',').map(Number);
      }
    }
    if (parts.size === 0 || firstTs === undefined) return undefined;
    this.deps.log.info('found a post that landed before its answer was lost; not posting it again', { outboxId: id, channel, parts: [...parts] });
    return { firstTs, parts, ids };
  }

  /** `!history`: the whole case history as a Markdown file in the thread. */
  private async uploadHistory(theCase: Case, client: Client, thread: { channel: string; threadTs: string }, signal: AbortSignal): Promise<void> {
    const { timeZone } = this.deps;
    const { events, asks } = await this.deps.uow.read(async (tx) => ({ events: await tx.listEvents(theCase.id), asks: await tx.listAsks(theCase.id) }));
    const markdown = exportCase({ case: theCase, client, events, asks, departmentNames: this.departmentNames }, 'md', timeZone);
    await this.spendTurn(thread.channel, signal);
    await this.call(
      'files.uploadV2',
      () =>
        this.deps.client.filesUploadV2({
          channel_id: thread.channel,
          thread_ts: thread.threadTs,
          initial_comment: `:scroll: History of case #${theCase.id}: ${events.length} entries, times in ${timeZone}. \`npm run cli -- export ${theCase.id} --format html\` makes a printable page.`,
          file: Buffer.from(markdown, 'utf8'),
          filename: `case-${theCase.id}-history.md`,
          title: `Case #${theCase.id} history`,
        }),
      thread.channel,
    );
  }

  /**
   * A department's files, copied into the case thread in one post (agents may not be members of the
   * department's channel). A file Slack will not hand over, or over 50 MB, is named in the comment.
   */
  private async copyDepartmentFiles(thread: { channel: string; threadTs: string }, post: Extract<ThreadPost, { type: 'department-files' }>, signal: AbortSignal): Promise<void> {
    const comment = renderAskThreadPost(post, await this.askContext(post.askId)).text;
    const uploads: { file: Buffer; filename: string; title: string }[] = [];
    const missing: string[] = [];
    for (const file of post.files) {
      try {
        if (this.deps.files === undefined) throw new FileUnavailableError('no file source');
        uploads.push({ file: await readAll(await this.deps.files.open(file, copyLimitBytes, signal)), filename: file.name, title: file.name });
      } catch (error) {
        if (!(error instanceof FileUnavailableError)) throw error;
        missing.push(`${file.name} (${error.message})`);
      }
    }
    const text = `${comment}${missing.length > 0 ? `\n:warning: Not copied, open them in the department's thread: ${missing.map((m) => escapeMrkdwn(m)).join(', ')}.` : ''}`;
    await this.postFiles(thread, text, uploads, signal);
  }

  /** One post in the thread carrying `uploads` with `text` as its comment; the text alone when none could be fetched. */
  private async postFiles(thread: { channel: string; threadTs: string }, text: string, uploads: readonly { file: Buffer; filename: string; title: string }[], signal: AbortSignal): Promise<void> {
    await this.spendTurn(thread.channel, signal);
    if (uploads.length === 0) {
      await this.call('chat.postMessage', () => this.postMessage({ channel: thread.channel, thread_ts: thread.threadTs, text }), thread.channel);
      return;
    }
    await this.call('files.uploadV2', () => this.deps.client.filesUploadV2({ channel_id: thread.channel, thread_ts: thread.threadTs, initial_comment: text, file_uploads: [...uploads] }), thread.channel);
  }

  /** A Telegram album: its files in one post (one files.uploadV2 call), those that cannot be fetched named in the comment. */
  private async uploadClientAlbum(thread: { channel: string; threadTs: string }, name: string, album: readonly AlbumPart[], signal: AbortSignal): Promise<void> {
    const uploads: { file: Buffer; filename: string; title: string }[] = [];
    const missing: string[] = [];
    for (const part of album) {
      try {
        uploads.push({ file: await this.deps.downloadClientFile(part.file), filename: part.file.fileName, title: part.caption ?? part.file.fileName });
      } catch (error) {
        if (!(error instanceof PermanentDeliveryError)) throw error;
        // The client chose the name: escaped, so `<!channel>.pdf` pings nobody.
        missing.push(`${escapeMrkdwn(part.file.fileName)} (${error.reason})`);
      }
    }
    const comment = `${renderClientAlbum(name, album)}${missing.length > 0 ? `\n:warning: Could not be copied: ${missing.join(', ')}.` : ''}`;
    await this.postFiles(thread, comment, uploads, signal);
  }

  private async uploadClientFile(
    thread: { channel: string; threadTs: string },
    name: string,
    content: Extract<ClientContent, { file: ClientFile }>,
    signal: AbortSignal,
  ): Promise<void> {
    const comment = renderClientContent(name, content);
    let bytes: Buffer;
    try {
      bytes = await this.deps.downloadClientFile(content.file);
    } catch (error) {
      if (!(error instanceof PermanentDeliveryError)) throw error;
      // The file cannot be fetched (too big, gone): the agents still learn it was sent.
      await this.spendTurn(thread.channel, signal);
      await this.call('chat.postMessage', () =>
        this.postMessage({ channel: thread.channel, thread_ts: thread.threadTs, text: `${comment}\n:warning: The file could not be copied: ${error.reason}.` }),
        thread.channel,
      );
      return;
    }
    await this.spendTurn(thread.channel, signal);
    await this.call('files.uploadV2', () =>
      this.deps.client.filesUploadV2({
        channel_id: thread.channel,
        thread_ts: thread.threadTs,
        initial_comment: comment,
        file: bytes,
        filename: content.file.fileName,
        title: content.caption ?? content.file.fileName,
      }),
      thread.channel,
    );
  }

  /** Makes one Web API call; after a 429 on a post, every post to that channel waits as Slack said. */
  private async call<T>(what: string, work: () => Promise<T>, channel?: string): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const converted = toDeliveryError(error, what, channel);
      if (channel !== undefined && converted instanceof RetryLaterError) this.deps.channelLimiter.pause(channel, converted.afterMs);
      throw converted;
    }
  }
}

/** How long an edit of a question's post waits for that post to be in Slack, ms. */
const questionPostWaitMs = 10 * 60 * 1000;

/** A department's file bigger than this is not copied into the case thread (it is held in memory to upload), bytes. */
const copyLimitBytes = 50 * 1024 * 1024;

/** How long the first part of a Telegram album waits for the others before it is posted, ms. */
export const albumGatherMs = 1500;

type AlbumPart = Extract<ClientContent, { file: ClientFile }>;

/** The album the head message starts: consecutive client files with its media group id (at most 10, Telegram's album size). */
function albumAt(messages: readonly PendingMessage[]): AlbumPart[] {
  const head = messages[0]?.message;
  if (head?.to !== 'case-thread' || head.post.type !== 'client-message' || !('file' in head.post.content)) return [];
  const group = head.post.content.mediaGroupId;
  if (group === undefined) return [head.post.content];
  const parts: AlbumPart[] = [];
  for (const { message } of messages.slice(0, 10)) {
    if (message.to !== 'case-thread' || message.post.type !== 'client-message' || !('file' in message.post.content) || message.post.content.mediaGroupId !== group) break;
    parts.push(message.post.content);
  }
  return parts;
}

/** Resolves after `ms`, or rejects when `signal` aborts (delivery stopping). */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The rows after a new case's card that its post can carry: its client's text messages to the
 * case thread, queued right behind the card (written before it went out), as long as they fit the
 * card's room. What comes after them, or does not fit, or is no plain text (a file, an album, a
 * notice), gets its thread post as before.
 */
function carriable(rows: readonly PendingMessage[], caseId: number, name: string): PendingMessage[] {
  const carried: PendingMessage[] = [];
  let length = 0;
  for (const row of rows) {
    const m = row.message;
    if (m.to !== 'case-thread' || m.caseId !== caseId || m.post.type !== 'client-message' || m.post.content.type !== 'text') break;
    const part = renderClientContent(name, m.post.content).length + 1;
    if (length + part > carriedRoom) break;
    carried.push(row);
    length += part;
  }
  return carried;
}

/** What a carried row shows on the card. */
function carriedContent(row: PendingMessage): ClientContent {
  const m = row.message;
  if (m.to !== 'case-thread' || m.post.type !== 'client-message') throw new Error('not a carried client message');
  return m.post.content;
}
