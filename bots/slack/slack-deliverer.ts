import { webApi } from '@slack/bolt';
import type { ClientContent, ClientFile, Outgoing } from '../../src/outgoing.js';
import type { CaseStore, Logger } from '../../src/ports.js';
import { PermanentDeliveryError, RetryLaterError, type Deliverer, type PendingMessage } from '../../src/delivery/deliverer.js';
import type { RateLimiter } from '../../src/delivery/rate-limiter.js';
import { splitText } from '../../src/text/split-text.js';
import { clientName } from '../../src/cases/case-service.js';
import { renderHistoryText } from '../../src/history/render-history.js';
import { renderCaseCard } from './render/case-card.js';
import { renderClientContent } from './render/client-message.js';
import { renderEphemeral, renderThreadNotice } from './render/notices.js';
import { renderAskThreadPost, renderDepartmentList, renderDepartmentPost, type AskContext, type SlackPost } from './render/asks.js';
import type { DepartmentsConfig } from '../../src/config.js';
import type { AskStore, Clock } from '../../src/ports.js';

/** Slack accepts up to 40,000 characters but shows ~4,000 well; split long posts here. */
export const slackTextLimit = 3900;
/** Combined posts of queued client messages stay well under the limit. */
const combineLimit = 3500;

/** Errors after which retrying a call can never help. */
const permanentErrors = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'msg_too_long',
  'no_text',
  'invalid_blocks',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'restricted_action',
  'user_not_in_channel',
  'message_not_found',
  'cant_update_message',
]);

const errorReasons: Record<string, string> = {
  channel_not_found: 'the Slack channel does not exist or the app cannot see it',
  not_in_channel: 'the Repka app is not a member of the channel (invite it)',
  is_archived: 'the channel is archived',
  invalid_auth: 'the Slack token is invalid',
  missing_scope: 'the Slack app lacks a permission (see manifest.yml)',
};

/**
 * Converts a WebClient error into what the drainer should do: wait (429), give up (platform
 * errors that retrying cannot fix), or retry (5xx, timeouts, network errors: rethrown as they are).
 */
export function toDeliveryError(error: unknown, what: string): unknown {
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string } };
  if (e.code === webApi.ErrorCode.RateLimitedError) return new RetryLaterError((e.retryAfter ?? 1) * 1000, `Slack rate limit on ${what}`);
  if (e.code === webApi.ErrorCode.PlatformError) {
    const code = e.data?.error ?? 'unknown_error';
    if (code === 'ratelimited') return new RetryLaterError(1000, `Slack rate limit on ${what}`);
    if (permanentErrors.has(code)) return new PermanentDeliveryError(errorReasons[code] ?? `Slack answered ${code}`, { cause: error });
  }
  return error;
}

export interface SlackDelivererDeps {
  readonly client: webApi.WebClient;
  readonly store: CaseStore & AskStore;
  readonly departments: DepartmentsConfig;
  readonly clock: Clock;
  /** Fetches a client's file from Telegram. */
  readonly downloadClientFile: (file: ClientFile) => Promise<Buffer>;
  /** Keeps posts per channel under Slack's ~1/s limit. */
  readonly channelLimiter: RateLimiter;
  /** Team time zone for history times. */
  readonly timeZone: string;
  readonly log: Logger;
}

type SlackMessage = Exclude<Outgoing, { to: 'client' }>;

/** Delivers case cards, thread posts, ephemeral answers and reactions to Slack. */
export class SlackDeliverer implements Deliverer {
  constructor(private readonly deps: SlackDelivererDeps) {}

  async deliver(messages: readonly PendingMessage[], signal: AbortSignal): Promise<number> {
    const head = messages[0]?.message as SlackMessage;
    switch (head.to) {
      case 'case-card':
        await this.deliverCard(head.caseId, head.op, signal);
        return 1;
      case 'case-thread':
        return this.deliverThreadPosts(messages, signal);
      case 'department':
        await this.deliverDepartmentPost(head, signal);
        return 1;
      case 'slack-ephemeral':
        await this.call('chat.postEphemeral', () =>
          this.deps.client.chat.postEphemeral({
            channel: head.channel,
            user: head.user,
            thread_ts: head.threadTs,
            text: renderEphemeral(head.notice, (n) => (n.type === 'unknown-department' ? renderDepartmentList(this.deps.departments, n.given) : `Usage: \`!ask <department> [in <duration>] <question>\`: ${n.problem}. Nothing was sent.`)),
          }),
        );
        return 1;
      case 'slack-reaction':
        await this.call('reactions.add', async () => {
          try {
            await this.deps.client.reactions.add({ channel: head.reaction.channel, timestamp: head.reaction.ts, name: head.reaction.name });
          } catch (error) {
            if ((error as { data?: { error?: string } }).data?.error !== 'already_reacted') throw error;
          }
        });
        return 1;
    }
  }

  private async deliverCard(caseId: number, op: 'post' | 'update', signal: AbortSignal): Promise<void> {
    const { store } = this.deps;
    const theCase = store.getCase(caseId);
    const client = theCase && store.getClient(theCase.clientId);
    if (theCase === undefined || client === undefined) throw new PermanentDeliveryError(`case #${caseId} does not exist`);
    const card = renderCaseCard(theCase, client, store.listEvents(caseId), { canAsk: this.deps.departments.departments.length > 0 });
    if (theCase.slackThreadTs === null) {
      if (op === 'update') throw new PermanentDeliveryError(`the card of case #${caseId} was never posted`);
      await this.deps.channelLimiter.take(theCase.slackChannel, signal);
      const posted = await this.call('chat.postMessage', () =>
        this.deps.client.chat.postMessage({
          channel: theCase.slackChannel,
          text: card.text,
          blocks: card.blocks as never,
          unfurl_links: false,
          metadata: { event_type: 'repka_case', event_payload: { case_id: caseId } },
        }),
        theCase.slackChannel,
      );
      store.updateCase(caseId, { slackThreadTs: posted.ts as string });
      return;
    }
    if (op === 'post') return; // already posted before a crash or retry
    await this.call('chat.update', () =>
      this.deps.client.chat.update({ channel: theCase.slackChannel, ts: theCase.slackThreadTs as string, text: card.text, blocks: card.blocks as never }),
    );
  }

  private async deliverThreadPosts(messages: readonly PendingMessage[], signal: AbortSignal): Promise<number> {
    const head = messages[0]?.message as Extract<Outgoing, { to: 'case-thread' }>;
    const { store } = this.deps;
    const theCase = store.getCase(head.caseId);
    const client = theCase && store.getClient(theCase.clientId);
    if (theCase === undefined || client === undefined) throw new PermanentDeliveryError(`case #${head.caseId} does not exist`);
    if (theCase.slackThreadTs === null) throw new PermanentDeliveryError(`the card of case #${theCase.id} was never posted`);
    const thread = { channel: theCase.slackChannel, threadTs: theCase.slackThreadTs };
    const post = head.post;
    const name = clientName(client);

    if (post.type === 'client-message' && 'file' in post.content) {
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
    } else if ('askId' in post) {
      const rendered = renderAskThreadPost(post, this.askContext(post.askId));
      await this.post(thread.channel, thread.threadTs, rendered, signal);
      return 1;
    } else if (post.type === 'history') {
      text = `*History of case #${theCase.id}*\n\`\`\`\n${renderHistoryText(theCase, client, store.listEvents(theCase.id), this.deps.timeZone)}\n\`\`\``;
    } else {
      text = renderThreadNotice(post, { assignee: theCase.assignee, now: this.deps.clock.now() });
    }
    for (const chunk of splitText(text, slackTextLimit)) {
      await this.deps.channelLimiter.take(thread.channel, signal);
      await this.call('chat.postMessage', () =>
        this.deps.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.threadTs, text: chunk, unfurl_links: false, unfurl_media: false }),
        thread.channel,
      );
    }
    return count;
  }

  private async deliverDepartmentPost(message: Extract<Outgoing, { to: 'department' }>, signal: AbortSignal): Promise<void> {
    const { store, client } = this.deps;
    const ask = store.getAsk(message.askId);
    if (ask === undefined) throw new PermanentDeliveryError(`question Q${message.askId} does not exist`);
    if (message.post.type === 'question') {
      if (ask.slackTs !== null) return; // posted before a crash or retry
      const theCase = store.getCase(ask.caseId);
      let permalink: string | undefined;
      if (theCase?.slackThreadTs) {
        const ts = theCase.slackThreadTs;
        permalink = (await this.call('chat.getPermalink', () => client.chat.getPermalink({ channel: theCase.slackChannel, message_ts: ts }))).permalink;
      }
      const rendered = renderDepartmentPost(message.post, { ...this.askContext(ask.id), permalink });
      const ts = await this.post(ask.slackChannel, undefined, rendered, signal);
      store.updateAsk(ask.id, { slackTs: ts });
      return;
    }
    if (ask.slackTs === null) throw new PermanentDeliveryError(`the question Q${ask.id} was never posted to its department`);
    await this.post(ask.slackChannel, ask.slackTs, renderDepartmentPost(message.post, this.askContext(ask.id)), signal);
  }

  private askContext(askId: number): AskContext {
    const { store } = this.deps;
    const ask = store.getAsk(askId);
    const theCase = ask && store.getCase(ask.caseId);
    const client = theCase && store.getClient(theCase.clientId);
    if (ask === undefined || theCase === undefined || client === undefined) throw new PermanentDeliveryError(`question Q${askId} does not exist`);
    const department = this.deps.departments.departments.find((d) => d.id === ask.departmentId);
    return { ask, theCase, client, department, departments: this.deps.departments, now: this.deps.clock.now() };
  }

  /** Posts (split when long; blocks only on a post that fits) and returns the first post's ts. */
  private async post(channel: string, threadTs: string | undefined, rendered: SlackPost, signal: AbortSignal): Promise<string> {
    const chunks = splitText(rendered.text, slackTextLimit);
    let first: string | undefined;
    for (const chunk of chunks) {
      await this.deps.channelLimiter.take(channel, signal);
      const answer = await this.call('chat.postMessage', () =>
        this.deps.client.chat.postMessage({
          channel,
          thread_ts: threadTs,
          text: chunk,
          blocks: chunks.length === 1 ? (rendered.blocks as never) : undefined,
          unfurl_links: false,
          unfurl_media: false,
        }),
        channel,
      );
      first ??= answer.ts as string;
    }
    return first as string;
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
      await this.deps.channelLimiter.take(thread.channel, signal);
      await this.call('chat.postMessage', () =>
        this.deps.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.threadTs, text: `${comment}\n:warning: The file could not be copied: ${error.reason}.` }),
        thread.channel,
      );
      return;
    }
    await this.deps.channelLimiter.take(thread.channel, signal);
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
      const converted = toDeliveryError(error, what);
      if (channel !== undefined && converted instanceof RetryLaterError) this.deps.channelLimiter.pause(channel, converted.afterMs);
      throw converted;
    }
  }
}
