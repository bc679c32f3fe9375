/**
 * Lineage: where a value of a run's state came from, read off the ledger alone. A slot is
 * written by exactly one version; that version names its writer (`agent@version`), its contract
 * and the state version its step read (`inputVersion`); the slots of that input state were
 * written by earlier versions, and so on down to the workflow input. A rollback or a replay
 * fork copies state: the copy points at the version it copied (in the parent run for a fork).
 *
 * Invariant: complete by construction — every version in the tree is a stored, hash-chained
 * version; nothing is reconstructed from logs. Values are not included (read them with `state`,
 * where personal data is masked for those without READ_PII).
 */
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import type { StateStore } from '../ledger/store.js';
import type { AuxRecord, RunRecord, VersionRecord } from '../ledger/types.js';
import { materialize } from '../ledger/versions.js';
import { childRunsOf, childSlots, isChildWriter } from './child-lineage.js';

/** One version in a value's lineage. */
export interface LineageNode {
  readonly runId: string;
  readonly version: number;
  /** The slot it holds (`score`, `input`). */
  readonly slot: string;
  /**
   * How the slot got there: written by a step, the workflow input, or copied by a rollback or
   * by a replay fork.
   */
  readonly via: 'step' | 'input' | 'rollback' | 'replay';
  /** `agent@version`, or `system`. */
  readonly createdBy: string;
  /** The contract the slot value satisfied. */
  readonly contract: string | null;
  readonly tag: string | null;
  /** The state version the writing step read. */
  readonly inputVersion: number | null;
  readonly createdAt: number;
  readonly hash: string;
  /**
   * The evaluator (judge) scores of the attempt that wrote this version, as recorded with the
   * run's trace (`createTracing({ store })`); empty when none ran or none were recorded.
   */
  readonly evaluations: readonly LineageEvaluation[];
  /** What it was derived from: the slots its step read, or the version it copied. */
  readonly derivedFrom: readonly LineageNode[];
  /**
   * For a slot written by a child-workflow step: the child runs that produced it (one for
   * `.step(name, workflow)`, one per element for `.map`), each with the lineage of its final
   * slots. Absent for other slots.
   */
  readonly children?: readonly LineageChild[];
}

/** One child run in a lineage: the run and the lineage of the slots its output came from. */
export interface LineageChild {
  readonly runId: string;
  readonly workflow: string;
  readonly workflowVersion: number;
  readonly slots: readonly LineageNode[];
}

/** One evaluator's verdict on the output a lineage node's version holds. */
export interface LineageEvaluation {
  readonly evaluator: string;
  /** 0..1. */
  readonly score: number;
  /** False when the evaluator's gate (`minScore`) rejected the output. */
  readonly passed: boolean;
  readonly label?: string;
}

/** The lineage of one value. */
export interface Lineage {
  readonly runId: string;
  readonly path: string;
  /** The run's head version when the lineage was read. */
  readonly version: number;
  readonly root: LineageNode;
}

/** The slots a workflow step reads, when the workflow is known (undefined: not known). */
export type NeedsOf = (run: RunRecord, slot: string) => readonly string[] | undefined;

/**
 * Traces the lineage of the value at `path` (`score.score`, `decision`) at the run's head.
 * @throws NotFoundError for an unknown run or a slot the run does not hold.
 * @throws InvalidArgumentError for an empty path.
 */
export async function traceLineage(
  store: StateStore,
  runId: string,
  path: string,
  needsOf: NeedsOf = () => undefined,
): Promise<Lineage> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError('path must be a non-empty string like score.score', 'path');
  }
  const slot = path.split(/[.[]/)[0]!;
  const runs = new Map<
    string,
    {
      run: RunRecord;
      versions: VersionRecord[];
      scores: Map<number, LineageEvaluation[]>;
    }
  >();
  const load = async (id: string) => {
    let r = runs.get(id);
    if (!r) {
      const run = await store.getRun(id);
      if (!run) throw new NotFoundError('run', id);
      const [versions, records] = await Promise.all([
        store.readVersions(id),
        store.queryRecords({ kind: 'evaluation', runId: id }),
      ]);
      r = { run, versions, scores: scoresByVersion(records) };
      runs.set(id, r);
    }
    return r;
  };
  const memo = new Map<string, Promise<LineageNode>>();

  /** The node of the version that put `s` into the state at `at`. */
  const writer = async (id: string, s: string, at: number): Promise<LineageNode> => {
    const { run, versions, scores } = await load(id);
    for (let i = Math.min(at, versions.length) - 1; i >= 0; i--) {
      const v = versions[i]!;
      if (v.kind === 'slot' && v.step !== s) continue;
      // A reset (rollback, fork) replaced the whole state: the slot is there or nowhere.
      if (v.kind === 'reset' && !(s in materialize(versions.slice(0, i + 1)))) break;
      const key = `${id}@${v.version}/${s}`;
      let node = memo.get(key);
      if (!node) {
        node = nodeOf(run, versions, v, s, scores.get(v.version) ?? []);
        memo.set(key, node);
      }
      return node;
    }
    throw new NotFoundError('slot', `${s} of run ${id} at version ${at}`);
  };

  const nodeOf = async (
    run: RunRecord,
    versions: readonly VersionRecord[],
    v: VersionRecord,
    s: string,
    evaluations: readonly LineageEvaluation[],
  ): Promise<LineageNode> => {
    const base = {
      evaluations,
      runId: run.runId,
      version: v.version,
      slot: s,
      createdBy: v.createdBy,
      contract: v.contract,
      tag: v.tag,
      inputVersion: v.inputVersion,
      createdAt: v.createdAt,
      hash: v.hash,
    };
    if (v.kind === 'reset') {
      const rolledTo = /^rollback:(\d+)$/.exec(v.tag ?? '');
      if (rolledTo) {
        const from = await writer(run.runId, s, Number(rolledTo[1]));
        return Object.freeze({ ...base, via: 'rollback' as const, derivedFrom: [from] });
      }
      const parent = run.parentRunId;
      const from =
        parent !== null && run.parentVersion !== null
          ? [await writer(parent, s, run.parentVersion)]
          : [];
      return Object.freeze({ ...base, via: 'replay' as const, derivedFrom: from });
    }
    if (s === 'input' || v.inputVersion === null) {
      return Object.freeze({ ...base, via: 'input' as const, derivedFrom: [] });
    }
    const inputState = materialize(versions.slice(0, v.inputVersion));
    const needs = needsOf(run, s);
    const read = needs ? ['input', ...needs] : Object.keys(inputState);
    const derivedFrom = await Promise.all(
      read.filter((x) => x in inputState).map((x) => writer(run.runId, x, v.inputVersion!)),
    );
    if (!isChildWriter(v.createdBy))
      return Object.freeze({ ...base, via: 'step' as const, derivedFrom });
    // The root path may pick one child of a fan-out (`reviews[2]…`, `reviews.2…`).
    const index = run.runId === runId && s === slot ? indexIn(path) : undefined;
    const children = await Promise.all(
      (await childRunsOf(store, run.runId, s, index)).map(async (c) => {
        const { versions: cv } = await load(c.runId);
        const slots = childSlots(cv);
        const nodes = await Promise.all(slots.map((x) => writer(c.runId, x, cv.length)));
        return Object.freeze({
          runId: c.runId,
          workflow: c.workflow,
          workflowVersion: c.workflowVersion,
          slots: nodes,
        });
      }),
    );
    return Object.freeze({ ...base, via: 'step' as const, derivedFrom, children });
  };

  const { versions } = await load(runId);
  const head = versions.length;
  const root = await writer(runId, slot, head);
  return Object.freeze({ runId, path, version: head, root });
}

/** The index a path picks in its first slot (`reviews[2].x`, `reviews.2`), if any. */
function indexIn(path: string): number | undefined {
  const m = /^[^.[]+(?:\[(\d+)\]|\.(\d+)(?:$|[.[]))/.exec(path);
  return m ? Number(m[1] ?? m[2]) : undefined;
}

/** Evaluation records (one per step attempt) by the version their attempt wrote. */
function scoresByVersion(records: readonly AuxRecord[]): Map<number, LineageEvaluation[]> {
  const out = new Map<number, LineageEvaluation[]>();
  for (const r of records) {
    const body = r.body as { version?: unknown; evaluations?: unknown };
    if (typeof body?.version !== 'number' || !Array.isArray(body.evaluations)) continue;
    const list = out.get(body.version) ?? [];
    for (const e of body.evaluations as Record<string, unknown>[]) {
      if (typeof e?.evaluator !== 'string' || typeof e.score !== 'number') continue;
      list.push(
        Object.freeze({
          evaluator: e.evaluator,
          score: e.score,
          passed: e.passed !== false,
          ...(typeof e.label === 'string' ? { label: e.label } : {}),
        }),
      );
    }
    out.set(body.version, list);
  }
  return out;
}
