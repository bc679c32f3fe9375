/**
 * How deep an event sits in its causal chain (a published event is 0, an event a reactor emits
 * while handling an event of depth d is d + 1), so a reactor loop (`Ping` → `Ping` → ...) ends at
 * `maxCausationDepth` with a typed error, dead-lettered, instead of running forever.
 *
 * Depths are derived from the stored causation ids, not stored themselves (no table change):
 * known depths are remembered (a bounded map) and an unknown one is found by walking up the
 * chain in the store until a known or root event.
 */
import type { EventRecord } from '../ledger/event-store.js';

/** The default of `createRuntime({ maxCausationDepth })`. */
export const DEFAULT_MAX_CAUSATION_DEPTH = 1000;

/** How many event depths are remembered (the oldest are forgotten first). */
const REMEMBERED = 10_000;

/** Reads one stored event by id. */
export type EventById = (eventId: string) => Promise<EventRecord | undefined>;

/** Depths of events, derived from their causation ids. */
export class CausationDepths {
  private readonly known = new Map<string, number>();

  constructor(
    readonly maxDepth: number,
    private readonly read: EventById,
  ) {}

  /** The depth of `event`: its distance from the root of its causal chain. */
  async depthOf(event: Pick<EventRecord, 'eventId' | 'causationId'>): Promise<number> {
    const remembered = this.known.get(event.eventId);
    if (remembered !== undefined) return remembered;
    const chain: string[] = [event.eventId];
    let cause = event.causationId;
    let base = -1;
    // Walks up at most maxDepth + 1 links: deeper than that is over the limit anyway.
    while (cause !== null && chain.length <= this.maxDepth + 1) {
      const known = this.known.get(cause);
      if (known !== undefined) {
        base = known;
        break;
      }
      const parent = await this.read(cause);
      if (!parent) break;
      chain.push(parent.eventId);
      cause = parent.causationId;
    }
    // chain[last] is the root when the walk ended there; each link below it is one deeper.
    for (let i = chain.length - 1, d = base + 1; i >= 0; i--, d++) this.remember(chain[i]!, d);
    return base + chain.length;
  }

  /** Records the depth of an event known without a walk (one a reactor just emitted). */
  remember(eventId: string, depth: number): void {
    if (this.known.size >= REMEMBERED) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
    this.known.set(eventId, depth);
  }
}
