/**
 * Text rendering of event-flow traces and dead letters, for the CLI (`baton events`).
 */
import type { DeliveryRecord } from '../ledger/event-store.js';
import type { EventTrace, TracedDelivery, TracedEvent } from './event-trace.js';

/**
 * Renders a flow trace as an indented causal tree with its flags.
 * @example
 * console.log(renderEventTree(await rt.eventTrace(correlationId)));
 */
export function renderEventTree(trace: EventTrace): string {
  const f = trace.flags;
  const flags = [
    f.unconsumed.length > 0 && `UNCONSUMED ${f.unconsumed.length}`,
    f.duplicatesSuppressed > 0 && `DUPLICATES SUPPRESSED ${f.duplicatesSuppressed}`,
    f.failures > 0 && `FAILURES ${f.failures}`,
    f.deadLetters > 0 && `DEAD LETTERS ${f.deadLetters}`,
    f.pending > 0 && `PENDING ${f.pending}`,
    f.stalled && 'STALLED',
  ].filter(Boolean);
  const lines = [
    `flow ${trace.correlationId}: ${trace.eventCount} events, ${trace.deliveryCount} deliveries${flags.length ? ` [${flags.join(', ')}]` : ''}`,
  ];
  const event = (e: TracedEvent, indent: string): void => {
    const marks = [e.failure && 'FAILURE', e.unconsumed && 'nobody subscribes'].filter(Boolean);
    lines.push(
      `${indent}● ${e.type} ${e.eventId} by ${e.producer}${marks.length ? `  ⚠ ${marks.join(', ')}` : ''}`,
    );
    for (const d of e.deliveries) delivery(d, `${indent}  `);
    for (const c of e.caused) event(c, `${indent}  `);
  };
  const delivery = (d: TracedDelivery, indent: string): void => {
    const parts = [
      `${d.status}`,
      `attempts=${d.attempts}`,
      d.latencyMs !== null && `latency=${d.latencyMs}ms`,
      d.duplicates > 0 && `duplicates suppressed=${d.duplicates}`,
      d.compensatedAt !== null && 'compensated',
      d.error && `error: ${d.error.message}`,
    ].filter(Boolean);
    lines.push(`${indent}└─ ${d.reactor} ${parts.join(' ')}`);
    for (const e of d.emitted) event(e, `${indent}   `);
  };
  for (const r of trace.roots) event(r, '');
  return lines.join('\n');
}

/** Renders dead letters one per line: event, reactor, attempts, error. */
export function renderDeadLetters(dead: readonly DeliveryRecord[]): string {
  if (dead.length === 0) return 'no dead letters';
  return dead
    .map(
      (d) =>
        `${d.eventId} ${d.consumer} attempts=${d.attempts} flow=${d.correlationId} error: ${d.error?.message ?? '?'}`,
    )
    .join('\n');
}
