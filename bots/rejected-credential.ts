import { webApi } from '@slack/bolt';
import { StartupError } from './startup-error.js';

/**
 * `ok:false` errors with which Slack refuses the token itself (Web API docs, e.g. auth.test):
 * `not_authed` no token sent, `invalid_auth` not a valid token, `account_inactive` its user or
 * app was deactivated or removed, `token_revoked` revoked, `token_expired` a rotated token that
 * expired. No retry changes them.
 */
export const slackCredentialErrors: ReadonlySet<string> = new Set(['not_authed', 'invalid_auth', 'account_inactive', 'token_revoked', 'token_expired']);

/**
 * A platform refused a credential from the configuration. Retrying cannot help: the operator has
 * to fix `variable`, which the message names (`SLACK_BOT_TOKEN was rejected by Slack: invalid_auth`).
 */
export class RejectedCredentialError extends StartupError {
  constructor(
    /** The environment variable holding the refused credential. */
    readonly variable: string,
    /** What the platform answered: Slack's error code, or Telegram's `401 Unauthorized`. */
    readonly answer: string,
    platform: 'Slack' | 'Telegram',
    fix: string,
  ) {
    super(`${variable} was rejected by ${platform}: ${answer}; ${fix}`);
  }
}

const slackFixes: Record<string, string> = {
  SLACK_BOT_TOKEN: 'copy the Bot User OAuth Token (xoxb-…) again from https://api.slack.com/apps → your app → OAuth & Permissions (reinstall the app if it was removed)',
  SLACK_APP_TOKEN: 'create an app-level token with the connections:write scope (https://api.slack.com/apps → your app → App-Level Tokens, on its first settings page) and put it (xapp-…) there',
};

/** The Slack error code of a Web API refusal of the token itself; undefined for anything else (network, 5xx, other errors). */
export function slackCredentialRefusal(error: unknown): string | undefined {
  const e = error as { code?: string; data?: { error?: unknown } } | undefined;
  const code = e?.data?.error;
  return e?.code === webApi.ErrorCode.PlatformError && typeof code === 'string' && slackCredentialErrors.has(code) ? code : undefined;
}

/** `error` as a {@link RejectedCredentialError} naming `variable` when Slack refused that token; undefined otherwise. */
export function slackRejection(variable: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN', error: unknown): RejectedCredentialError | undefined {
  const code = slackCredentialRefusal(error);
  return code === undefined ? undefined : new RejectedCredentialError(variable, code, 'Slack', slackFixes[variable] as string);
}

/**
 * `error` as a {@link RejectedCredentialError} naming TELEGRAM_BOT_TOKEN when the Bot API refused
 * the token: 401 `Unauthorized` (a well-formed token Telegram does not know, or one revoked with
 * /revoke) or 404 `Not Found` (a path whose token is malformed). Undefined for anything else.
 */
export function telegramRejection(error: unknown): RejectedCredentialError | undefined {
  const e = error as { response?: { error_code?: unknown; description?: unknown } } | undefined;
  const status = e?.response?.error_code;
  if (status !== 401 && status !== 404) return undefined;
  const description = typeof e?.response?.description === 'string' ? e.response.description : status === 401 ? 'Unauthorized' : 'Not Found';
  const fix =
    status === 401
      ? 'put the token @BotFather gives you (/mybots → your bot → API Token) there'
      : 'it is not a bot token Telegram knows (or TELEGRAM_API_ROOT is not a Bot API server): put the token @BotFather gives you there';
  return new RejectedCredentialError('TELEGRAM_BOT_TOKEN', `${status} ${description}`, 'Telegram', fix);
}

/** For `.catch`: rethrows a refusal of the Slack token in `variable` as {@link RejectedCredentialError}, anything else as it is. */
export const rethrowSlackRejection =
  (variable: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN') =>
  (error: unknown): never => {
    throw slackRejection(variable, error) ?? error;
  };

/** For `.catch`: rethrows Telegram's refusal of the bot token as {@link RejectedCredentialError}, anything else as it is. */
export function rethrowTelegramRejection(error: unknown): never {
  throw telegramRejection(error) ?? error;
}
