import type { DepartmentsConfig } from '../../../src/config.js';

/** Callback ids of Repka's modals. */
export const modals = { extend: 'ask_extend_modal', decline: 'ask_decline_modal', ask: 'case_ask_modal' } as const;

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
    title: { type: 'plain_text', text: `More time for Q${askId}` },
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
    title: { type: 'plain_text', text: `Q${askId} is not ours` },
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
    title: { type: 'plain_text', text: `Ask about case #${caseId}` },
    submit: { type: 'plain_text', text: 'Ask' },
    blocks: [
      {
        type: 'input',
        block_id: 'department',
        label: { type: 'plain_text', text: 'Department' },
        element: {
          type: 'static_select',
          action_id: 'value',
          options: departments.departments.map((d) => ({ text: { type: 'plain_text', text: d.name }, value: d.id })),
        },
      },
      textInput('question', 'Question', { multiline: true }),
      textInput('duration', 'Reply within (empty: the department default)', { optional: true, placeholder: '30m, 2h, 1d' }),
    ],
  };
}
