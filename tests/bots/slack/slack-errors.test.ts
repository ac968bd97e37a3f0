import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { isMessageGone, SlackRefusedError, slackErrorReason, toDeliveryError, transientSlackErrors } from '../../../bots/slack/slack-errors.js';
import { PermanentDeliveryError, RetryLaterError } from '../../../src/delivery/deliverer.js';

/** What WebClient throws for an `ok:false` answer. */
const refused = (error: string, extra: Record<string, unknown> = {}) => new webApi.WebAPIPlatformError({ ok: false, error, ...extra });

describe('Slack errors: final unless Slack documents them as transient', () => {
  it.each(['thread_not_found', 'is_archived', 'invalid_blocks', 'msg_too_long', 'channel_not_found', 'not_in_channel', 'message_not_found', 'cant_update_message', 'no_permission', 'some_code_slack_adds_next_year'])(
    '%s ends the retries',
    (code) => {
      const converted = toDeliveryError(refused(code), 'chat.postMessage', 'C0LEGAL');
      expect(converted).toBeInstanceOf(SlackRefusedError);
      expect(converted).toBeInstanceOf(PermanentDeliveryError);
      expect(converted).toMatchObject({ method: 'chat.postMessage', code, channel: 'C0LEGAL' });
      expect((converted as SlackRefusedError).reason).toContain(code);
    },
  );

  it.each(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'])('%s is retried', (code) => {
    const error = refused(code);
    expect(toDeliveryError(error, 'chat.postMessage')).toBe(error);
  });

  it('the transient list is exactly the one Slack documents', () => {
    expect([...transientSlackErrors].sort()).toEqual(['fatal_error', 'internal_error', 'ratelimited', 'request_timeout', 'service_unavailable']);
  });

  it('rate limits wait: a 429 for as long as Retry-After says, ok:false ratelimited for a second', () => {
    const limited = toDeliveryError(new webApi.WebAPIRateLimitedError(7), 'chat.postMessage');
    expect(limited).toBeInstanceOf(RetryLaterError);
    expect((limited as RetryLaterError).afterMs).toBe(7000);
    expect((toDeliveryError(refused('ratelimited'), 'chat.update') as RetryLaterError).afterMs).toBe(1000);
  });

  it('HTTP 5xx, timeouts and network errors are retried as they are', () => {
    const http = new webApi.WebAPIHTTPError(503, 'Service Unavailable', {}, '');
    const network = new webApi.WebAPIRequestError(new Error('connect ECONNREFUSED'));
    const timeout = new webApi.WebAPIRequestError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    for (const error of [http, network, timeout, new Error('socket hang up')]) expect(toDeliveryError(error, 'chat.postMessage')).toBe(error);
  });

  it('gives a clear reason for the common codes, naming the call and the code', () => {
    expect(slackErrorReason('is_archived', 'chat.postMessage')).toBe('the channel is archived (chat.postMessage: is_archived)');
    expect(slackErrorReason('thread_not_found', 'chat.postMessage')).toMatch(/deleted in Slack/);
    expect(slackErrorReason('not_in_channel', 'chat.postMessage')).toMatch(/\/invite/);
    expect((toDeliveryError(refused('missing_scope', { needed: 'channels:join' }), 'conversations.join') as SlackRefusedError).reason).toContain('channels:join');
    expect(slackErrorReason('weird_new_code', 'reactions.add')).toBe('Slack refused reactions.add (weird_new_code)');
  });

  it('tells a deleted message from other refusals', () => {
    for (const code of ['thread_not_found', 'message_not_found', 'cant_update_message']) expect(isMessageGone(toDeliveryError(refused(code), 'chat.update'))).toBe(true);
    for (const code of ['is_archived', 'invalid_blocks']) expect(isMessageGone(toDeliveryError(refused(code), 'chat.update'))).toBe(false);
    expect(isMessageGone(refused('thread_not_found'))).toBe(false);
  });
});
