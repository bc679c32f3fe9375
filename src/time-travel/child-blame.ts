/**
 * Blame across the link of a child workflow: a parent's slot written by a child step
 * (`workflow.<name>@<version>`) was produced by the child run `<parent>.<step>` (or
 * `<parent>.<step>.<i>` for a `.map` element the path picks). The child's output is computed by
 * its workflow's code, so the slot of the child that holds the value is found by value: the
 * child slot holding the rest of the path (`doubled` of `child.doubled` → `double.doubled`),
 * else a slot equal to the whole value. Found, the child's own blame of it is given; not found,
 * the child's last slot write stands for it.
 */
import { NotFoundError } from '../errors.js';
import { canonicalJson, type Json } from '../ledger/json.js';
import type { RunRecord, StateSnapshot } from '../ledger/types.js';
import { type BlameVersion, blameVersion } from './blame-version.js';

interface Reader {
  getRun(runId: string): Promise<RunRecord>;
  history(runId: string): Promise<readonly StateSnapshot[]>;
}

/** What blame.ts's `BlameChild` holds, over its `Blame` type `B`. */
export interface ChildBlameOf<B extends { readonly setBy: BlameVersion }> {
  readonly runId: string;
  readonly workflow: string;
  readonly path: string | null;
  readonly setBy: BlameVersion;
  readonly blame?: B;
}

/** The child run behind `setter`'s write of `value` at `segments`, if a child step wrote it. */
export async function childBlame<B extends { readonly setBy: BlameVersion }>(
  reader: Reader,
  runId: string,
  setter: StateSnapshot,
  segments: readonly (string | number)[],
  value: Json,
  blameIn: (runId: string, path: string) => Promise<B>,
): Promise<ChildBlameOf<B> | undefined> {
  if (!setter.createdBy.startsWith('workflow.') || segments[0] !== setter.step) return undefined;
  const find = (id: string) =>
    reader.getRun(id).catch((e: unknown) => {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    });
  // A single child is `<parent>.<step>` (an index in the path is into its output); a fan-out's
  // element is `<parent>.<step>.<i>`, picked by the path's index.
  const index = typeof segments[1] === 'number' ? segments[1] : undefined;
  let childId = `${runId}.${setter.step}`;
  let rest = segments.slice(1);
  let run = await find(childId);
  if (!run && index !== undefined) {
    childId = `${childId}.${index}`;
    rest = segments.slice(2);
    run = await find(childId);
  }
  if (!run) return undefined; // A fan-out slot as a whole: many children, none picked.
  const history = await reader.history(childId);
  const head = history.at(-1);
  if (!head) return undefined;
  const path = findPath(head.data, rest, value);
  if (path !== null) {
    const b = await blameIn(childId, path);
    return { runId: childId, workflow: run.workflow, path, setBy: b.setBy, blame: b };
  }
  const last = [...history].reverse().find((s) => !s.step.startsWith('$')) ?? head;
  return { runId: childId, workflow: run.workflow, path: null, setBy: blameVersion(last) };
}

/** The first slot of `state` holding `value` at `rest`, else holding it whole; as a path. */
function findPath(
  state: Readonly<Record<string, unknown>>,
  rest: readonly (string | number)[],
  value: Json,
): string | null {
  const want = canonicalJson(value);
  const slots = Object.keys(state).filter((k) => k !== 'input');
  for (const candidate of [rest, []]) {
    for (const slot of slots) {
      const v = read(state[slot], candidate);
      if (v !== undefined && canonicalJson(v as Json) === want) return format([slot, ...candidate]);
    }
  }
  return null;
}

function read(data: unknown, segments: readonly (string | number)[]): unknown {
  let cur = data;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, s)) return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

const format = (segments: readonly (string | number)[]): string =>
  segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
