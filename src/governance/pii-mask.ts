/**
 * Masking personal data in what a principal without READ_PII reads: states, histories, diffs,
 * audit parameters. Which fields are personal comes from the contracts (`.meta({ pii: true })`),
 * per state slot: `input` follows the workflow's input contract, each step slot its agent's
 * output contract (or its wait's payload contract).
 *
 * Invariant: masking never mutates its argument; it returns new (frozen) values.
 */
import type { Contract } from '../contracts/contract.js';
import { deepFreeze, type Json } from '../ledger/json.js';
import type { StateData, StateSnapshot } from '../ledger/types.js';
import type { Workflow } from '../orchestrator/workflow.js';
import type { StateChange } from '../time-travel/diff.js';
import { piiPaths } from './contract-facts.js';

/** What a masked value reads as. */
export const PII_MASK = '[pii]';

/** PII paths (`/applicant/ssn`, `*` for any key or index) of a contract. */
export function contractPii(c: Contract | undefined): string[] {
  return c ? piiPaths(c.jsonSchema as Json | null) : [];
}

/** PII paths of each slot of a workflow's state. */
export function slotPii(wf: Workflow): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const put = (slot: string, paths: string[]) => {
    if (paths.length > 0) out.set(slot, paths);
  };
  put('input', contractPii(wf.input));
  for (const s of wf.steps) put(s.name, contractPii(s.agent?.output ?? s.contract));
  return out;
}

const segments = (path: string) => path.split('/').filter((s) => s.length > 0);

/** `value` with every PII path replaced by {@link PII_MASK}. */
export function maskPaths(value: Json, paths: readonly string[]): Json {
  let out = value;
  for (const p of paths) out = maskAt(out, segments(p));
  return out;
}

function maskAt(value: Json, segs: readonly string[]): Json {
  if (segs.length === 0) return value === undefined ? value : PII_MASK;
  if (typeof value !== 'object' || value === null) return value;
  const [head, ...rest] = segs;
  if (Array.isArray(value)) {
    return value.map((v, i) => (head === '*' || head === String(i) ? maskAt(v, rest) : v));
  }
  const obj = value as Record<string, Json>;
  const copy: Record<string, Json> = { ...obj };
  for (const k of Object.keys(obj)) {
    if (head === '*' || head === k) copy[k] = maskAt(obj[k] as Json, rest);
  }
  return copy;
}

/** A state with its PII masked, slot by slot. */
export function maskState(data: StateData, pii: ReadonlyMap<string, string[]>): StateData {
  if (pii.size === 0) return data;
  const out: Record<string, Json> = { ...(data as Record<string, Json>) };
  for (const [slot, paths] of pii) {
    if (slot in out) out[slot] = maskPaths(out[slot] as Json, paths);
  }
  return deepFreeze(out) as StateData;
}

/** A snapshot with its PII masked. */
export function maskSnapshot(s: StateSnapshot, pii: ReadonlyMap<string, string[]>): StateSnapshot {
  return pii.size === 0 ? s : Object.freeze({ ...s, data: maskState(s.data, pii) });
}

/** Diff path (`input.applicant.ssn`, `items[2]`) → segments. */
function diffSegments(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s.length > 0);
}

/** Whether the first `n` segments of a pattern (`*` = any) match those of a concrete path. */
const agree = (pattern: readonly string[], segs: readonly string[], n: number) =>
  pattern.slice(0, n).every((p, i) => p === '*' || p === segs[i]);

/** Diff changes with PII masked: a change at or under a PII field, or holding one. */
export function maskChanges(
  changes: readonly StateChange[],
  pii: ReadonlyMap<string, string[]>,
): StateChange[] {
  if (pii.size === 0) return [...changes];
  const patterns = [...pii].flatMap(([slot, paths]) => paths.map((p) => [slot, ...segments(p)]));
  return changes.map((c) => {
    const segs = diffSegments(c.path);
    if (patterns.some((p) => p.length <= segs.length && agree(p, segs, p.length))) {
      return {
        ...c,
        ...(c.before !== undefined ? { before: PII_MASK } : {}),
        ...(c.after !== undefined ? { after: PII_MASK } : {}),
      };
    }
    // A change above a PII field (a whole slot added): mask inside its values.
    const inner = patterns
      .filter((p) => p.length > segs.length && agree(p, segs, segs.length))
      .map((p) => `/${p.slice(segs.length).join('/')}`);
    if (inner.length === 0) return c;
    return {
      ...c,
      ...(c.before !== undefined ? { before: maskPaths(c.before, inner) } : {}),
      ...(c.after !== undefined ? { after: maskPaths(c.after, inner) } : {}),
    };
  });
}
