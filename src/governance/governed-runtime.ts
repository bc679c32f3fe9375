/**
 * `rt.as(principal)`: a view of a runtime that checks the principal's privileges before every
 * call (RUNTIME_PRIVILEGES), audits every change and every denial, filters runs the principal
 * may not read, and masks personal data for a principal without READ_PII.
 *
 * Invariants:
 * - The view is generated from the privilege table: no runtime method is reachable through it
 *   without the table's check.
 * - A denied call changes nothing but the audit chain.
 * - Audit parameters carry no personal data: fields tagged PII are masked in them.
 */

import type { EventType } from '../choreography/event-type.js';
import type { Contract } from '../contracts/contract.js';
import type { GrantRecord } from '../ledger/governance-store.js';
import { canonicalJson, type Json } from '../ledger/json.js';
import type { StateStore } from '../ledger/store.js';
import type { RunRecord, StateSnapshot } from '../ledger/types.js';
import type { Workflow } from '../orchestrator/workflow.js';
import type { GovernedRuntime, Runtime } from '../runtime/runtime-types.js';
import type { StateDiff } from '../time-travel/diff.js';
import { holds, storeGovernance } from './access.js';
import { governanceOf } from './catalog.js';
import {
  contractPii,
  maskChanges,
  maskPaths,
  maskSnapshot,
  PII_MASK,
  slotPii,
} from './pii-mask.js';
import { checkPrincipal, workflowSecurable } from './privileges.js';
import { type MethodRule, RUNTIME_PRIVILEGES, type RuleTarget } from './runtime-privileges.js';

/** What the view needs from the runtime that made it. */
export interface GovernedRuntimeInternals {
  readonly store: StateStore;
  /** A registered workflow version, if this runtime knows it. */
  workflow(name: string, version: number): Workflow | undefined;
  /** Names of the workflows this runtime registered (a grant on one is on something real). */
  workflowNames(): readonly string[];
  now(): number;
}

type Method = keyof Runtime;
type AnyFn = (...args: unknown[]) => unknown;

interface Target {
  readonly securable: string;
  readonly run?: RunRecord;
  readonly workflow?: Workflow;
}

const COLLECTIVE: Partial<Record<RuleTarget, string>> = {
  'all-events': 'event:*',
  'all-workflows': 'workflow:*',
  'all-agents': 'agent:*',
  catalog: 'catalog:*',
  none: 'workflow:*',
};

/** A listing (no single securable) needs the privilege on something; rows are filtered after. */
const anyOf = (on: RuleTarget, t: Target): string | undefined =>
  on === 'none' ? undefined : t.securable;

/**
 * Creates the view of `rt` acting as `principal`.
 * @throws InvalidArgumentError for a malformed principal or a store without governance tables.
 */
export function createGovernedRuntime(
  rt: Runtime,
  principal: string,
  internals: GovernedRuntimeInternals,
): GovernedRuntime {
  checkPrincipal(principal);
  const g = governanceOf(internals.store);
  const gov = storeGovernance(internals.store, {
    principal,
    now: internals.now,
    exists: async (kind, name) =>
      kind === 'workflow' && internals.workflowNames().includes(name.replace(/@.*$/, '')),
  });
  const access = gov.access;

  const target = async (on: RuleTarget, args: readonly unknown[]): Promise<Target> => {
    if (on === 'workflow-arg') {
      const wf = args[0] as Workflow;
      return { securable: workflowSecurable(String(wf?.name), Number(wf?.version)), workflow: wf };
    }
    if (on === 'event-arg') return { securable: `event:${String((args[0] as EventType)?.id)}` };
    if (on === 'run-arg') {
      const run = await rt.getRun(args[0] as string);
      const workflow = internals.workflow(run.workflow, run.workflowVersion);
      return {
        securable: workflowSecurable(run.workflow, run.workflowVersion),
        run,
        ...(workflow ? { workflow } : {}),
      };
    }
    return { securable: COLLECTIVE[on] ?? 'catalog:*' };
  };

  /** PII paths per slot of a run: from its workflow, else from the catalog by each slot's contract. */
  const piiOf = async (t: Target): Promise<Map<string, string[]>> => {
    if (t.workflow) return slotPii(t.workflow);
    if (!t.run) return new Map();
    const versions = await internals.store.readVersions(t.run.runId);
    const byContract = new Map((await g.listCatalog()).map((v) => [v.contractId, v.piiPaths]));
    const out = new Map<string, string[]>();
    for (const v of versions) {
      const paths = v.contract ? byContract.get(v.contract) : undefined;
      if (paths && paths.length > 0) out.set(v.step, [...paths]);
    }
    return out;
  };

  const audit = (
    method: string,
    securable: string,
    params: Json,
    result: 'ok' | 'error',
    detail: Json,
  ) =>
    g.appendAudit([
      { at: internals.now(), principal, action: method, securable, params, result, detail },
    ]);

  const call = async (method: Method, args: unknown[]): Promise<unknown> => {
    const rule: MethodRule = RUNTIME_PRIVILEGES[method];
    // Grants live in the store: it must be migrated before the first check.
    await rt.ready();
    const t = await target(rule.on, args);
    const params = paramsOf(method, args, t);
    const grants = await access.grants();
    if (rule.privilege && !holds(grants, principal, rule.privilege, anyOf(rule.on, t))) {
      await access.require(principal, rule.privilege, t.securable, method, params, grants);
    }
    const seesPii = holds(grants, principal, 'READ_PII', t.securable);
    const pii = seesPii || !rule.output ? new Map<string, string[]>() : await piiOf(t);
    const callArgs =
      method === 'bisect' && pii.size > 0
        ? [args[0], (s: StateSnapshot) => (args[1] as AnyFn)(maskSnapshot(s, pii))]
        : args;
    let result: unknown;
    try {
      result = await (rt[method] as AnyFn).apply(rt, callArgs);
    } catch (e) {
      if (rule.audit) {
        const err = e as { code?: unknown; message?: unknown };
        await audit(method, t.securable, params, 'error', {
          code: String(err.code ?? 'ERROR'),
          message: String(err.message ?? e),
        });
      }
      throw e;
    }
    if (rule.audit) await audit(method, t.securable, params, 'ok', outcome(result));
    return shape(rule, result, pii, grants);
  };

  const shape = (
    rule: MethodRule,
    result: unknown,
    pii: Map<string, string[]>,
    grants: readonly GrantRecord[],
  ) => {
    switch (rule.output) {
      case 'runs':
        return (result as RunRecord[]).filter((r) =>
          holds(grants, principal, 'READ', workflowSecurable(r.workflow, r.workflowVersion)),
        );
      case 'snapshot':
        return result === undefined ? result : maskSnapshot(result as StateSnapshot, pii);
      case 'snapshots':
        return (result as StateSnapshot[]).map((s) => maskSnapshot(s, pii));
      case 'diff': {
        const d = result as StateDiff;
        return { ...d, changes: maskChanges(d.changes, pii) };
      }
      default:
        return result;
    }
  };

  const view: Record<string, unknown> = {};
  for (const method of Object.keys(RUNTIME_PRIVILEGES) as Method[]) {
    view[method] = (...args: unknown[]) => call(method, args);
  }
  // `watch` returns an async iterator, not a promise: the check runs before its first event.
  view.watch = (...args: unknown[]) =>
    (async function* () {
      yield* (await call('watch', args)) as AsyncIterable<unknown>;
    })();
  const afterReady =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      await rt.ready();
      return fn(...a);
    };
  Object.assign(view, {
    principal,
    mode: afterReady(gov.mode),
    grant: afterReady(gov.grant),
    revoke: afterReady(gov.revoke),
    grants: afterReady(gov.grants),
  });
  return Object.freeze(view) as unknown as GovernedRuntime;
}

/** JSON-safe, PII-masked parameters of a call, for the audit chain. */
function paramsOf(method: Method, args: readonly unknown[], t: Target): Json {
  if (method === 'start' || method === 'submit') {
    const wf = args[0] as Workflow;
    return {
      workflow: wf?.name ?? null,
      version: wf?.version ?? null,
      input: masked(args[1], contractPii(wf?.input)),
      options: describe(args[2]),
    };
  }
  if (method === 'signal') {
    const wait = t.workflow?.steps.find((s) => s.name === args[1]);
    return {
      runId: describe(args[0]),
      name: describe(args[1]),
      payload: masked(args[2], contractPii(wait?.contract as Contract | undefined)),
    };
  }
  // The subject's identifier is personal: the store's own `pii.erase` entry names its key id.
  if (method === 'erase') return { subject: PII_MASK, options: describe(args[1]) };
  if (method === 'publish') {
    const type = args[0] as EventType;
    return { type: type?.id ?? null, payload: masked(args[1], contractPii(type?.contract)) };
  }
  return args.map((a) => describe(a));
}

function masked(value: unknown, paths: readonly string[]): Json {
  const v = describe(value);
  return paths.length > 0 ? maskPaths(v, paths) : v;
}

/** A JSON description of an argument: definitions by id, functions by kind. */
function describe(value: unknown, depth = 0): Json {
  if (value === undefined) return null;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'function') return '[function]';
  if (typeof value !== 'object' || depth > 8) return String(value);
  const kind = (value as { kind?: unknown }).kind;
  const id = (value as { id?: unknown; name?: unknown; version?: unknown }) ?? {};
  if (kind === 'workflow' || kind === 'agent' || kind === 'reactor') {
    return `${kind}:${String(id.name)}@${String(id.version)}`;
  }
  if (kind === 'contract' || kind === 'event') return `${kind}:${String(id.id)}`;
  if (Array.isArray(value)) return value.map((v) => describe(v, depth + 1));
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) out[k] = describe(v, depth + 1);
  try {
    canonicalJson(out);
    return out;
  } catch {
    return '[object]';
  }
}

/** What an allowed change produced, for its audit entry. */
function outcome(result: unknown): Json {
  if (typeof result !== 'object' || result === null) return null;
  const r = result as { id?: unknown; version?: unknown; eventId?: unknown };
  if (typeof r.id === 'string') return { runId: r.id };
  if (typeof r.eventId === 'string') return { eventId: r.eventId };
  if (typeof r.version === 'number') return { version: r.version };
  return null;
}
