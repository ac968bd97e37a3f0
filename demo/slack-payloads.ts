import { nextTs, type StoredMessage } from '../tests/fakes/fake-slack.js';

/** The fake workspace's team, as Slack names it in every payload. */
export const teamId = 'T0TEAM';

/** Who acts, as Slack describes a user in interaction payloads. */
export interface Actor {
  readonly id: string;
  readonly name: string;
}

const userOf = (actor: Actor) => ({ id: actor.id, username: actor.name.toLowerCase(), name: actor.name.toLowerCase(), team_id: teamId });

const envelope = (actor: Actor, triggerId: string) => ({
  user: userOf(actor),
  api_app_id: 'A0REPKA',
  token: 'legacy-verification-token',
  trigger_id: triggerId,
  team: { id: teamId, domain: 'fake' },
  enterprise: null,
  is_enterprise_install: false,
});

/** A click on button `element` (in actions block `block`) of a channel message: block_actions, as Slack sends it. */
export function buttonClick(actor: Actor, channel: string, message: StoredMessage, block: Record<string, any>, element: Record<string, any>, triggerId: string, responseUrl: string): Record<string, unknown> {
  const thread = message.thread_ts ? { thread_ts: message.thread_ts } : {};
  return {
    type: 'block_actions',
    ...envelope(actor, triggerId),
    container: { type: 'message', message_ts: message.ts, channel_id: channel, is_ephemeral: false, ...thread },
    channel: { id: channel, name: channel.toLowerCase() },
    message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks, user: message.user, bot_id: message.bot_id, ...thread },
    state: { values: {} },
    response_url: responseUrl,
    actions: [{ type: 'button', action_id: element.action_id, block_id: block.block_id, text: element.text, value: element.value, action_ts: nextTs() }],
  };
}

/** A modal's `view` as Slack sends it back in interactions: as opened or last updated, with the state typed so far. */
export function viewWithState(view: Record<string, any>, id: string, hash: string, values: Record<string, string>): Record<string, unknown> {
  return { ...view, id, team_id: teamId, app_id: 'A0REPKA', hash, state: { values: stateValues(view, values) } };
}

/** `view.state.values` for the inputs of `view`: block_id → action_id → the typed or chosen value. */
function stateValues(view: Record<string, any>, values: Record<string, string>): Record<string, Record<string, unknown>> {
  const state: Record<string, Record<string, unknown>> = {};
  for (const block of (view.blocks ?? []) as Record<string, any>[]) {
    if (block.type !== 'input') continue;
    const value = values[block.block_id] ?? '';
    const element = block.element as Record<string, any>;
    const option = ((element.options ?? []) as { value: string; text: unknown }[]).find((o) => o.value === value);
    // The playground uploads no files: a file input is sent as Slack sends one left empty.
    const typed =
      element.type === 'static_select'
        ? { type: 'static_select', selected_option: option === undefined ? null : { text: option.text, value: option.value } }
        : element.type === 'file_input'
          ? { type: 'file_input', files: [] }
          : { type: element.type, value: value === '' ? null : value };
    state[block.block_id] = { [element.action_id]: typed };
  }
  return state;
}

/**
 * Typing in a modal input with `dispatch_action` (Slack's "on_character_entered"): block_actions
 * from the view, the input's value as the action and every input's value in the state.
 */
export function modalTyping(actor: Actor, view: Record<string, unknown>, blockId: string, values: Record<string, string>, triggerId: string): Record<string, unknown> | undefined {
  const block = ((view.blocks ?? []) as Record<string, any>[]).find((b) => b.type === 'input' && b.block_id === blockId);
  if (block === undefined) return undefined;
  const element = block.element as Record<string, any>;
  return {
    type: 'block_actions',
    ...envelope(actor, triggerId),
    container: { type: 'view', view_id: view.id },
    view,
    actions: [{ type: element.type, block_id: blockId, action_id: element.action_id, value: values[blockId] ?? '', action_ts: nextTs() }],
  };
}

/** Submitting a modal: view_submission. */
export function viewSubmission(actor: Actor, view: Record<string, unknown>, triggerId: string): Record<string, unknown> {
  return { type: 'view_submission', ...envelope(actor, triggerId), view, response_urls: [] };
}

/** A slash command's form fields, as Slack POSTs them. */
export function slashCommand(actor: Actor, channel: string, commandLine: string, triggerId: string, responseUrl: string): Record<string, string> {
  const [command = '', ...rest] = commandLine.trim().split(/\s+/);
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    team_domain: 'fake',
    channel_id: channel,
    channel_name: channel.toLowerCase(),
    user_id: actor.id,
    user_name: actor.name.toLowerCase(),
    command,
    text: rest.join(' '),
    api_app_id: 'A0REPKA',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  };
}

/** Someone opens the app's Home tab: the app_home_opened event. */
export function homeOpened(user: string): Record<string, unknown> {
  return { type: 'app_home_opened', user, channel: `D0${user.slice(2)}`, tab: 'home', event_ts: nextTs() };
}

/** `{response_action:'errors', errors}` from Bolt's answer to a view submission, if that is what it was. */
export function parseErrors(body: string): Record<string, string> | undefined {
  if (body.trim() === '') return undefined;
  try {
    const parsed = JSON.parse(body) as { response_action?: string; errors?: Record<string, string> };
    return parsed.response_action === 'errors' ? parsed.errors : undefined;
  } catch {
    return undefined;
  }
}
