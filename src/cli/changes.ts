/**
 * State changes as text: a table of leaf paths (an added or removed object is listed field by
 * field, so a new slot reads `risk.rating  A`, not one cut-off blob).
 */
import type { Json, StateChange } from '../index.js';
import { formatValue, renderTable, type Style } from './output.js';

const KIND_STYLE: Readonly<Record<StateChange['kind'], Style>> = {
  added: 'green',
  removed: 'red',
  changed: 'yellow',
};

/** Expands added and removed objects and arrays into one change per leaf. */
export function leafChanges(changes: readonly StateChange[]): StateChange[] {
  const out: StateChange[] = [];
  for (const c of changes) {
    if (c.kind === 'changed') out.push(c);
    else if (c.kind === 'added')
      for (const [path, v] of leaves(c.after, c.path)) out.push({ path, kind: 'added', after: v });
    else
      for (const [path, v] of leaves(c.before, c.path))
        out.push({ path, kind: 'removed', before: v });
  }
  return out;
}

/** The leaves under `value` with their paths; an empty object or array is a leaf itself. */
function leaves(value: Json | undefined, path: string): [string, Json | undefined][] {
  if (Array.isArray(value) && value.length > 0)
    return value.flatMap((v, i) => leaves(v as Json, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value).sort();
    if (keys.length > 0)
      return keys.flatMap((k) =>
        leaves((value as Record<string, Json>)[k], path ? `${path}.${k}` : k),
      );
  }
  return [[path, value]];
}

/** The CHANGE / PATH / BEFORE / AFTER table of `changes`, leaf by leaf. */
export function renderChanges(changes: readonly StateChange[], color: boolean): string {
  const rows = leafChanges(changes).map((c) => [
    { text: c.kind, style: KIND_STYLE[c.kind] },
    c.path || '(root)',
    formatValue(c.before),
    formatValue(c.after),
  ]);
  return renderTable(['CHANGE', 'PATH', 'BEFORE', 'AFTER'], rows, color);
}
