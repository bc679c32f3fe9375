/**
 * Personal data in what the dashboard shows a caller without READ_PII: the fields the run's
 * contracts tag as PII (`.meta({ pii: true })`) are masked, from the workflow shape recorded in
 * the store (so a dashboard without the code masks the same), slot by slot as governance does:
 * `input` follows the workflow's input contract, each step its output (or wait) contract.
 *
 * Values no contract describes (the workflow's output selector, span attributes, journal
 * details, error messages) are scrubbed by value: every string or number that sits at a PII path
 * of the run's head state is replaced wherever it appears, whole or inside a longer text.
 *
 * Invariant: masking never mutates its argument; without PII paths it returns it unchanged.
 */
import {
  type Json,
  maskChanges,
  maskState,
  PII_MASK,
  piiPaths,
  type RunRecord,
  type Runtime,
  type StateChange,
  type StateData,
  type WorkflowShape,
} from '../index.js';

/** How one caller sees one run's data. */
export interface PiiView {
  /** Whether anything is masked (false: the caller reads PII, or the run has none). */
  readonly masks: boolean;
  state(data: StateData): StateData;
  changes(changes: readonly StateChange[]): StateChange[];
  /** Any value: PII values of the run replaced wherever they appear. */
  scrub<T>(value: T): T;
}

/** Shorter texts are only masked whole, never inside longer ones (too many false hits). */
const MIN_INNER = 4;

const CLEAR: PiiView = {
  masks: false,
  state: (d) => d,
  changes: (c) => [...c],
  scrub: (v) => v,
};

/** PII paths per state slot of a recorded workflow shape. */
export function shapePii(shape: WorkflowShape | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!shape) return out;
  const of = (id: string | undefined) =>
    id ? piiPaths((shape.contracts[id] ?? null) as Json | null) : [];
  const put = (slot: string, paths: string[]) => {
    if (paths.length > 0) out.set(slot, paths);
  };
  put('input', of(shape.input));
  for (const s of shape.steps) put(s.name, of(s.kind === 'wait' ? s.contract : s.output));
  return out;
}

/** The leaves of `value` that masking `paths` would replace. */
function piiValues(data: StateData, pii: ReadonlyMap<string, string[]>): Set<string | number> {
  const found = new Set<string | number>();
  const masked = maskState(data, pii) as Record<string, Json>;
  const walk = (a: Json, b: Json) => {
    if (b === PII_MASK && a !== PII_MASK) {
      collect(a);
      return;
    }
    if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
      for (const k of Object.keys(a))
        walk((a as Record<string, Json>)[k] as Json, (b as Record<string, Json>)[k] as Json);
    }
  };
  const collect = (v: Json) => {
    if (typeof v === 'string' || typeof v === 'number') found.add(v);
    else if (typeof v === 'object' && v !== null)
      for (const x of Object.values(v)) collect(x as Json);
  };
  walk(data as Json, masked as Json);
  return found;
}

function scrubber(values: ReadonlySet<string | number>): <T>(value: T) => T {
  const inner = [...values]
    .map(String)
    .filter((s) => s.length >= MIN_INNER)
    .sort((x, y) => y.length - x.length);
  const text = (s: string): string => {
    if (values.has(s)) return PII_MASK;
    let out = s;
    for (const v of inner) if (out.includes(v)) out = out.split(v).join(PII_MASK);
    return out;
  };
  const go = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (typeof v === 'number') return values.has(v) ? PII_MASK : v;
    if (Array.isArray(v)) return v.map(go);
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, go(x)]));
    }
    return v;
  };
  return <T>(value: T) => go(value) as T;
}

/**
 * How a caller sees a run: clear when it reads PII, else masked by the run's recorded shape.
 * Reads the shape and the head state (for the values to scrub) only when masking is needed.
 */
export async function piiView(rt: Runtime, run: RunRecord, readsPii: boolean): Promise<PiiView> {
  if (readsPii) return CLEAR;
  const shapes = await rt.workflowShapes(run.workflow);
  const pii = shapePii(shapes.find((s) => s.version === run.workflowVersion));
  if (pii.size === 0) return CLEAR;
  const head = await rt.state(run.runId, run.headVersion);
  const scrub = scrubber(piiValues(head.data, pii));
  return {
    masks: true,
    // By path first (the contract's word), then by value (copies in untagged fields).
    state: (d) => scrub(maskState(d, pii)),
    changes: (c) => scrub(maskChanges(c, pii)),
    scrub,
  };
}

/**
 * An input edited by a caller who saw it masked: every `[pii]` left at a PII path is put back to
 * the original's value there, so a fork keeps personal data the caller could not see (and never
 * runs on the literal mask).
 */
export function unmaskEdited(
  edited: unknown,
  original: unknown,
  paths: readonly string[],
): unknown {
  const at = (e: unknown, o: unknown, segs: readonly string[]): unknown => {
    if (segs.length === 0) return e === PII_MASK && o !== undefined ? o : e;
    if (typeof e !== 'object' || e === null || typeof o !== 'object' || o === null) return e;
    const [head, ...rest] = segs;
    const src = o as Record<string, unknown>;
    if (Array.isArray(e))
      return e.map((v, i) => (head === '*' || head === String(i) ? at(v, src[i], rest) : v));
    const copy: Record<string, unknown> = { ...(e as Record<string, unknown>) };
    for (const k of Object.keys(copy))
      if (head === '*' || head === k) copy[k] = at(copy[k], src[k], rest);
    return copy;
  };
  return paths.reduce((v, p) => at(v, original, p.split('/').filter(Boolean)), edited);
}
