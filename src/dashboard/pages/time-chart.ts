/**
 * A stacked bar chart of runs over time as SVG (a picture, not a table): one bar per bucket,
 * one colour per key, a legend, and a `<title>` on every segment for its exact count. Colours are
 * presentation attributes, so the strict CSP (no inline styles) allows them.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { RunSeries } from '../run-series.js';

/** Colours of run statuses (as the badges), and a palette for other keys. */
const STATUS_FILL: Readonly<Record<string, string>> = {
  completed: '#2e8540',
  failed: '#c0392b',
  compensation_failed: '#8e1b10',
  running: '#2f6fb5',
  pending: '#8aa9cf',
  waiting: '#d68910',
  compensating: '#5d8fc9',
  compensated: '#7a5cc2',
  cancelled: '#9b9b9b',
};
const PALETTE = ['#2f6fb5', '#2e8540', '#d68910', '#7a5cc2', '#c0392b', '#16a0a0', '#8a6d3b'];

const fillOf = (key: string, i: number) => STATUS_FILL[key] ?? PALETTE[i % PALETTE.length]!;

function label(start: number, unit: RunSeries['unit']): string {
  const iso = new Date(start).toISOString();
  return unit === 'hour' ? `${iso.slice(5, 10)} ${iso.slice(11, 13)}h` : iso.slice(0, 10);
}

/** The chart of `series`; `name` labels it for screen readers and tests. */
export function timeChart(series: RunSeries, name: string): HtmlEscapedString {
  if (series.buckets.length === 0)
    return html`<p class="muted">No runs yet.</p>` as HtmlEscapedString;
  const w = 640;
  const h = 150;
  const left = 36;
  const top = 8;
  const plotW = w - left - 8;
  const max = Math.max(1, ...series.buckets.map((b) => b.total));
  const step = plotW / series.buckets.length;
  const barW = Math.min(40, Math.max(1, step * 0.8));
  const y = (n: number) => top + h - (n / max) * h;
  const ticks = [0, Math.floor((series.buckets.length - 1) / 2), series.buckets.length - 1];
  const legendY = top + h + 34;
  return html`<svg class="timechart" data-testid="${name}" data-unit="${series.unit}" width="${w}" height="${legendY + 14}" viewBox="0 0 ${w} ${legendY + 14}" role="img" aria-label="${name}, per ${series.unit}">
<text x="0" y="${top + 10}" font-size="11">${max}</text><text x="0" y="${top + h}" font-size="11">0</text>
<line x1="${left}" y1="${top + h}" x2="${w - 8}" y2="${top + h}" stroke="#bbb"></line>
${series.buckets.map((b, i) => {
  let acc = 0;
  const x = (left + i * step).toFixed(1);
  return html`<g data-bucket="${b.start}">${series.keys.map((k, ki) => {
    const n = b.counts[k] ?? 0;
    if (n === 0) return '';
    const y1 = y(acc + n);
    const hgt = y(acc) - y1;
    acc += n;
    return html`<rect data-key="${k}" data-count="${n}" x="${x}" y="${y1.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0.5, hgt).toFixed(1)}" fill="${fillOf(k, ki)}"><title>${k}: ${n} at ${label(b.start, series.unit)}</title></rect>`;
  })}</g>`;
})}
${[...new Set(ticks)].map((i) => html`<text x="${(left + i * step).toFixed(1)}" y="${top + h + 14}" font-size="11">${label(series.buckets[i]!.start, series.unit)}</text>`)}
${series.keys.map((k, ki) => html`<g transform="translate(${left + ki * 120},${legendY})"><rect x="0" y="-9" width="10" height="10" fill="${fillOf(k, ki)}"></rect><text x="14" y="0" font-size="11">${k.length > 16 ? `${k.slice(0, 15)}…` : k}</text></g>`)}
</svg>${series.dropped > 0 ? html`<p class="muted">${series.dropped} older runs are outside the chart.</p>` : ''}` as HtmlEscapedString;
}
