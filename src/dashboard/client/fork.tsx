/**
 * The fork control of the run page: pick a version, edit its input as JSON (prefilled from that
 * version's input), see the leaf diff against the original, then submit. The input is sent only
 * when it differs, and the server checks it against the workflow's input contract.
 */
import { render } from 'preact';
import { post } from './stream.js';

type Leaves = Map<string, string>;

/** Every leaf of a JSON value as `path → JSON text` (`applicant.name`, `items[2]`). */
function leaves(value: unknown, path = '', out: Leaves = new Map()): Leaves {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((v, i) => {
      leaves(v, `${path}[${i}]`, out);
    });
  } else if (typeof value === 'object' && value !== null && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path || '(root)', JSON.stringify(value));
  }
  return out;
}

interface Change {
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
}

function leafDiff(a: unknown, b: unknown): Change[] {
  const la = leaves(a);
  const lb = leaves(b);
  const paths = [...new Set([...la.keys(), ...lb.keys()])].sort();
  return paths
    .filter((p) => la.get(p) !== lb.get(p))
    .map((p) => ({
      path: p,
      ...(la.has(p) ? { before: la.get(p) } : {}),
      ...(lb.has(p) ? { after: lb.get(p) } : {}),
    }));
}

function DiffView(props: { changes: Change[] | string }) {
  if (typeof props.changes === 'string') return <p class="error">{props.changes}</p>;
  if (props.changes.length === 0) return <p class="muted">Input unchanged: a plain replay.</p>;
  return (
    <table class="diff">
      <thead>
        <tr>
          <th>input path</th>
          <th>original</th>
          <th>edited</th>
        </tr>
      </thead>
      <tbody>
        {props.changes.map((c) => (
          <tr
            key={c.path}
            class={c.before === undefined ? 'added' : c.after === undefined ? 'removed' : 'changed'}
            data-path={c.path}
          >
            <td>
              <code>{c.path}</code>
            </td>
            <td>{c.before ?? ''}</td>
            <td>{c.after ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Mounts the fork form. */
export function mountFork(form: HTMLFormElement): void {
  const inputs = JSON.parse(form.dataset.inputs ?? '{}') as Record<string, unknown>;
  const select = form.elements.namedItem('fromVersion') as HTMLSelectElement;
  const text = form.elements.namedItem('input') as HTMLTextAreaElement;
  const diffEl = form.querySelector('[data-fork-diff]');
  const error = form.querySelector('[data-error]');
  let original: unknown = null;
  let edited: { ok: true; value: unknown } | { ok: false } = { ok: false };

  const show = () => {
    let changes: Change[] | string;
    try {
      const value = JSON.parse(text.value) as unknown;
      edited = { ok: true, value };
      changes = leafDiff(original, value);
    } catch (e) {
      edited = { ok: false };
      changes = `malformed JSON: ${(e as Error).message}`;
    }
    form.dataset.changes = typeof changes === 'string' ? 'invalid' : String(changes.length);
    if (diffEl) render(<DiffView changes={changes} />, diffEl);
  };
  const prefill = () => {
    original = inputs[select.value] ?? null;
    text.value = JSON.stringify(original, null, 2);
    show();
  };
  select.addEventListener('change', prefill);
  text.addEventListener('input', show);
  prefill();

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (error) render(<span />, error);
    if (!edited.ok) return;
    const changed = leafDiff(original, edited.value).length > 0;
    post(form.dataset.url!, {
      fromVersion: Number(select.value),
      ...(changed ? { input: edited.value } : {}),
    })
      .then((res) => {
        if (typeof res.runId === 'string')
          location.assign(`/runs/${encodeURIComponent(res.runId)}`);
      })
      .catch((e: unknown) => {
        form.dataset.result = 'rejected';
        if (error) render(<span>{(e as Error).message}</span>, error);
      });
  });
}
