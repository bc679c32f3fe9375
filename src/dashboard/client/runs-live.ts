/**
 * The runs list, live: status cells change as runs move, and a run started while the page is
 * open appears at the top of the first page. Rows are built with DOM text nodes (inert).
 *
 * A new row is fetched from the API; events of that run that arrive while the fetch is in flight
 * are held and applied once the row exists, and a terminal status is never replaced by an older,
 * non-terminal one (the fetch may return a state newer than some held events).
 */
import { showLiveState } from './live-state.js';
import { follow, type RunEvent, setBadge } from './stream.js';

interface Filter {
  readonly workflow?: string;
  readonly where?: Record<string, string>;
  readonly status?: string;
}

function cell(text: string, key?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (key) td.dataset.cell = key;
  return td;
}

/** Statuses a run never leaves (the ledger's TERMINAL_STATUSES). */
const TERMINAL = new Set([
  'completed',
  'failed',
  'cancelled',
  'compensated',
  'compensation_failed',
]);

function applyEvent(row: Element, e: RunEvent): void {
  const badge = row.querySelector('[data-cell="status"] .badge');
  const current = badge?.getAttribute('data-status') ?? '';
  if (e.status && !(TERMINAL.has(current) && !TERMINAL.has(e.status))) setBadge(badge, e.status);
  if (e.version !== null && e.type === 'step.succeeded') {
    const head = row.querySelector('[data-cell="head"]');
    const shown = Number(head?.textContent?.slice(1) ?? '0');
    if (head && e.version > shown) head.textContent = `v${e.version}`;
  }
}

async function addRow(tbody: HTMLElement, runId: string): Promise<boolean> {
  const res = await fetch(`/api/v1/runs/${encodeURIComponent(runId)}`, {
    credentials: 'same-origin',
  });
  if (!res.ok || tbody.querySelector(`tr[data-run="${CSS.escape(runId)}"]`)) return false;
  const { run } = (await res.json()) as {
    run: {
      runId: string;
      workflow: string;
      workflowVersion: number;
      status: string;
      headVersion: number;
      createdAt: number;
      updatedAt: number;
    };
  };
  const tr = document.createElement('tr');
  tr.dataset.run = run.runId;
  const link = document.createElement('a');
  link.href = `/runs/${encodeURIComponent(run.runId)}`;
  link.textContent = run.runId;
  const first = document.createElement('td');
  first.append(link);
  const status = cell('', 'status');
  const badge = document.createElement('span');
  status.append(badge);
  setBadge(badge, run.status);
  const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  tr.append(
    first,
    cell(`${run.workflow}@${run.workflowVersion}`),
    status,
    cell(`v${run.headVersion}`, 'head'),
    cell(iso(run.createdAt)),
    cell(iso(run.updatedAt), 'updated'),
    cell(''),
  );
  tbody.prepend(tr);
  return true;
}

/** Mounts the island on the runs table. */
export function mountRunsLive(table: HTMLElement): void {
  const filter = JSON.parse(table.dataset.filter ?? '{}') as Filter;
  const tbody = table.querySelector('tbody')!;
  const params = new URLSearchParams();
  if (filter.workflow) params.set('workflow', filter.workflow);
  for (const [k, v] of Object.entries(filter.where ?? {})) params.append('where', `${k}=${v}`);
  if (table.dataset.after) params.set('after', table.dataset.after);
  const liveState = document.querySelector('[data-live-state]');
  const row = (runId: string) => tbody.querySelector(`tr[data-run="${CSS.escape(runId)}"]`);
  // Events of runs whose row is being fetched, applied in order once it is in the table.
  const held = new Map<string, RunEvent[]>();
  follow(
    table,
    params,
    (e: RunEvent) => {
      const pending = held.get(e.runId);
      const existing = row(e.runId);
      if (pending) pending.push(e);
      else if (existing) applyEvent(existing, e);
      else if (
        e.type === 'run.started' &&
        table.dataset.firstPage === 'true' &&
        (!filter.status || filter.status === e.status)
      ) {
        held.set(e.runId, []);
        void addRow(tbody, e.runId)
          .then((added) => {
            const fresh = added ? row(e.runId) : null;
            if (fresh) for (const later of held.get(e.runId) ?? []) applyEvent(fresh, later);
          })
          .finally(() => held.delete(e.runId));
      }
    },
    (s) => showLiveState(liveState, s),
  );
}
