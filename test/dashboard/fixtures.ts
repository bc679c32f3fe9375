/**
 * A prepared store for the dashboard tests: a writer runtime (with the workflows' code, claiming
 * runs) on a real SQLite file, and a dashboard over a separate store on the same file (the store
 * alone: no workflow code), as `baton dashboard --store` runs it.
 */
import { createDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { createRuntime, type Runtime, sqliteStore } from '../../src/index.js';
import { loanWorkflow } from '../observe/fixtures/workflows.js';
import { tempDbPath } from '../support/temp-db.js';

export const SECRET = 'test-secret-of-at-least-16-chars';
export const XSS = '<img src=x onerror="window.__xss=1">';

/** What a prepared dashboard test gets. */
export interface Prepared {
  readonly path: string;
  readonly writer: Runtime;
  readonly dashboard: Dashboard;
  readonly wf: ReturnType<typeof loanWorkflow>;
  readonly review: ReturnType<typeof loanWorkflow>;
  readonly completedId: string;
  readonly waitingId: string;
  readonly xssId: string;
  close(): Promise<void>;
}

/** Writes three runs (completed, waiting for review, one with markup in its input). */
export async function prepare(label = 'dashboard'): Promise<Prepared> {
  const { path, remove } = tempDbPath(label);
  const wf = loanWorkflow();
  const review = loanWorkflow({ review: true });
  const writer = createRuntime({ store: sqliteStore(path), workflows: [wf, review], pollMs: 50 });
  await writer.ready();
  const completed = await writer.start(wf, { applicant: 'ann', amount: 1_000, product: 'loan' });
  await completed.result();
  const xss = await writer.start(wf, { applicant: XSS, amount: 2_000, product: 'loan' });
  await xss.result();
  const waiting = await writer.start(review, { applicant: 'bob', amount: 3_000, product: 'card' });
  for await (const e of writer.watch(waiting.id)) if (e.status === 'waiting') break;
  const store = sqliteStore(path);
  const dashboard = createDashboard({ store, secret: SECRET, pollMs: 100 });
  return {
    path,
    writer,
    dashboard,
    wf,
    review,
    completedId: completed.id,
    waitingId: waiting.id,
    xssId: xss.id,
    close: async () => {
      await dashboard.close();
      await writer.close();
      await remove();
    },
  };
}
