/**
 * The privilege every runtime method needs, in one table. The table's type lists every key of
 * `Runtime`, so a new runtime method does not compile until it is given a rule here, and the
 * governed view (governed-runtime.ts) enforces exactly this table, nothing hand-written per
 * method.
 */
import type { Runtime } from '../runtime/runtime-types.js';
import type { Privilege } from './privileges.js';

/** What a method's privilege applies to. */
export type RuleTarget =
  /** The workflow passed as first argument (`workflow:name@version`). */
  | 'workflow-arg'
  /** The workflow version of the run whose id is the first argument. */
  | 'run-arg'
  /** The event type passed as first argument (`event:name@version`). */
  | 'event-arg'
  /** Every securable of a kind (a grant must cover the whole kind, e.g. `event:*`). */
  | 'all-events'
  | 'all-workflows'
  | 'all-agents'
  | 'catalog'
  /** Nothing: the method reveals and changes nothing. */
  | 'none';

/** How a method is governed. */
export interface MethodRule {
  /** The privilege checked before the call (null: none needed). */
  readonly privilege: Privilege | null;
  readonly on: RuleTarget;
  /** Whether an allowed call is audited (every change is; denials always are). */
  readonly audit: boolean;
  /** How the result is shaped for the principal (row filter, PII masks). */
  readonly output?: 'runs' | 'snapshot' | 'snapshots' | 'diff';
}

const rule = (
  privilege: Privilege | null,
  on: RuleTarget,
  audit: boolean,
  output?: MethodRule['output'],
): MethodRule => Object.freeze({ privilege, on, audit, ...(output ? { output } : {}) });

/** Every runtime method and its rule. */
export const RUNTIME_PRIVILEGES: { readonly [K in keyof Runtime]: MethodRule } = Object.freeze({
  start: rule('EXECUTE', 'workflow-arg', true),
  submit: rule('EXECUTE', 'workflow-arg', true),
  startWorker: rule('EXECUTE', 'all-workflows', true),
  handle: rule('READ', 'run-arg', false),
  signal: rule('SIGNAL', 'run-arg', true),
  cancel: rule('CANCEL', 'run-arg', true),
  children: rule('READ', 'run-arg', false, 'runs'),
  waits: rule('READ', 'all-workflows', false),
  prune: rule('MANAGE', 'catalog', true),
  schedule: rule('MANAGE', 'catalog', true),
  schedules: rule('READ', 'all-workflows', false),
  pauseSchedule: rule('MANAGE', 'catalog', true),
  resumeSchedule: rule('MANAGE', 'catalog', true),
  deleteSchedule: rule('MANAGE', 'catalog', true),
  triggerSchedule: rule('MANAGE', 'catalog', true),
  getRun: rule('READ', 'run-arg', false),
  listRuns: rule('READ', 'none', false, 'runs'),
  journal: rule('READ', 'run-arg', false),
  history: rule('READ', 'run-arg', false, 'snapshots'),
  state: rule('READ', 'run-arg', false, 'snapshot'),
  verify: rule('READ', 'run-arg', false),
  diff: rule('READ', 'run-arg', false, 'diff'),
  rollback: rule('REPLAY', 'run-arg', true, 'snapshot'),
  replay: rule('REPLAY', 'run-arg', true),
  bisect: rule('READ', 'run-arg', false, 'snapshot'),
  lineage: rule('READ', 'run-arg', false),
  erase: rule('MANAGE', 'catalog', true),
  trace: rule('READ', 'run-arg', false),
  breakers: rule('READ', 'all-agents', false),
  usage: rule('READ', 'all-workflows', false),
  // A human verdict on a run's output is human input to the run, like a review signal.
  label: rule('SIGNAL', 'run-arg', true),
  judges: rule('READ', 'all-workflows', false),
  searchAttributes: rule('READ', 'run-arg', false),
  workflowShapes: rule('READ', 'all-workflows', false),
  watch: rule('READ', 'all-workflows', false),
  publish: rule('EXECUTE', 'event-arg', true),
  redeliver: rule('REPLAY', 'all-events', true),
  deadLetters: rule('READ', 'all-events', false),
  eventTrace: rule('READ', 'all-events', false),
  eventsSettled: rule(null, 'none', false),
  ready: rule(null, 'none', false),
  close: rule('MANAGE', 'catalog', true),
  as: rule('MANAGE', 'catalog', true),
});
