/**
 * The runs list: filters as the API (status, workflow, search attributes), keyset pages, counts
 * per status, and a live island that updates statuses and adds new runs as they start.
 */
import { html } from 'hono/html';
import type { RunQuery, RunRecord, Runtime } from '../../index.js';
import { countRuns } from '../api.js';
import { badge, type Html, json, time } from './layout.js';

/** One row (also what the island adds for a run started while the page is open). */
export function runRow(r: RunRecord): Html {
  return html`<tr data-run="${r.runId}">
<td><a href="/runs/${encodeURIComponent(r.runId)}">${r.runId}</a></td>
<td>${r.workflow}@${r.workflowVersion}</td>
<td data-cell="status">${badge(r.status)}</td>
<td data-cell="head">v${r.headVersion}</td>
<td>${time(r.createdAt)}</td>
<td data-cell="updated">${time(r.updatedAt)}</td>
<td>${r.error ? (r.error as { code?: string }).code : ''}</td>
</tr>`;
}

/** The runs page body. */
export async function runsPage(
  rt: Runtime,
  query: RunQuery,
  whereText: string,
  after: string,
): Promise<Html> {
  const [runs, { counts, capped }] = await Promise.all([rt.listRuns(query), countRuns(rt)]);
  const limit = query.limit ?? 50;
  const next = runs.length === limit ? runs.at(-1)?.runId : undefined;
  const keep = new URLSearchParams();
  if (query.status) keep.set('status', query.status);
  if (query.workflow) keep.set('workflow', query.workflow);
  if (whereText) keep.set('where', whereText);
  const nextHref = next
    ? `/runs?${new URLSearchParams([...keep, ['cursor', next]]).toString()}`
    : '';
  const filter = {
    ...(query.workflow ? { workflow: query.workflow } : {}),
    ...(query.where ? { where: query.where } : {}),
    ...(query.status ? { status: query.status } : {}),
  };
  return html`<h1>Runs</h1>
<p class="counts" data-testid="counts">${Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(
      ([s, n]) =>
        html`<a href="/runs?status=${s}">${badge(s)} ${capped.includes(s) ? '≥' : ''}${n}</a> `,
    )}</p>
<form class="filters" method="get" action="/runs">
<label>status <select name="status"><option value="">any</option>${[
    'pending',
    'running',
    'waiting',
    'completed',
    'failed',
    'cancelled',
    'compensating',
    'compensated',
    'compensation_failed',
  ].map(
    (s) => html`<option value="${s}" ${s === query.status ? 'selected' : ''}>${s}</option>`,
  )}</select></label>
<label>workflow <input name="workflow" value="${query.workflow ?? ''}"></label>
<label>where <input name="where" placeholder="applicant=app-1" value="${whereText}"></label>
<button type="submit">Filter</button>
</form>
<table class="runs" data-island="runs-live" data-filter="${json(filter)}" data-first-page="${query.cursor ? 'false' : 'true'}" data-after="${after}">
<thead><tr><th>run</th><th>workflow</th><th>status</th><th>head</th><th>created</th><th>updated</th><th>error</th></tr></thead>
<tbody>${runs.map(runRow)}</tbody>
</table>
<p class="live" data-live-state>live updates: connecting…</p>
${next ? html`<p><a class="next" href="${nextHref}">Next page →</a></p>` : html`<p class="muted">End of list.</p>`}`;
}
