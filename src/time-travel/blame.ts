/**
 * Blame: for the value at a path of a run's state, the version that set it, the agent and step
 * that wrote it, the version that agent read and the input it was given — `git blame` for state.
 *
 * Invariants:
 * - It reads only through the public reading API (`getRun`, `history`), so it works on any
 *   runtime and any store, and never drives, resumes or writes anything.
 * - "Set it" means: the newest version at or before the one asked about where the value at the
 *   path differs from the version before it (JSON equality, key order ignored).
 * - A value restored by a reset (a rollback, or the first version of a replayed fork) is followed
 *   to the version it was restored from (in the same run, or in the parent run), and every reset
 *   passed through is listed in `via`: the blame always ends at the write that produced the value.
 */
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import { canonicalJson, type Json } from '../ledger/json.js';
import type { RunRecord, StateSnapshot } from '../ledger/types.js';
import type { Workflow } from '../orchestrator/workflow.js';
import { type BlameVersion, blameVersion } from './blame-version.js';
import { childBlame } from './child-blame.js';

/** What blame reads (a `Runtime` is one). */
export interface BlameReader {
  getRun(runId: string): Promise<RunRecord>;
  /** Every version of the run, oldest first, each with its materialized state. */
  history(runId: string): Promise<readonly StateSnapshot[]>;
}

/** Options of {@link blame}. */
export interface BlameOptions {
  /** Blame the value at this version (default: the run's latest). */
  readonly version?: number;
  /**
   * The workflows the run may be of: with its workflow, the input is the step's selector applied
   * to the state it read (what the agent was given); without it, the whole state at that version.
   */
  readonly workflows?: readonly Workflow<unknown, unknown>[];
}

export type { BlameVersion } from './blame-version.js';

/** What the writer was given. */
export interface BlameInput {
  /** The version it read (null when it read nothing: the workflow input). */
  readonly version: number | null;
  /**
   * `selector`: the step's selector applied to that version (exactly what the agent received);
   * `state`: the whole state at that version (the workflow was not given); `none`: no input.
   */
  readonly kind: 'selector' | 'state' | 'none';
  readonly value: Json | null;
}

/**
 * The child run behind a value a child-workflow step set: the child slot holding the value is
 * found by value (the child's output is computed by code), then blamed in the child.
 */
export interface BlameChild {
  readonly runId: string;
  readonly workflow: string;
  /** The path in the child's final state holding the value; null when no slot holds it as is. */
  readonly path: string | null;
  /** The child's version that produced it (its blame's `setBy`, or its last slot write). */
  readonly setBy: BlameVersion;
  /** The child's own blame of `path` (absent when `path` is null). */
  readonly blame?: Blame;
}

/** The answer of {@link blame}. */
export interface Blame {
  readonly runId: string;
  readonly path: string;
  /** The version asked about. */
  readonly version: number;
  readonly value: Json;
  /** The version whose writer produced the value. */
  readonly setBy: BlameVersion;
  readonly input: BlameInput;
  /** Resets the value came through, newest first (rollbacks, a replayed fork's first version). */
  readonly via: readonly BlameVersion[];
  /**
   * When a child-workflow step set the value: the child run that produced it and, within it, the
   * blame of the same value (see child-blame.ts). Absent for other writers.
   */
  readonly child?: BlameChild;
}

/** How many resets blame follows before it gives up (a chain of forks of forks). */
const MAX_HOPS = 64;

const SEGMENT = /^([^.[\]]+)((?:\[\d+\])*)$/;

/**
 * Splits `risk.rationale[0]` into `['risk', 'rationale', 0]`.
 * @throws InvalidArgumentError for an empty or malformed path.
 */
export function parseStatePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = SEGMENT.exec(part);
    if (!m) throw new InvalidArgumentError(`malformed path '${path}' (at '${part}')`, 'path');
    out.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

function readPath(data: unknown, segments: readonly (string | number)[]): Json | undefined {
  let cur: unknown = data;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (typeof s === 'number' ? !Array.isArray(cur) : Array.isArray(cur)) return undefined;
    if (!Object.hasOwn(cur, s)) return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur as Json | undefined;
}

/** Version `v` of a history (histories hold versions 1..head in order; checked, not assumed). */
function versionOf(history: readonly StateSnapshot[], v: number): StateSnapshot | undefined {
  const s = history[v - 1];
  return s?.version === v ? s : history.find((x) => x.version === v);
}

const same = (a: Json | undefined, b: Json | undefined): boolean =>
  a === undefined || b === undefined ? a === b : canonicalJson(a) === canonicalJson(b);

/**
 * Blames the value at `path` in run `runId`.
 * @example
 * const b = await blame(rt, runId, 'risk.rating', { workflows: [credit] });
 * // b.setBy.createdBy === 'risk-assessment@1.0.0', b.input.version === 4, b.input.value = { … }
 * @throws NotFoundError for an unknown run, a version past the head, or a path with no value at
 *   that version.
 * @throws InvalidArgumentError for a malformed path or version.
 */
export async function blame(
  reader: BlameReader,
  runId: string,
  path: string,
  options: BlameOptions = {},
): Promise<Blame> {
  const segments = parseStatePath(path);
  const asked = options.version;
  if (asked !== undefined && !(Number.isInteger(asked) && asked >= 1))
    throw new InvalidArgumentError(`version must be a positive integer, got ${asked}`, 'version');
  let run = await reader.getRun(runId);
  let history = await reader.history(runId);
  const version = asked ?? run.headVersion;
  let at = versionOf(history, version);
  if (!at) throw new NotFoundError('version', `${runId}@${version}`);
  const value = readPath(at.data, segments);
  if (value === undefined)
    throw new NotFoundError('value', `${path} in run ${runId} at v${version}`);
  const via: BlameVersion[] = [];
  for (let hop = 0; ; hop++) {
    let v = at.version;
    while (v > 1 && same(readPath(versionOf(history, v - 1)?.data, segments), value)) v--;
    const setter = versionOf(history, v)!;
    const from = hop < MAX_HOPS ? await resetSource(reader, run, setter) : null;
    if (!from) {
      const { workflows } = options;
      const child = await childBlame(reader, run.runId, setter, segments, value, (id, p) =>
        blame(reader, id, p, workflows ? { workflows } : {}),
      );
      return {
        runId,
        path,
        version,
        value,
        setBy: blameVersion(setter),
        input: inputOf(run, setter, history, options.workflows ?? []),
        via,
        ...(child ? { child } : {}),
      };
    }
    via.push(blameVersion(setter));
    ({ run, history } = from);
    at = versionOf(history, from.version);
    if (!at) throw new NotFoundError('version', `${run.runId}@${from.version}`);
  }
}

/** Where a reset version's state came from: a rollback's target, or a fork's parent version. */
async function resetSource(
  reader: BlameReader,
  run: RunRecord,
  s: StateSnapshot,
): Promise<{ run: RunRecord; history: readonly StateSnapshot[]; version: number } | null> {
  if (s.step === '$rollback' && s.inputVersion !== null && s.inputVersion < s.version)
    return { run, history: await reader.history(run.runId), version: s.inputVersion };
  if (s.step === '$replay' && s.version === 1 && run.parentRunId && run.parentVersion) {
    const parent = await reader.getRun(run.parentRunId);
    return {
      run: parent,
      history: await reader.history(parent.runId),
      version: run.parentVersion,
    };
  }
  return null;
}

/** What the writer of `s` was given, as far as the reader and the workflows can tell. */
function inputOf(
  run: RunRecord,
  s: StateSnapshot,
  history: readonly StateSnapshot[],
  workflows: readonly Workflow<unknown, unknown>[],
): BlameInput {
  const read = s.inputVersion === null ? undefined : versionOf(history, s.inputVersion);
  if (!read) return { version: s.inputVersion, kind: 'none', value: null };
  const wf = workflows.find((w) => w.name === run.workflow && w.version === run.workflowVersion);
  const spec = wf?.steps.find((x) => x.name === s.step && x.kind === 'agent');
  if (!spec?.select) return { version: read.version, kind: 'state', value: read.data as Json };
  // The view the runtime gives a selector: the workflow input and the slots the step needs.
  const view: Record<string, unknown> = { input: read.data.input };
  for (const n of spec.needs) view[n] = read.data[n];
  try {
    const value = (spec.select as (v: unknown) => unknown)(Object.freeze(view)) as Json;
    return { version: read.version, kind: 'selector', value };
  } catch {
    // A selector that cannot run on the stored state (a workflow changed since): show the state.
    return { version: read.version, kind: 'state', value: read.data as Json };
  }
}
