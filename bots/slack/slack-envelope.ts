import { parse as parseQuery } from 'node:querystring';

/*
 * Bolt routes a request by reading parts of its envelope without checking their types
 * (`'channel' in event`, `[payload] = actions`, `body.view.callback_id`, `body.user.id`, and
 * `body.ssl_check` on a body of `null`). A signed envelope where those parts are not what Slack
 * documents makes Bolt throw: a 500 that Slack retries in vain, or, for `null`, a crash of its
 * receiver and a request that is never answered. The HTTP server refuses such bodies first.
 * It also refuses lone UTF-16 surrogates (possible as JSON escapes, never sent by Slack): SQLite
 * cannot store them faithfully, so a key made from one (an outbox stream) no longer finds its row.
 */

type Check = (value: unknown) => boolean;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const optional = (check: Check): Check => (value) => value === undefined || check(value);
const either = (a: Check, b: Check): Check => (value) => a(value) || b(value);
const listOf = (check: Check): Check => (value) => Array.isArray(value) && value.every(check);
const shape =
  (fields: Record<string, Check>): Check =>
  (value) =>
    isObject(value) && Object.entries(fields).every(([key, check]) => check(value[key]));

const event: Check = (value) =>
  shape({ type: isString, user: optional(either(isString, isObject)), channel: optional(either(isString, isObject)), item: optional(isObject), subteam: optional(isObject) })(value) &&
  ((value as { type: string }).type !== 'function_executed' || isString((value as { function_execution_id?: unknown }).function_execution_id));

const eventEnvelope = shape({ event, authorizations: optional(listOf(isObject)) });

/** Block actions, view submissions, shortcuts, options: always from a user, with objects where Bolt looks. */
const interaction = shape({
  user: isObject,
  team: optional(either(isObject, (value) => value === null)),
  enterprise: optional(either(isObject, (value) => value === null)),
  channel: optional(isObject),
  actions: optional(listOf(isObject)),
  view: optional(isObject),
});

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Walks every key and string of a parsed body; iterative, so deep nesting cannot overflow the stack. */
function hasLoneSurrogate(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (isString(item) && loneSurrogate.test(item)) return true;
    if (typeof item !== 'object' || item === null) continue;
    for (const [key, child] of Object.entries(item)) {
      if (loneSurrogate.test(key)) return true;
      stack.push(child);
    }
  }
  return false;
}

const interactionTypes = new Set(['block_actions', 'block_suggestion', 'dialog_submission', 'interactive_message', 'message_action', 'shortcut', 'view_closed', 'view_submission']);

/**
 * Why a Slack request body, parsed as Bolt parses it (JSON, or a form with a JSON `payload`
 * field, or a form of slash-command fields), is not one Bolt can route safely; undefined when it is,
 * and when it does not parse at all (Bolt answers that with 400 itself). Never throws.
 */
export function slackEnvelopeProblem(body: string, contentType: string | undefined): string | undefined {
  let value: unknown;
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const fields = parseQuery(body);
      if (fields.payload === undefined) {
        // Slash-command fields: Slack sends each once, so each is a string.
        return Object.values(fields).every(isString) ? undefined : 'a form field given twice';
      }
      if (!isString(fields.payload)) return 'a form field given twice';
      value = JSON.parse(fields.payload);
    } else {
      value = JSON.parse(body);
    }
  } catch {
    return undefined;
  }
  if (!isObject(value)) return 'not a JSON object';
  if (hasLoneSurrogate(value)) return 'a lone UTF-16 surrogate';
  if (value.event !== undefined) return eventEnvelope(value) ? undefined : 'a malformed event envelope';
  if (value.command !== undefined) return undefined;
  const isInteraction = value.actions !== undefined || value.view !== undefined || value.name !== undefined || interactionTypes.has(value.type as string);
  if (isInteraction && !interaction(value)) return 'a malformed interaction payload';
  if ((value.type === 'view_submission' || value.type === 'view_closed') && !isObject(value.view)) return 'a view payload without a view';
  return undefined;
}
