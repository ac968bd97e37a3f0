import type { DepartmentsConfig } from '../../config.js';
import type { Case, Client } from '../../../src/ports.js';
import { clientName } from '../../../src/client-name.js';
import { messagesFor } from '../../../src/i18n/messages.js';
import { clientNoticeText } from '../../../src/i18n/client-notice-text.js';
import { slackLimits } from '../../platform-limits.js';
import { truncatePlain } from '../../text/truncate-plain.js';

/** Callback ids of Repka's modals. */
export const modals = { extend: 'ask_extend_modal', decline: 'ask_decline_modal', ask: 'case_ask_modal', reply: 'case_reply_modal' } as const;

/** The reply text input of the reply modal; typing in it refreshes the preview. */
export const replyTextAction = 'reply_text';
/** The file input of the reply modal. */
export const replyFilesAction = 'reply_files';

/**
 * A modal title (or submit/close text) within Slack's 24 characters: `long` when it fits, else
 * `short`, else `short` cut.
 */
export function modalTitle(long: string, short: string): { type: 'plain_text'; text: string } {
  const text = long.length <= slackLimits.modalTitle ? long : truncatePlain(short, slackLimits.modalTitle);
  return { type: 'plain_text', text };
}

const textInput = (blockId: string, label: string, options: { multiline?: boolean; optional?: boolean; placeholder?: string } = {}) => ({
  type: 'input',
  block_id: blockId,
  optional: options.optional ?? false,
  label: { type: 'plain_text', text: label },
  element: {
    type: 'plain_text_input',
    action_id: 'value',
    multiline: options.multiline ?? false,
    ...(options.placeholder ? { placeholder: { type: 'plain_text', text: options.placeholder } } : {}),
  },
});

/** "Need more time": a new reply-by duration and a reason. Pure. */
export function extendModal(askId: number): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: modals.extend,
    private_metadata: String(askId),
    title: modalTitle(`More time for Q${askId}`, `More time: Q${askId}`),
    submit: { type: 'plain_text', text: 'Set new time' },
    blocks: [textInput('duration', 'New reply-by, from now (business hours)', { placeholder: '2h, 1d, 1h30m' }), textInput('reason', 'Why', { multiline: true })],
  };
}

/** "Not ours": a reason, so the agent knows whom to ask instead. Pure. */
export function declineModal(askId: number): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: modals.decline,
    private_metadata: String(askId),
    title: modalTitle(`Q${askId} is not ours`, `Not ours: Q${askId}`),
    submit: { type: 'plain_text', text: 'Decline' },
    blocks: [textInput('reason', 'Why, and who could answer instead', { multiline: true })],
  };
}

/** "Ask a department" from the case card. Pure. */
export function askModal(caseId: number, departments: DepartmentsConfig): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: modals.ask,
    private_metadata: String(caseId),
    title: modalTitle(`Ask about case #${caseId}`, `Ask · #${caseId}`),
    submit: { type: 'plain_text', text: 'Ask' },
    blocks: [
      {
        type: 'input',
        block_id: 'department',
        label: { type: 'plain_text', text: 'Department' },
        element: {
          type: 'static_select',
          action_id: 'value',
          // Names and ids are checked against these limits when the departments file is loaded.
          options: departments.departments
            .slice(0, slackLimits.selectOptions)
            .map((d) => ({ text: { type: 'plain_text', text: truncatePlain(d.name, slackLimits.optionText) }, value: d.id })),
        },
      },
      textInput('question', 'Question', { multiline: true }),
      textInput('duration', 'Reply within (empty: the department default)', { optional: true, placeholder: '30m, 2h, 1d' }),
    ],
  };
}

/**
 * "Reply to client" from the card: the text, and below it exactly what the client will see in
 * Telegram, in their language (refreshed as the agent types). Pure.
 */
export function replyModal(theCase: Case, client: Client, agentName: string, text: string, timeZone: string): Record<string, unknown> {
  const preview = text.trim() === '' ? undefined : clientNoticeText({ type: 'agent-reply', caseId: theCase.id, text: text.trim(), agentName }, client.language, timeZone);
  return {
    type: 'modal',
    callback_id: modals.reply,
    private_metadata: String(theCase.id),
    title: modalTitle(`Reply · case #${theCase.id}`, `Reply · #${theCase.id}`),
    submit: { type: 'plain_text', text: 'Send to client' },
    blocks: [
      {
        type: 'input',
        block_id: 'text',
        dispatch_action: true,
        // Optional so that files alone can be sent; an empty form is refused on submit.
        optional: true,
        label: { type: 'plain_text', text: truncatePlain(`Message to ${clientName(client)}`, 150) },
        element: {
          type: 'plain_text_input',
          action_id: replyTextAction,
          multiline: true,
          max_length: slackLimits.plainTextInputMax,
          ...(text === '' ? {} : { initial_value: text }),
          dispatch_action_config: { trigger_actions_on: ['on_character_entered'] },
        },
      },
      {
        // Files go to the client as photos or documents, the first with the text as its caption.
        // file_input needs the files:read scope (docs.slack.dev/reference/block-kit/block-elements/file-input-element).
        type: 'input',
        block_id: 'files',
        optional: true,
        label: { type: 'plain_text', text: 'Files (photos up to 10 MB, others up to 50 MB)' },
        element: { type: 'file_input', action_id: replyFilesAction, max_files: 10 },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `*The client will see* (in ${messagesFor(client.language).languageName}, via Telegram):` }],
      },
      { type: 'section', text: { type: 'plain_text', text: truncatePlain(preview ?? '…', slackLimits.sectionText), emoji: true } },
    ],
  };
}
