import { webApi } from '@slack/bolt';
import { PermanentDeliveryError, RetryLaterError } from '../../src/delivery/deliverer.js';

/**
 * The `ok:false` errors Slack documents as transient: the same call may succeed later. Every other
 * `ok:false` answer is final: retrying the same call gives the same answer.
 * Source: the "Errors" table of every Web API method page (docs.slack.dev/reference/methods/…),
 * e.g. chat.postMessage: "internal_error … likely due to a transient issue on our end",
 * "fatal_error", "service_unavailable", "request_timeout", "ratelimited".
 */
export const transientSlackErrors: ReadonlySet<string> = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/**
 * Errors that mean the message a call names (a thread's parent, a message to update) no longer
 * exists: in a case thread, the case card was deleted in Slack.
 */
export const messageGoneErrors: ReadonlySet<string> = new Set(['thread_not_found', 'message_not_found', 'cant_update_message']);

/** What an agent reads for the common final errors; others are named by their code. */
const reasons: Record<string, string> = {
  channel_not_found: 'the Slack channel does not exist or the app cannot see it',
  not_in_channel: 'the Repka app is not a member of the channel (type /invite @repka there)',
  is_archived: 'the channel is archived',
  thread_not_found: 'the message the thread hangs on was deleted in Slack',
  message_not_found: 'the message was deleted in Slack',
  cant_update_message: 'the message can no longer be edited (deleted, or not posted by Repka)',
  msg_too_long: 'the text is longer than Slack accepts',
  no_text: 'the message was empty',
  invalid_blocks: 'Slack refused the message layout (a Block Kit limit)',
  invalid_arguments: 'Slack refused the call as malformed',
  invalid_auth: 'the Slack token is invalid',
  not_authed: 'no Slack token was sent',
  account_inactive: 'the Slack token belongs to a deactivated app or workspace',
  token_revoked: 'the Slack token was revoked',
  missing_scope: 'the Slack app lacks a permission (see manifest.yml)',
  restricted_action: 'a workspace setting forbids the app this action',
  user_not_in_channel: 'the person is not in the channel',
  too_many_attachments: 'too many files or attachments in one message',
  file_not_found: 'the uploaded file was not found',
  ekm_access_denied: 'an administrator suspended posting (Enterprise Key Management)',
  team_access_not_granted: 'the app has no access to the workspace of the channel',
};

/**
 * Slack refused a call for good: an `ok:false` answer that no retry can mend. Keeps the call's
 * context as fields, so callers can react to one code (e.g. `thread_not_found` → post the card again).
 */
export class SlackRefusedError extends PermanentDeliveryError {
  constructor(
    /** The Web API method, e.g. `chat.postMessage`. */
    readonly method: string,
    /** Slack's error code, e.g. `thread_not_found`. */
    readonly code: string,
    /** The channel the call was about, if any. */
    readonly channel: string | undefined,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

/** The agent-facing reason for a final Slack error code; `needed` names the missing scope. Pure. */
export function slackErrorReason(code: string, method: string, needed?: string): string {
  const known = reasons[code];
  const scope = code === 'missing_scope' && needed ? ` (${needed})` : '';
  return known === undefined ? `Slack refused ${method} (${code})` : `${known}${scope} (${method}: ${code})`;
}

/**
 * Converts what a WebClient call threw into what the drainer should do:
 * - a 429, or `ok:false` `ratelimited`: {@link RetryLaterError} after Slack's Retry-After (1 s if none);
 * - `ok:false` with any other code but the documented transient ones: {@link SlackRefusedError};
 * - invalid file upload arguments (nothing would change on a retry): {@link PermanentDeliveryError};
 * - everything else (HTTP 5xx and other statuses, timeouts, refused connections, `internal_error` …):
 *   returned as it is, for the drainer to retry with backoff.
 */
export function toDeliveryError(error: unknown, method: string, channel?: string): unknown {
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string; needed?: string } };
  if (e.code === webApi.ErrorCode.RateLimitedError) return new RetryLaterError((e.retryAfter ?? 1) * 1000, `Slack rate limit on ${method}`);
  if (e.code === webApi.ErrorCode.FileUploadInvalidArgumentsError) return new PermanentDeliveryError(`Slack refused the file upload: ${(error as Error).message}`, { cause: error });
  if (e.code !== webApi.ErrorCode.PlatformError) return error;
  const code = e.data?.error ?? 'unknown_error';
  if (code === 'ratelimited') return new RetryLaterError(1000, `Slack rate limit on ${method}`);
  if (transientSlackErrors.has(code)) return error;
  return new SlackRefusedError(method, code, channel, slackErrorReason(code, method, e.data?.needed), { cause: error });
}

/** Whether `error` is Slack saying the message this call names was deleted (see {@link messageGoneErrors}). */
export function isMessageGone(error: unknown): error is SlackRefusedError {
  return error instanceof SlackRefusedError && messageGoneErrors.has(error.code);
}
