// The overlays: Slack modals (views.open, views.update) and the Repka app's Home tab.

import { act, post, report } from './requests.js';
import { el, nameOf, renderBlocks, textObject, withEmoji } from './slack-render.js';

/** The modal on screen: its id and hash; rebuilt when another modal opens or Repka updates it. */
let shownModal = null;

// ---- The Repka app's Home tab ----

/** Opens the Home tab of `user`: Repka hears app_home_opened and publishes it; shown in a panel until closed or a link in it is followed. */
export async function openHome(user) {
  const root = document.getElementById('home-root');
  const closeButton = el('button', { type: 'button', class: 'home-close', text: 'Close', onclick: () => root.replaceChildren() });
  const panel = el('section', { class: 'modal home', 'data-user': user, 'aria-label': `Repka Home of ${nameOf(user)}` }, el('header', { class: 'modal-head' }, el('strong', { text: `Repka · Home of ${nameOf(user)}` }), closeButton));
  const body = el('div', { class: 'home-body', text: 'Opening…' });
  panel.append(body);
  root.replaceChildren(el('div', { class: 'overlay' }, panel));
  try {
    const answer = await post('/api/slack/home', { user });
    if (answer.view === undefined) body.textContent = `Repka published no Home (HTTP ${answer.status}).`;
    else body.replaceChildren(renderBlocks(answer.view.blocks ?? [], () => undefined));
  } catch (error) {
    body.textContent = `Not opened: ${error.message}`;
  }
}

// ---- Modals (views.open, views.update) ----

/** Whether typing in an input block sends block_actions (dispatch_action), and on what. */
const dispatchesOnTyping = (block) => block.dispatch_action === true && (block.element?.dispatch_action_config?.trigger_actions_on ?? ['on_enter_pressed']).includes('on_character_entered');

/** The values of the modal on screen, by block_id: what Slack puts in view.state. */
const modalValues = () => Object.fromEntries([...document.querySelectorAll('#modal-root form.modal [name]')].map((control) => [control.name, control.value]));

/** One typing sender per modal input, kept across re-renders of the modal, so an old one never sends stale text. */
const typingSenders = new Map();

/** Typing in a dispatching input: one block_actions at a time, then the newest text, as Slack coalesces keystrokes. */
function typingSender(modalId, blockId) {
  const key = `${modalId}:${blockId}`;
  if (typingSenders.has(key)) return typingSenders.get(key);
  let busy = false;
  let again = false;
  const run = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    do {
      again = false;
      await post('/api/slack/type', { modalId, blockId, values: modalValues() }).catch(report);
    } while (again);
    busy = false;
  };
  typingSenders.set(key, run);
  return run;
}

/** Shows the newest open modal of `state` (none: the modal closes); an update from Repka keeps what was typed and the focus. */
export function renderModal(state) {
  const modal = state.modals[state.modals.length - 1];
  const root = document.getElementById('modal-root');
  if (modal === undefined) {
    shownModal = null;
    root.replaceChildren();
    return;
  }
  if (shownModal?.id === modal.id && shownModal.hash === modal.hash) return;
  // Slack keeps what was typed when the app updates the view: the fields keep their values and focus.
  const kept = shownModal?.id === modal.id ? shownModal : null;
  const focused = kept ? document.activeElement?.getAttribute('name') : null;
  const selection = focused ? [document.activeElement.selectionStart, document.activeElement.selectionEnd] : null;
  const view = modal.view;
  const fields = {};
  const errors = {};
  const form = el('form', { class: 'modal', 'data-modal': modal.id });
  const values = () => Object.fromEntries(Object.entries(fields).map(([id, control]) => [id, control.value]));
  form.append(el('header', { class: 'modal-head' }, el('strong', { text: withEmoji(view.title?.text ?? 'Modal') }), el('span', { class: 'muted', text: `opened by ${nameOf(modal.user)}` })));
  for (const block of view.blocks ?? []) {
    if (block.type === 'input') {
      const element = block.element ?? {};
      let control;
      if (element.type === 'file_input') {
        form.append(el('div', { class: 'field' }, el('span', { text: block.label?.text ?? block.block_id }), el('span', { class: 'muted', text: 'Uploading files is not part of the playground: this stays empty.' })));
        continue;
      }
      if (element.type === 'static_select') {
        control = el('select', { name: block.block_id }, el('option', { value: '', text: element.placeholder?.text ?? 'Choose…' }), ...(element.options ?? []).map((o) => el('option', { value: o.value, text: o.text?.text ?? o.value })));
      } else if (element.multiline) control = el('textarea', { name: block.block_id, rows: 3, placeholder: element.placeholder?.text, maxlength: element.max_length });
      else control = el('input', { type: 'text', name: block.block_id, autocomplete: 'off', placeholder: element.placeholder?.text, maxlength: element.max_length });
      control.value = kept?.values[block.block_id] ?? element.initial_value ?? element.initial_option?.value ?? '';
      if (dispatchesOnTyping(block)) control.addEventListener('input', typingSender(modal.id, block.block_id));
      fields[block.block_id] = control;
      errors[block.block_id] = el('div', { class: 'field-error', text: kept?.errors[block.block_id] ?? '' });
      form.append(el('label', { class: 'field' }, el('span', { text: `${block.label?.text ?? block.block_id}${block.optional ? ' (optional)' : ''}` }), control, errors[block.block_id]));
    } else if (block.type === 'section' && block.text) form.append(el('div', { class: 'block-section', 'data-block': block.block_id }, textObject(block.text)));
    else if (block.type === 'context' || block.type === 'header' || block.type === 'divider') form.append(renderBlocks([block], () => undefined));
  }
  const cancel = el('button', { type: 'button', text: view.close?.text ?? 'Cancel', onclick: () => post('/api/slack/dismiss', { modalId: modal.id }).catch(report) });
  form.append(el('footer', { class: 'modal-foot' }, cancel, el('button', { type: 'submit', class: 'primary', text: view.submit?.text ?? 'Submit' })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act('The form', '/api/slack/submit', { modalId: modal.id, values: values() }).then((answer) => {
      for (const [id, box] of Object.entries(errors)) box.textContent = answer.errors?.[id] ?? '';
      if (shownModal?.id === modal.id) shownModal.errors = answer.errors ?? {};
    });
  });
  root.replaceChildren(el('div', { class: 'overlay' }, form));
  shownModal = {
    id: modal.id,
    hash: modal.hash,
    errors: kept?.errors ?? {},
    get values() {
      return values();
    },
  };
  const refocus = focused ? fields[focused] : null;
  if (refocus) {
    refocus.focus();
    if (selection && typeof refocus.setSelectionRange === 'function') refocus.setSelectionRange(selection[0], selection[1]);
  }
}

