/**
 * The run page, live: each step node of the declared graph and its row change status in place
 * as events arrive (the picture never moves), and the run's badge follows its status.
 */
import { stepStatusOf } from '../step-status.js';
import { showLiveState } from './live-state.js';
import { follow, type RunEvent, setBadge } from './stream.js';

function setStep(root: HTMLElement, step: string, status: string): void {
  const node = root.querySelector<SVGGElement>(`g[data-step="${CSS.escape(step)}"]`);
  if (node) {
    node.setAttribute('data-status', status);
    node.setAttribute('class', `node st-${status}`);
    const sub = node.querySelector('[data-sub]');
    if (sub?.textContent)
      sub.textContent = sub.textContent.replace(/ · [a-z_]+( · .*)?$/, ` · ${status}$1`);
  }
  setBadge(
    document.querySelector(`tr[data-step-row="${CSS.escape(step)}"] [data-cell="status"] .badge`),
    status,
  );
}

/** Appends a live token of an LLM step to its box under the graph (created on first token). */
function showToken(step: string, text: string): void {
  const box = document.querySelector<HTMLElement>('[data-tokens]');
  if (!box) return;
  let out = box.querySelector<HTMLElement>(`pre[data-token-step="${CSS.escape(step)}"]`);
  if (!out) {
    const label = document.createElement('h3');
    label.textContent = `${step} · live output`;
    out = document.createElement('pre');
    out.setAttribute('data-token-step', step);
    box.append(label, out);
    box.hidden = false;
  }
  out.textContent = (out.textContent ?? '') + text;
}

/** Mounts the island on the graph. */
export function mountRunLive(root: HTMLElement): void {
  const runId = root.dataset.run!;
  const params = new URLSearchParams({ run: runId });
  if (root.dataset.after) params.set('after', root.dataset.after);
  const liveState = document.querySelector('[data-live-state]');
  follow(
    root,
    params,
    (e: RunEvent) => {
      const st = e.step ? stepStatusOf(e.type) : undefined;
      if (e.step && st) setStep(root, e.step, st);
      if (e.status) setBadge(document.querySelector('[data-island="run-status"] .badge'), e.status);
      if (e.status) root.dataset.runStatus = e.status;
    },
    (s) => showLiveState(liveState, s),
    (t) => showToken(t.step, t.text),
  );
}
