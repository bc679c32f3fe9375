/**
 * The JSON API under `/api/v1`: one table of routes, each with its role, its Zod schemas and its
 * handler. The same table validates requests and generates the OpenAPI document (openapi.ts).
 */
import type { z } from 'zod';
import {
  InvalidArgumentError,
  type Privilege,
  RUN_STATUSES,
  type RunQuery,
  type RunStatus,
  type Runtime,
  type StateStore,
} from '../index.js';
import * as S from './api-schemas.js';
import { readBreakers } from './breakers.js';
import { piiView, shapePii, unmaskEdited } from './pii.js';
import { runLinks } from './run-links.js';
import { stepViews } from './run-view.js';

/** What every handler may use. */
export interface ApiDeps {
  readonly rt: Runtime;
  readonly store: StateStore;
}

/** A validated request. */
export interface ApiInput {
  readonly params: Record<string, unknown>;
  readonly query: Record<string, unknown>;
  readonly body: unknown;
  /** Whether the caller sees personal data in clear (its role holds READ_PII). */
  readonly readsPii: boolean;
}

/** One route of the API. */
export interface ApiRoute {
  readonly method: 'get' | 'post';
  /** OpenAPI style: `/runs/{runId}`. */
  readonly path: string;
  readonly summary: string;
  /** The governance privilege the caller's role must hold (privileges.ts). */
  readonly privilege: Privilege;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly response: z.ZodType;
  readonly handle: (deps: ApiDeps, input: ApiInput) => Promise<unknown>;
}

/** Most spans a trace answer carries (the rest are counted, not sent). */
export const TRACE_CAP = 2_000;
/** Counts per status are exact up to this many runs, then shown as "at least". */
export const COUNT_CAP = 10_000;

/** `key=value` words (one or many) as search attributes. */
export function whereOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const words = Array.isArray(value) ? (value as string[]) : [value as string];
  const out: Record<string, string> = {};
  for (const w of words) {
    const eq = w.indexOf('=');
    out[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return out;
}

/** A runs-list query from validated query parameters. */
export function runQueryOf(q: z.infer<typeof S.RunsQuery>): RunQuery {
  const where = whereOf(q.where);
  return {
    ...(q.status ? { status: q.status as RunStatus } : {}),
    ...(q.workflow ? { workflow: q.workflow } : {}),
    ...(where ? { where } : {}),
    ...(q.createdAfter !== undefined ? { createdAfter: q.createdAfter } : {}),
    ...(q.createdBefore !== undefined ? { createdBefore: q.createdBefore } : {}),
    ...(q.cursor ? { cursor: q.cursor } : {}),
    limit: q.limit,
  };
}

/** Counts of runs per status, exact up to COUNT_CAP. */
export async function countRuns(
  rt: Runtime,
  base: RunQuery = {},
): Promise<{ counts: Record<string, number>; capped: string[] }> {
  const counts: Record<string, number> = {};
  const capped: string[] = [];
  await Promise.all(
    RUN_STATUSES.map(async (status) => {
      const n = (await rt.listRuns({ ...base, status, limit: COUNT_CAP + 1 })).length;
      counts[status] = Math.min(n, COUNT_CAP);
      if (n > COUNT_CAP) capped.push(status);
    }),
  );
  return { counts, capped };
}

const p = (input: ApiInput, key: string): string => String(input.params[key]);

/** A fork input edited by a caller who saw it masked, with the masked PII put back. */
async function restoreMasked(
  rt: Runtime,
  runId: string,
  fromVersion: number,
  edited: unknown,
): Promise<unknown> {
  const run = await rt.getRun(runId);
  const shapes = await rt.workflowShapes(run.workflow);
  const paths = shapePii(shapes.find((s) => s.version === run.workflowVersion)).get('input');
  if (!paths || fromVersion > run.headVersion) return edited;
  const original = (await rt.state(runId, fromVersion)).data.input;
  return unmaskEdited(edited, original, paths);
}

/** Every route of the API. */
export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/runs',
    summary: 'Runs, newest first, filtered, one keyset page at a time',
    privilege: 'READ',
    query: S.RunsQuery,
    response: S.RunsPage,
    handle: async ({ rt }, input) => {
      const q = runQueryOf(input.query as z.infer<typeof S.RunsQuery>);
      const listed = await rt.listRuns(q);
      const runs = await Promise.all(
        listed.map(async (r) =>
          r.output === null ? r : (await piiView(rt, r, input.readsPii)).scrub(r),
        ),
      );
      return { runs, nextCursor: runs.length === q.limit ? (runs.at(-1)?.runId ?? null) : null };
    },
  },
  {
    method: 'get',
    path: '/runs/counts',
    summary: 'How many runs are in each status (exact up to 10,000 each)',
    privilege: 'READ',
    response: S.Counts,
    handle: async ({ rt }) => countRuns(rt),
  },
  {
    method: 'get',
    path: '/runs/{runId}',
    summary: 'A run with its search attributes, declared shape and steps',
    privilege: 'READ',
    params: S.RunId,
    response: S.RunDetail,
    handle: async ({ rt }, input) => {
      const run = await rt.getRun(p(input, 'runId'));
      const [attributes, shapes, journal, pii, links] = await Promise.all([
        rt.searchAttributes(run.runId),
        rt.workflowShapes(run.workflow),
        rt.journal(run.runId),
        piiView(rt, run, input.readsPii),
        runLinks(rt, run.runId),
      ]);
      const shape = shapes.find((s) => s.version === run.workflowVersion) ?? null;
      const steps = stepViews(shape ?? undefined, journal);
      // Search attributes come from the input, so they may hold a PII value too.
      return { ...pii.scrub({ run, attributes, shape, steps }), ...links };
    },
  },
  {
    method: 'get',
    path: '/runs/{runId}/versions',
    summary: 'Every version of a run (metadata, no state)',
    privilege: 'READ',
    params: S.RunId,
    response: S.Versions,
    handle: async ({ rt }, input) => {
      const history = await rt.history(p(input, 'runId'));
      return { versions: history.map(({ data: _data, ...meta }) => meta) };
    },
  },
  {
    method: 'get',
    path: '/runs/{runId}/versions/{version}',
    summary: 'The state of a run at one version',
    privilege: 'READ',
    params: S.RunVersion,
    response: S.Snapshot,
    handle: async ({ rt }, input) => {
      const runId = p(input, 'runId');
      const pii = await piiView(rt, await rt.getRun(runId), input.readsPii);
      const snapshot = await rt.state(runId, Number(input.params.version));
      return { ...snapshot, data: pii.state(snapshot.data) };
    },
  },
  {
    method: 'get',
    path: '/runs/{runId}/diff',
    summary: 'Path-level differences between two versions of a run',
    privilege: 'READ',
    params: S.RunId,
    query: S.DiffQuery,
    response: S.Diff,
    handle: async ({ rt }, input) => {
      const runId = p(input, 'runId');
      const pii = await piiView(rt, await rt.getRun(runId), input.readsPii);
      const d = await rt.diff(runId, Number(input.query.a), Number(input.query.b));
      return { ...d, changes: pii.changes(d.changes) };
    },
  },
  {
    method: 'get',
    path: '/runs/{runId}/verify',
    summary: 'Checks the run’s hash chain',
    privilege: 'READ',
    params: S.RunId,
    response: S.Verify,
    handle: async ({ rt }, input) => rt.verify(p(input, 'runId')),
  },
  {
    method: 'get',
    path: '/runs/{runId}/journal',
    summary: 'The run’s journal, in commit order',
    privilege: 'READ',
    params: S.RunId,
    response: S.Journal,
    handle: async ({ rt }, input) => {
      const runId = p(input, 'runId');
      const pii = await piiView(rt, await rt.getRun(runId), input.readsPii);
      return { entries: pii.scrub(await rt.journal(runId)) };
    },
  },
  {
    method: 'get',
    path: '/runs/{runId}/trace',
    summary: 'The run’s spans, depth-first (at most 2,000; `truncated` says when there are more)',
    privilege: 'READ',
    params: S.RunId,
    response: S.Trace,
    handle: async ({ rt }, input) => {
      const runId = p(input, 'runId');
      const pii = await piiView(rt, await rt.getRun(runId), input.readsPii);
      const spans = await rt.trace(runId);
      return {
        spans: pii.scrub(spans.slice(0, TRACE_CAP)),
        total: spans.length,
        truncated: spans.length > TRACE_CAP,
      };
    },
  },
  {
    method: 'get',
    path: '/waits',
    summary:
      'What waiting runs wait for: a timer (with its due time), a signal or a review; soonest due first',
    privilege: 'READ',
    query: S.WaitsQuery,
    response: S.Waits,
    handle: async ({ rt }, input) => {
      const q = input.query as z.infer<typeof S.WaitsQuery>;
      return { waits: await rt.waits(q.reason ? { reason: q.reason } : {}) };
    },
  },
  {
    method: 'get',
    path: '/workflows',
    summary: 'Workflow shapes recorded in the store',
    privilege: 'READ',
    response: S.Workflows,
    handle: async ({ rt }) => ({ workflows: await rt.workflowShapes() }),
  },
  {
    method: 'get',
    path: '/breakers',
    summary: 'Every breaker’s latest state and its recorded transitions',
    privilege: 'READ',
    response: S.Breakers,
    handle: async ({ store }) => ({ breakers: await readBreakers(store) }),
  },
  {
    method: 'get',
    path: '/events/{correlationId}',
    summary: 'The causal tree of one flow of events, with its flags',
    privilege: 'READ',
    params: S.Correlation,
    response: S.EventTree,
    handle: async ({ rt }, input) => rt.eventTrace(p(input, 'correlationId')),
  },
  {
    method: 'get',
    path: '/dead-letters',
    summary: 'Deliveries that exhausted their attempts',
    privilege: 'READ',
    response: S.DeadLetters,
    handle: async ({ rt }) => ({ deadLetters: await rt.deadLetters({ limit: 500 }) }),
  },
  {
    method: 'post',
    path: '/runs/{runId}/signal',
    summary:
      'Delivers a signal to a waiting run (the payload is checked against the wait’s contract)',
    privilege: 'SIGNAL',
    params: S.RunId,
    body: S.SignalBody,
    response: S.Ok,
    handle: async ({ rt }, input) => {
      const body = input.body as z.infer<typeof S.SignalBody>;
      await rt.signal(p(input, 'runId'), body.name, body.payload);
      return { ok: true };
    },
  },
  {
    method: 'post',
    path: '/runs/{runId}/cancel',
    summary: 'Cancels a run that has not ended',
    privilege: 'CANCEL',
    params: S.RunId,
    response: S.Ok,
    handle: async ({ rt }, input) => {
      await rt.cancel(p(input, 'runId'));
      return { ok: true };
    },
  },
  {
    method: 'post',
    path: '/runs/{runId}/replay',
    summary:
      'Forks a new run from a version, optionally with an edited input checked against the input contract (needs the workflow’s code in this runtime)',
    privilege: 'REPLAY',
    params: S.RunId,
    body: S.ReplayBody,
    response: S.Ok,
    handle: async ({ rt }, input) => {
      const body = input.body as z.infer<typeof S.ReplayBody>;
      const runId = p(input, 'runId');
      const edited =
        body.input === undefined || input.readsPii
          ? body.input
          : await restoreMasked(rt, runId, body.fromVersion, body.input);
      const run = await rt.replay(runId, {
        fromVersion: body.fromVersion,
        ...(edited !== undefined ? { input: edited } : {}),
      });
      return { ok: true, runId: run.id };
    },
  },
  {
    method: 'post',
    path: '/dead-letters/{eventId}/redeliver',
    summary: 'Redelivers a dead-lettered event (to one reactor, or all)',
    privilege: 'REPLAY',
    params: S.EventId,
    body: S.RedeliverBody,
    response: S.Ok,
    handle: async ({ rt }, input) => {
      const body = input.body as z.infer<typeof S.RedeliverBody>;
      const result = await rt.redeliver(p(input, 'eventId'), body.reactor);
      return { ok: true, result };
    },
  },
];

/** Throws when `value` is not one of the run statuses (used by pages reading query strings). */
export function checkStatus(value: string | undefined): RunStatus | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(RUN_STATUSES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`status must be one of ${RUN_STATUSES.join(', ')}`, 'status');
  return value as RunStatus;
}
