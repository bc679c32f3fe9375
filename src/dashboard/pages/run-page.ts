/**
 * One run: the declared graph with live step status, the steps, the version timeline with a
 * diff of any two versions and the hash-chain check, the trace waterfall, the journal, and the
 * actions the role allows (signal, cancel, replay).
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import {
  type RunEndCheck,
  type Runtime,
  type StateDiff,
  TRACE_NAMES,
  type TraceSpan,
} from '../../index.js';
import { piiView } from '../pii.js';
import { roleHas } from '../privileges.js';
import { type RunLinks, runLinks } from '../run-links.js';
import { stepViews } from '../run-view.js';
import { dagSvg } from './dag.js';
import { badge, duration, type Html, json, type PageContext, pre, time } from './layout.js';
import { signalForm } from './schema-form.js';

/** Most spans drawn; the rest are counted ("showing N of M"). */
const WATERFALL_CAP = 500;

/** What the run's end seal check says, beside the chain's verdict. */
const END_CHECK: Readonly<Record<RunEndCheck, string>> = {
  sealed: 'end sealed: status, output and head match the seal',
  unsealed: 'ended before end seals (status checked against the journal only)',
  open: 'not ended yet',
};

/**
 * A span's model usage: an attempt's tokens (GenAI attributes) and cost, or a step's or run's
 * totals; the cost only where a price was recorded (no price is not "$0").
 */
function usageText(a: TraceSpan['attributes']): string {
  const own = a[TRACE_NAMES.inputTokens] !== undefined;
  const input = own ? a[TRACE_NAMES.inputTokens] : a[TRACE_NAMES.totalInputTokens];
  if (input === undefined) return '';
  const output = a[own ? TRACE_NAMES.outputTokens : TRACE_NAMES.totalOutputTokens] ?? 0;
  const cost = a[own ? TRACE_NAMES.costUsd : TRACE_NAMES.totalCostUsd];
  const usd = typeof cost === 'number' ? ` · $${cost.toFixed(4)}` : '';
  return `${String(input)} in / ${String(output)} out${usd}`;
}

function waterfall(spans: readonly TraceSpan[]): Html {
  if (spans.length === 0)
    return html`<p class="muted">No spans stored for this run (tracing to the store is off).</p>`;
  const shown = spans.slice(0, WATERFALL_CAP);
  const t0 = Math.min(...shown.map((s) => s.start));
  const t1 = Math.max(...shown.map((s) => s.end));
  const span = Math.max(1, t1 - t0);
  const width = 600;
  return html`${spans.length > WATERFALL_CAP ? html`<p class="muted">Showing ${WATERFALL_CAP} of ${spans.length} spans.</p>` : ''}
<table class="waterfall" data-testid="waterfall"><tbody>${shown.map((s) => {
    const x = ((s.start - t0) / span) * width;
    const w = Math.max(2, ((s.end - s.start) / span) * width);
    return html`<tr data-depth="${s.depth}" data-kind="${s.kind}"><td class="indent-${Math.min(s.depth, 4)}">${s.name}</td>
<td><svg width="${width}" height="12"><rect class="bar ${s.status}" x="${x.toFixed(1)}" y="1" width="${w.toFixed(1)}" height="10"></rect></svg></td>
<td>${duration(s.end - s.start)}</td><td>${usageText(s.attributes)}</td></tr>`;
  })}</tbody></table>`;
}

function diffTable(d: StateDiff): Html {
  if (d.changes.length === 0)
    return html`<p class="muted">v${d.from} and v${d.to} hold the same state.</p>`;
  return html`<table class="diff" data-testid="diff"><thead><tr><th>path</th><th>change</th><th>v${d.from}</th><th>v${d.to}</th></tr></thead>
<tbody>${d.changes.map(
    (c) =>
      html`<tr class="${c.kind}"><td><code>${c.path}</code></td><td>${c.kind}</td><td>${c.before === undefined ? '' : pre(c.before)}</td><td>${c.after === undefined ? '' : pre(c.after)}</td></tr>`,
  )}</tbody></table>`;
}

/** The run page body. */
export async function runPage(
  ctx: PageContext,
  rt: Runtime,
  runId: string,
  pick: { a?: number; b?: number },
  after: string,
): Promise<Html> {
  // Personal data is masked for a role without READ_PII (pii.ts), in everything drawn below.
  const stored = await rt.getRun(runId);
  const pii = await piiView(rt, stored, roleHas(ctx.role, 'READ_PII'));
  const run = pii.scrub(stored);
  const [attributes, shapes, journal, history, verify, trace, links] = await Promise.all([
    rt.searchAttributes(runId).then(pii.scrub),
    rt.workflowShapes(run.workflow),
    rt.journal(runId).then(pii.scrub),
    rt.history(runId).then((h) => h.map((v) => ({ ...v, data: pii.state(v.data) }))),
    rt.verify(runId),
    rt.trace(runId).then(pii.scrub),
    runLinks(rt, runId),
  ]);
  const shape = shapes.find((s) => s.version === run.workflowVersion);
  const steps = stepViews(shape, journal);
  const head = run.headVersion;
  const a = Math.min(Math.max(1, pick.a ?? Math.max(1, head - 1)), head);
  const b = Math.min(Math.max(1, pick.b ?? head), head);
  const rawDiff = await rt.diff(runId, a, b);
  const diff = { ...rawDiff, changes: pii.changes(rawDiff.changes) };
  const parked = run.status === 'waiting' && run.waitingFor ? run.waitingFor.split(',') : [];
  const operator = roleHas(ctx.role, 'SIGNAL');
  const contractOf = (step: string) => {
    const s = shape?.steps.find((x) => x.name === step);
    const id = s?.kind === 'wait' ? s.contract : s?.output;
    return id ? shape?.contracts[id] : undefined;
  };
  return html`<h1>Run <code data-testid="run-id">${run.runId}</code> <span data-island="run-status" data-run="${run.runId}">${badge(run.status)}</span></h1>
<dl class="facts">
<dt>workflow</dt><dd>${run.workflow}@${run.workflowVersion}</dd>
<dt>created</dt><dd>${time(run.createdAt)}</dd>
<dt>updated</dt><dd data-field="updated">${time(run.updatedAt)}</dd>
<dt>head</dt><dd data-field="head">v${head}</dd>
${run.parentRunId ? html`<dt>forked from</dt><dd><a href="/runs/${encodeURIComponent(run.parentRunId)}">${run.parentRunId}</a>@v${run.parentVersion}</dd>` : ''}
${links.parent ? html`<dt>child of</dt><dd data-testid="parent"><a href="/runs/${encodeURIComponent(links.parent.runId)}">${links.parent.runId}</a> · step ${links.parent.step}</dd>` : ''}
${Object.entries(attributes).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}
${run.error ? html`<dt>error</dt><dd class="err">${(run.error as { code?: string }).code}: ${(run.error as { message?: string }).message}</dd>` : ''}
</dl>
<section><h2>Graph</h2>
<div class="dag-wrap" data-island="run-live" data-run="${run.runId}" data-after="${after}" data-steps="${json(steps.map((s) => s.name))}">${dagSvg(steps)}</div>
<p class="live" data-live-state>live updates: connecting…</p>
<div class="tokens" data-tokens hidden></div>
</section>
${childrenSection(links.children)}
${parked.length > 0 ? html`<section><h2>Waiting for</h2>${parked.map((p) => html`<h3>${p}</h3>${signalForm(run.runId, p, contractOf(p) as Record<string, unknown> | null, operator)}`)}</section>` : ''}
<section><h2>Steps</h2><table class="steps"><thead><tr><th>step</th><th>agent</th><th>status</th><th>attempts</th><th>started</th><th>took</th><th>read</th><th>wrote</th><th>error</th></tr></thead>
<tbody>${steps.map((s) => html`<tr data-step-row="${s.name}"><td>${s.name}</td><td>${s.agent ?? s.kind}</td><td data-cell="status">${badge(s.status)}</td><td>${s.attempts}</td><td>${time(s.startedAt)}</td><td>${duration(s.durationMs)}</td><td>${s.inputVersion ? `v${s.inputVersion}` : ''}</td><td>${s.version ? `v${s.version}` : ''}</td><td>${s.error ?? ''}</td></tr>`)}</tbody></table></section>
<section><h2>Versions</h2>
<p data-testid="verify">${verify.ok ? html`<span class="badge st-completed">hash chain verified (${verify.versions} versions)</span> <span class="muted" data-testid="seal">${END_CHECK[verify.end]}</span>` : html`<span class="badge st-failed">broken at v${verify.brokenAt}: ${verify.reason}</span>`}</p>
<table class="versions"><thead><tr><th>v</th><th>step</th><th>by</th><th>read</th><th>tag</th><th>at</th><th>hash</th></tr></thead>
<tbody>${history.map((v) => html`<tr><td>v${v.version}</td><td>${v.step}</td><td>${v.createdBy}</td><td>${v.inputVersion ? `v${v.inputVersion}` : ''}</td><td>${v.tag ?? ''}</td><td>${time(v.createdAt)}</td><td><code>${v.hash.slice(0, 12)}</code></td></tr>`)}</tbody></table>
<form class="diff-pick" method="get" action="/runs/${encodeURIComponent(run.runId)}">
<label>from <select name="a">${history.map((v) => html`<option value="${v.version}" ${v.version === a ? 'selected' : ''}>v${v.version}</option>`)}</select></label>
<label>to <select name="b">${history.map((v) => html`<option value="${v.version}" ${v.version === b ? 'selected' : ''}>v${v.version}</option>`)}</select></label>
<button type="submit">Diff</button></form>
${diffTable(diff)}
<h3>State at v${b}</h3>${pre(history[b - 1]?.data ?? null)}
</section>
<section><h2>Trace</h2>${waterfall(trace)}</section>
<section><h2>Journal</h2><table class="journal"><tbody>${journal.map((j) => html`<tr><td>${j.seq}</td><td>${time(j.at)}</td><td>${j.type}</td><td>${j.step ?? ''}</td><td>${j.attempt ?? ''}</td><td>${j.version ? `v${j.version}` : ''}</td><td>${j.runStatus ? badge(j.runStatus) : ''}</td><td>${j.error ? `${j.error.code}: ${j.error.message}` : ''}</td></tr>`)}</tbody></table></section>
${operator ? actions(run.runId, head, history) : ''}`;
}

function childrenSection(children: RunLinks['children']): Html | string {
  if (children.length === 0) return '';
  return html`<section><h2>Child runs</h2><table class="children" data-testid="children"><thead><tr><th>run</th><th>step</th><th>workflow</th><th>status</th></tr></thead>
<tbody>${children.map((c) => html`<tr data-child="${c.runId}"><td><a href="/runs/${encodeURIComponent(c.runId)}">${c.runId}</a></td><td>${c.step}</td><td>${c.workflow}</td><td>${badge(c.status)}</td></tr>`)}</tbody></table></section>`;
}

function actions(
  runId: string,
  head: number,
  history: readonly { version: number; data: Readonly<Record<string, unknown>> }[],
): HtmlEscapedString {
  // Each version's input, for the fork control's prefill (already masked for this role).
  const inputs = Object.fromEntries(history.map((v) => [v.version, v.data.input ?? null]));
  return html`<section><h2>Actions</h2>
<form class="action" data-island="action" data-url="/api/v1/runs/${encodeURIComponent(runId)}/cancel"><button type="submit">Cancel run</button><span data-error class="error"></span></form>
<form class="fork" data-island="fork" data-testid="fork" data-url="/api/v1/runs/${encodeURIComponent(runId)}/replay" data-inputs="${JSON.stringify(inputs)}">
<label>fork from <select name="fromVersion">${history.map((v) => html`<option value="${v.version}" ${v.version === 1 ? 'selected' : ''}>v${v.version}</option>`)}</select></label>
<label>input (JSON, edit to fork with another input)<textarea name="input" rows="6" spellcheck="false"></textarea></label>
<div data-fork-diff data-testid="fork-diff"></div>
<button type="submit">Fork</button><span data-error class="error"></span></form>
<p class="muted">Steps already in the chosen version are kept; the rest run on the input above. Latest version: v${head}.</p>
</section>` as HtmlEscapedString;
}
