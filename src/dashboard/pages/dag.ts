/**
 * The run's graph drawn from its declared shape (never guessed from history): a layered layout
 * by longest path from the roots, so parallel steps share a column, and edges from `needs`.
 * Each node carries `data-step` and `data-status`, which the live island updates in place: the
 * picture never moves when a status changes.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { StepView } from '../run-view.js';

const W = 210;
const H = 46;
const GAP_X = 70;
const GAP_Y = 22;

/** Column of each step: 0 for roots, else one more than its deepest need. */
export function layers(steps: readonly StepView[]): Map<string, number> {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const memo = new Map<string, number>();
  const depth = (name: string, seen: Set<string>): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0;
    seen.add(name);
    const needs = byName.get(name)?.needs.filter((n) => byName.has(n)) ?? [];
    const d = needs.length === 0 ? 0 : 1 + Math.max(...needs.map((n) => depth(n, seen)));
    memo.set(name, d);
    return d;
  };
  for (const s of steps) depth(s.name, new Set());
  return memo;
}

/** The SVG of the graph. */
export function dagSvg(steps: readonly StepView[]): HtmlEscapedString {
  const col = layers(steps);
  const rows = new Map<number, number>();
  const pos = new Map<string, { x: number; y: number }>();
  for (const s of steps) {
    const c = col.get(s.name) ?? 0;
    const r = rows.get(c) ?? 0;
    rows.set(c, r + 1);
    pos.set(s.name, { x: 10 + c * (W + GAP_X), y: 10 + r * (H + GAP_Y) });
  }
  const width = 20 + (Math.max(0, ...col.values()) + 1) * (W + GAP_X) - GAP_X;
  const height = 20 + Math.max(1, ...rows.values()) * (H + GAP_Y) - GAP_Y;
  const edges = steps.flatMap((s) =>
    s.needs
      .filter((n) => pos.has(n))
      .map((n) => {
        const a = pos.get(n)!;
        const b = pos.get(s.name)!;
        const x1 = a.x + W;
        const y1 = a.y + H / 2;
        const x2 = b.x;
        const y2 = b.y + H / 2;
        const mx = (x1 + x2) / 2;
        return html`<path class="edge" data-from="${n}" data-to="${s.name}" d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}"></path>`;
      }),
  );
  const nodes = steps.map((s) => {
    const { x, y } = pos.get(s.name)!;
    return html`<g class="node st-${s.status}" data-step="${s.name}" data-status="${s.status}" data-col="${col.get(s.name) ?? 0}" transform="translate(${x},${y})">
<rect width="${W}" height="${H}" rx="8"></rect>
<text x="10" y="19" class="name">${s.kind === 'wait' ? '⏸ ' : ''}${s.name}</text>
<text x="10" y="36" class="sub" data-sub>${s.agent ?? s.kind} · ${s.status}${s.attempts > 1 ? ` · ${s.attempts} attempts` : ''}</text>
</g>`;
  });
  return html`<svg class="dag" data-testid="dag" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="workflow graph">${edges}${nodes}</svg>` as HtmlEscapedString;
}
