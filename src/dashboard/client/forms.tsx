/**
 * Forms that act: the signal form generated from a wait's contract (typed fields, checked by the
 * browser before anything is sent, then by the server), and the action buttons (cancel, replay,
 * redeliver). Messages render through Preact as text.
 */
import { render } from 'preact';
import { post } from './stream.js';

function say(el: Element | null, text: string): void {
  if (el) render(<span>{text}</span>, el);
}

function fieldValue(el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): unknown {
  const type = el.dataset.type;
  if (el.value === '') return undefined;
  if (type === 'number') return Number(el.value);
  if (type === 'boolean') return el.value === 'true';
  if (type === 'json') return JSON.parse(el.value) as unknown;
  return el.value;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = value;
}

/** Mounts a signal form. */
export function mountSignalForm(form: HTMLFormElement): void {
  const error = form.querySelector('[data-error]');
  const ok = form.querySelector('[data-ok]');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    say(error, '');
    say(ok, '');
    const fields = [
      ...form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
        '[name]',
      ),
    ];
    const invalid = fields.find((f) => !f.checkValidity());
    if (invalid) {
      say(error, `${invalid.name}: ${invalid.validationMessage}`);
      form.dataset.result = 'invalid';
      return;
    }
    let payload: Record<string, unknown> = {};
    try {
      for (const f of fields) {
        const v = fieldValue(f);
        if (v !== undefined) setPath(payload, f.name, v);
      }
    } catch (e) {
      say(error, `malformed JSON: ${(e as Error).message}`);
      return;
    }
    if (form.dataset.root === 'value') payload = payload.value as Record<string, unknown>;
    post(`/api/v1/runs/${encodeURIComponent(form.dataset.run!)}/signal`, {
      name: form.dataset.name,
      payload,
    })
      .then(() => {
        form.dataset.result = 'sent';
        say(ok, 'Sent: the run resumes.');
      })
      .catch((e: unknown) => {
        form.dataset.result = 'rejected';
        say(error, (e as Error).message);
      });
  });
}

/** Mounts an action form (POST to data-url). */
export function mountAction(form: HTMLFormElement): void {
  const error = form.querySelector('[data-error]');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    let body: Record<string, unknown> = form.dataset.json
      ? (JSON.parse(form.dataset.json) as Record<string, unknown>)
      : {};
    const field = form.dataset.body;
    if (field)
      body = {
        ...body,
        [field]: Number((form.elements.namedItem(field) as HTMLInputElement).value),
      };
    post(form.dataset.url!, body)
      .then((res) => {
        if (typeof res.runId === 'string')
          location.assign(`/runs/${encodeURIComponent(res.runId)}`);
        else location.reload();
      })
      .catch((e: unknown) => say(error, (e as Error).message));
  });
}
