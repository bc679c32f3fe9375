/**
 * Agent waits: an agent parks its own step on a named, durable wait (`ctx.suspend`), and is
 * executed again, with what it saved and the signal's payload, once the signal arrives.
 *
 * Invariants:
 * - A wait is named `<step>:<key>`; step names never contain ':', so the parked entry in the
 *   run's `waitingFor` says which step it belongs to, and a wait step's name never collides.
 * - Everything lives in the journal (no new table, no version): `wait.started` (step, detail
 *   `{ reason: 'agent', wait, detail, accepts }`) when the step parks, `signal.received` (step,
 *   detail `{ wait, payload }`) when its signal lands. The step's slot stays empty until the
 *   agent, executed again, returns.
 * - The resumption of a step is its latest `signal.received` for an agent wait, with the detail
 *   of the `wait.started` of the same wait: read from the store, so a runtime that restarted (or
 *   another process) resumes exactly where the agent left off.
 */
import type { Resumption, SuspendOptions } from '../agents/agent.js';
import { InvalidArgumentError, StepSuspendedError } from '../errors.js';
import { type Json, sealJson } from '../ledger/json.js';
import type { JournalEntry } from '../ledger/types.js';

/** What a key may contain: no ',' (the parked-list separator), nothing a terminal would mangle. */
const WAIT_KEY = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/;

/** The wait's full name for a step and a key. */
export function agentWaitName(step: string, key: string): string {
  return `${step}:${key}`;
}

/** The step a parked entry belongs to (the entry itself for a wait step). */
export function stepOfWait(entry: string): string {
  const i = entry.indexOf(':');
  return i < 0 ? entry : entry.slice(0, i);
}

/** Whether a parked entry is an agent wait (rather than a wait step or a step in review). */
export function isAgentWait(entry: string): boolean {
  return entry.includes(':');
}

/**
 * Validates a suspension and throws it (what `ctx.suspend` does).
 * @throws InvalidArgumentError for a bad key, a non-JSON detail or a non-object schema;
 *   StepSuspendedError otherwise.
 */
export function suspendStep(step: string, key: unknown, options: SuspendOptions = {}): never {
  if (typeof key !== 'string' || !WAIT_KEY.test(key)) {
    throw new InvalidArgumentError(
      `suspend key must be letters, digits and '_.:@-' (no ','), at most 200, got ${JSON.stringify(key)}`,
      'key',
    );
  }
  const accepts = options.accepts;
  if (accepts !== undefined && (typeof accepts !== 'object' || accepts === null))
    throw new InvalidArgumentError('suspend accepts must be a JSON Schema object', 'accepts');
  const detail = sealJson(options.detail ?? null, '$.suspend.detail').value;
  throw new StepSuspendedError(step, agentWaitName(step, key), detail, accepts ?? null);
}

/** The `wait.started` detail a suspension is journaled with. */
export function suspensionDetail(e: StepSuspendedError): Json {
  return { reason: 'agent', wait: e.wait, detail: e.detail as Json, accepts: e.accepts as Json };
}

/** The `wait.started` entry of agent wait `wait`, if any (the latest). */
export function agentWaitEntry(
  journal: readonly JournalEntry[],
  wait: string,
): { readonly detail: unknown; readonly accepts: unknown } | undefined {
  for (let i = journal.length - 1; i >= 0; i--) {
    const d = agentDetail(journal[i]!, 'wait.started', wait);
    if (d) return { detail: d.detail, accepts: d.accepts ?? null };
  }
  return undefined;
}

/** The resumption of `step`: its latest agent-wait signal and the detail saved with that wait. */
export function resumptionOf(
  journal: readonly JournalEntry[],
  step: string,
): Resumption | undefined {
  for (let i = journal.length - 1; i >= 0; i--) {
    const j = journal[i]!;
    if (j.step !== step || j.type !== 'signal.received') continue;
    const d = j.detail as { wait?: unknown; payload?: unknown } | null;
    if (typeof d?.wait !== 'string') continue;
    const saved = agentWaitEntry(journal.slice(0, i), d.wait);
    return { wait: d.wait, detail: saved?.detail ?? null, payload: d.payload ?? null };
  }
  return undefined;
}

function agentDetail(
  j: JournalEntry,
  type: JournalEntry['type'],
  wait: string,
): { detail?: unknown; accepts?: unknown } | undefined {
  if (j.type !== type || j.step !== stepOfWait(wait)) return undefined;
  const d = j.detail as { reason?: unknown; wait?: unknown } | null;
  return d?.reason === 'agent' && d.wait === wait ? (d as { detail?: unknown }) : undefined;
}
