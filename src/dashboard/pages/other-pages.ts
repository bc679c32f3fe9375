/**
 * The waiting inbox, breakers, events (causal tree and dead letters) and the overview.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Runtime, StateStore, TracedEvent, WaitInfo } from '../../index.js';
import { countRuns } from '../api.js';
import { readBreakers } from '../breakers.js';
import { roleHas } from '../privileges.js';
import { runSeries } from '../run-series.js';
import { badge, duration, type Html, type PageContext, pre, time } from './layout.js';
import { signalForm } from './schema-form.js';
import { timeChart } from './time-chart.js';

/**
 * Waiting runs: those waiting for a human or a signal, each with the form of what it waits for,
 * and those only sleeping on a timer, apart, with their due time (nobody needs to act on them).
 */
export async function waitingPage(ctx: PageContext, rt: Runtime): Promise<Html> {
  const waits = await rt.waits();
  const reasonOf = new Map(waits.map((w) => [`${w.runId}\u0000${w.step}`, w]));
  const sleeping = waits.filter((w) => w.reason === 'timer');
  const asleep = new Set(sleeping.map((w) => w.runId));
  const awake = new Set(waits.filter((w) => w.reason !== 'timer').map((w) => w.runId));
  const all = await rt.listRuns({ status: 'waiting', limit: 100 });
  const runs = all.filter((r) => awake.has(r.runId) || !asleep.has(r.runId));
  const shapes = await rt.workflowShapes();
  const operator = roleHas(ctx.role, 'SIGNAL');
  return html`<h1>Waiting</h1>
${runs.length === 0 ? html`<p class="muted" data-testid="inbox-empty">No run is waiting for a person or a signal.</p>` : ''}
${runs.map((r) => {
  const shape = shapes.find((s) => s.name === r.workflow && s.version === r.workflowVersion);
  return html`<article class="waiting" data-run="${r.runId}">
<h2><a href="/runs/${encodeURIComponent(r.runId)}">${r.runId}</a> ${badge(r.status)}</h2>
<p>${r.workflow}@${r.workflowVersion} · waiting since ${time(r.updatedAt)}</p>
${(r.waitingFor ?? '')
  .split(',')
  .filter(Boolean)
  .filter((step) => reasonOf.get(`${r.runId}\u0000${step}`)?.reason !== 'timer')
  .map((step) => {
    const reason = reasonOf.get(`${r.runId}\u0000${step}`)?.reason ?? 'signal';
    const s = shape?.steps.find((x) => x.name === step);
    const id = s?.kind === 'wait' ? s.contract : s?.output;
    const timeout = s?.timeoutMs ? ` · times out after ${duration(s.timeoutMs)}` : '';
    return html`<h3 data-reason="${reason}">${step} <span class="reason">${reason === 'review' ? 'waiting for review' : 'waiting for a signal'}</span> <span class="muted">${id ?? 'no recorded contract'}${timeout}</span></h3>
${signalForm(r.runId, step, (id ? shape?.contracts[id] : null) as Record<string, unknown> | null, operator)}`;
  })}
</article>`;
})}
${timersSection(sleeping)}`;
}

/** Runs sleeping on a durable timer, soonest due first. */
function timersSection(sleeping: readonly WaitInfo[]): Html | string {
  if (sleeping.length === 0) return '';
  return html`<h2>Timers</h2><table class="timers" data-testid="timers"><thead><tr><th>run</th><th>workflow</th><th>step</th><th>since</th><th>due</th></tr></thead>
<tbody>${sleeping.map((w) => html`<tr data-timer="${w.runId}" data-reason="timer"><td><a href="/runs/${encodeURIComponent(w.runId)}">${w.runId}</a></td><td>${w.workflow}</td><td>${w.step}</td><td>${time(w.since)}</td><td data-field="due">${w.dueAt === null ? '' : time(w.dueAt)}</td></tr>`)}</tbody></table>`;
}

/** Every breaker: its state and its transitions over time. */
export async function breakersPage(store: StateStore): Promise<Html> {
  const breakers = await readBreakers(store);
  return html`<h1>Breakers</h1>
${breakers.length === 0 ? html`<p class="muted">No breaker transition recorded.</p>` : ''}
<table class="breakers"><thead><tr><th>breaker</th><th>state</th><th>since</th><th>transitions</th></tr></thead><tbody>
${breakers.map(
  (
    b,
  ) => html`<tr data-breaker="${b.name}"><td>${b.name}</td><td>${badge(b.state)}</td><td>${time(b.since)}</td>
<td><ol class="transitions">${b.transitions.slice(-20).map((t) => html`<li>${time(t.at)} ${t.from} → ${t.to} <span class="muted">${t.reason}</span></li>`)}</ol></td></tr>`,
)}</tbody></table>`;
}

function eventNode(e: TracedEvent): HtmlEscapedString {
  const flags = [e.unconsumed ? 'unconsumed' : '', e.failure ? 'failure' : ''].filter(Boolean);
  return html`<li class="event" data-event="${e.eventId}"><strong>${e.type}</strong> <span class="muted">by ${e.producer} at ${time(e.at)}</span>
${flags.map((f) => html` <span class="flag ${f}">${f}</span>`)}
<ul>${e.deliveries.map(
    (
      d,
    ) => html`<li class="delivery">→ ${d.reactor}: ${badge(d.status)} ${d.attempts} attempt(s)${d.duplicates ? html` <span class="flag duplicate">${d.duplicates} duplicate(s)</span>` : ''}${d.error ? html` <span class="err">${d.error.code}: ${d.error.message}</span>` : ''}
<ul>${d.emitted.map(eventNode)}</ul></li>`,
  )}${e.caused.map(eventNode)}</ul></li>` as HtmlEscapedString;
}

/** A correlation's causal tree, and the dead letters with redeliver. */
export async function eventsPage(
  ctx: PageContext,
  rt: Runtime,
  correlationId: string,
): Promise<Html> {
  const dead = await rt.deadLetters({ limit: 200 });
  const trace = correlationId
    ? await rt.eventTrace(correlationId).catch(() => undefined)
    : undefined;
  const operator = roleHas(ctx.role, 'REPLAY');
  return html`<h1>Events</h1>
<form method="get" action="/events"><label>correlation id <input name="correlation" value="${correlationId}"></label><button type="submit">Show</button></form>
${correlationId && !trace ? html`<p class="err">No events with correlation id ${correlationId}.</p>` : ''}
${trace ? html`<p>${trace.eventCount} events, ${trace.deliveryCount} deliveries · unconsumed ${trace.flags.unconsumed.length} · duplicates ${trace.flags.duplicatesSuppressed} · failures ${trace.flags.failures} · dead ${trace.flags.deadLetters} · pending ${trace.flags.pending}${trace.flags.stalled ? html` <span class="flag stalled" data-testid="stalled" title="pending work and no activity for a minute">stalled</span>` : ''}</p><ul class="tree" data-testid="event-tree">${trace.roots.map(eventNode)}</ul>` : ''}
<h2>Dead letters</h2>
${dead.length === 0 ? html`<p class="muted">None.</p>` : ''}
<table class="dead"><tbody>${dead.map(
    (
      d,
    ) => html`<tr><td><a href="/events?correlation=${encodeURIComponent(d.correlationId)}">${d.correlationId}</a></td><td>${d.consumer}</td><td>${d.attempts}</td><td>${d.error ? `${d.error.code}: ${d.error.message}` : ''}</td>
<td>${operator ? html`<form class="action" data-island="action" data-url="/api/v1/dead-letters/${encodeURIComponent(d.eventId)}/redeliver" data-json="${JSON.stringify({ reactor: d.consumer })}"><button type="submit">Redeliver</button><span data-error class="error"></span></form>` : ''}</td></tr>`,
  )}</tbody></table>`;
}

/** Bars of counts (or of durations, given `format`) as SVG (a picture, not a table). */
function bars(
  rows: readonly [string, number][],
  label: string,
  format: (n: number) => string = String,
): HtmlEscapedString {
  const max = Math.max(1, ...rows.map(([, n]) => n));
  return html`<svg class="bars" width="520" height="${rows.length * 22 + 4}" role="img" aria-label="${label}">${rows.map(
    ([k, n], i) =>
      html`<g transform="translate(0,${i * 22})"><text x="0" y="15">${k}</text><rect class="bar st-${k}" x="170" y="3" width="${((n / max) * 300).toFixed(1)}" height="14"></rect><text x="${175 + (n / max) * 300}" y="15">${format(n)}</text></g>`,
  )}</svg>` as HtmlEscapedString;
}

/** Step latency percentiles per agent, from the journals of the newest runs. */
async function latencies(rt: Runtime): Promise<[string, number, number, number][]> {
  const runs = await rt.listRuns({ limit: 200 });
  const byAgent = new Map<string, number[]>();
  const shapes = await rt.workflowShapes();
  for (const r of runs) {
    const shape = shapes.find((s) => s.name === r.workflow && s.version === r.workflowVersion);
    for (const j of await rt.journal(r.runId)) {
      if (j.type !== 'step.succeeded' || j.durationMs === null || !j.step) continue;
      const agent = shape?.steps.find((s) => s.name === j.step)?.agent ?? j.step;
      const list = byAgent.get(agent) ?? [];
      list.push(j.durationMs);
      byAgent.set(agent, list);
    }
  }
  return [...byAgent].map(([agent, xs]) => {
    xs.sort((x, y) => x - y);
    const q = (p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;
    return [agent, xs.length, q(0.5), q(0.99)];
  });
}

/** The overview: runs per status and workflow, latency per agent, breakers, waiting reviews. */
export async function overviewPage(rt: Runtime, store: StateStore): Promise<Html> {
  const [{ counts, capped }, shapes, breakers, lat, recent] = await Promise.all([
    countRuns(rt),
    rt.workflowShapes(),
    readBreakers(store),
    latencies(rt),
    rt.listRuns({ limit: 1000 }),
  ]);
  const byStatus = runSeries(recent, (r) => r.status);
  const byWorkflow = runSeries(recent, (r) => r.workflow);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const failed = (counts.failed ?? 0) + (counts.compensation_failed ?? 0);
  const compensated = counts.compensated ?? 0;
  const open = breakers.filter((b) => b.state !== 'closed');
  return html`<h1>Overview</h1>
<div class="tiles">
<a class="tile" href="/runs"><b data-testid="total">${total}${capped.length ? '+' : ''}</b> runs</a>
<a class="tile" href="/waiting"><b data-testid="waiting-count">${counts.waiting ?? 0}</b> waiting for review</a>
<a class="tile" href="/breakers"><b data-testid="open-breakers">${open.length}</b> breakers not closed${open.length ? html` <span class="muted">${open.map((b) => b.name).join(', ')}</span>` : ''}</a>
<span class="tile"><b>${total ? ((failed / total) * 100).toFixed(1) : '0.0'}%</b> failed · <b>${total ? ((compensated / total) * 100).toFixed(1) : '0.0'}%</b> compensated</span>
</div>
<h2>Runs per status</h2>${bars(
    Object.entries(counts).filter(([, n]) => n > 0),
    'runs per status',
  )}
<h2>Runs per status over time <span class="muted">(newest 1,000, per ${byStatus.unit})</span></h2>${timeChart(byStatus, 'runs-per-status')}
<h2>Runs per workflow over time <span class="muted">(newest 1,000, per ${byWorkflow.unit})</span></h2>${timeChart(byWorkflow, 'runs-per-workflow')}
<h2>Step latency per agent <span class="muted">(newest 200 runs)</span></h2>
${bars(
  lat.flatMap(([a, n, p50, p99]): [string, number][] => [
    [`${a} p50`, p50],
    [`${a} p99 (${n} steps)`, p99],
  ]),
  'step latency per agent, p50 and p99',
  duration,
)}
<h2>Workflows</h2><ul>${shapes.map((s) => html`<li>${s.name}@${s.version}: ${s.order.join(' → ')}</li>`)}</ul>
${shapes.length === 0 ? pre('no workflow shape recorded') : ''}`;
}
