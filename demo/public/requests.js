// The page's requests to the playground server, and what it shows when one does not arrive.

import { el } from './slack-render.js';

/** `afterPost`: run after each request the server took (the page polls its state then). */
export const requests = { afterPost: () => undefined };

export const report = (error) => console.error('playground:', error);

/** POSTs JSON to the playground server; rejects with its error when it answers no 2xx or does not answer. */
export async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.error ?? `HTTP ${res.status}`);
  requests.afterPost();
  return answer;
}

/** The problem in an answer that carries Repka's status (a click, a slash command), or undefined when Repka took it. */
export const refusal = (answer) => (typeof answer.status === 'number' && (answer.status < 200 || answer.status >= 300) ? `Repka answered HTTP ${answer.status}` : undefined);

/** A click or a form sent to Repka: when it does not arrive, says so with a Retry button, so no press is silently lost. */
export async function act(what, path, body) {
  let problem;
  let answer = {};
  try {
    answer = await post(path, body);
    problem = refusal(answer);
  } catch (error) {
    problem = error.message;
  }
  const toast = document.getElementById('toast');
  if (problem === undefined) return answer;
  toast.replaceChildren(
    el('span', { text: `${what} did not reach Repka (${problem}). ` }),
    el('button', { type: 'button', class: 'retry', text: 'Retry', onclick: () => (toast.replaceChildren(), void act(what, path, body)) }),
    el('button', { type: 'button', class: 'toast-close', text: '✕', onclick: () => toast.replaceChildren() }),
  );
  return answer;
}

