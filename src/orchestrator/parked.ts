/**
 * A run's parked steps (durable waits and steps in human review), kept in the run record's
 * `waitingFor` as a comma-separated list (step names cannot contain commas).
 */

/** Parses `waitingFor`. */
export function parkedSteps(waitingFor: string | null): string[] {
  return waitingFor ? waitingFor.split(',').filter(Boolean) : [];
}

/** Serializes parked steps, sorted so the same set always reads the same. */
export function serializeParked(steps: Iterable<string>): string | null {
  const list = [...steps].sort();
  return list.length ? list.join(',') : null;
}
