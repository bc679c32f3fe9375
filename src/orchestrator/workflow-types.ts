/**
 * Type-level machinery of workflow definitions: what each step's selector may read.
 * A selector sees the workflow input and the outputs of the steps it `needs` — nothing else —
 * so a step can never depend on a sibling that may or may not have finished.
 */
import type { DeepReadonly } from '../agents/agent.js';

/** What a step's slot holds when the step did not run (its `when` was false, or `onFailure: 'skip'`). */
export interface Skipped {
  readonly skipped: true;
  readonly reason: string;
}

/** True when a slot holds the skipped marker. */
export function isSkipped(value: unknown): value is Skipped {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { skipped?: unknown }).skipped === true &&
    typeof (value as { reason?: unknown }).reason === 'string'
  );
}

/** The state a selector receives: the input plus the slots of the needed steps. */
export type StateView<In, Slots, Needs extends keyof Slots> = {
  readonly input: DeepReadonly<In>;
} & { readonly [K in Needs]: DeepReadonly<Slots[K]> };

/** Slot type of a step: its output, or the skipped marker when the step may be skipped. */
export type SlotType<O, MaybeSkipped extends boolean> = MaybeSkipped extends true ? O | Skipped : O;

/** Flattens an intersection for readable hover types. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};
