/**
 * Event types: an event type is a contract (`research.completed@1`) plus what choreography needs
 * to know about it (whether it is a failure event).
 *
 * Invariants:
 * - An event type wraps exactly one contract; its id is the contract's id.
 * - Definitions are checked when made and frozen.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type Contract, contract, type Schema } from '../contracts/contract.js';
import { InvalidDefinitionError } from '../errors.js';

/** Options of {@link event}. */
export interface EventTypeOptions {
  /**
   * A failure event: publishing one compensates, in reverse causal order, every reactor with
   * `compensate` that handled an event of the same correlation.
   */
  readonly failure?: boolean;
  readonly description?: string;
}

/** A named, versioned event type. `T` is the payload type. */
export interface EventType<T = unknown> {
  readonly kind: 'event';
  /** `name@version`, the contract id. */
  readonly id: string;
  readonly name: string;
  readonly version: number;
  /** The payload's contract. */
  readonly contract: Contract<T>;
  readonly failure: boolean;
  readonly description?: string;
}

/** The payload type of an event type. */
export type EventPayload<E> = E extends EventType<infer T> ? T : never;

/**
 * Defines an event type; its payload is validated against `schema` at publish and at `ctx.emit`.
 * @throws InvalidDefinitionError for a malformed id, schema or option.
 * @example
 * const ResearchCompleted = event('research.completed@1', z.object({ topic: z.string() }));
 */
export function event<S extends Schema>(
  id: string,
  schema: S,
  options: EventTypeOptions = {},
): EventType<StandardSchemaV1.InferOutput<S>> {
  const c = contract(id, schema);
  if (typeof options !== 'object' || options === null) {
    throw new InvalidDefinitionError(`event '${id}': options must be an object`, id);
  }
  if (options.failure !== undefined && typeof options.failure !== 'boolean') {
    throw new InvalidDefinitionError(
      `event '${id}': options.failure must be a boolean, got ${JSON.stringify(options.failure)}`,
      id,
    );
  }
  return Object.freeze({
    kind: 'event' as const,
    id: c.id,
    name: c.name,
    version: c.version,
    contract: c,
    failure: options.failure ?? false,
    ...(options.description !== undefined ? { description: options.description } : {}),
  });
}

/** True when `value` is an event type. */
export function isEventType(value: unknown): value is EventType {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'event'
  );
}
