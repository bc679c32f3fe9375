/**
 * The SIGKILL case every bus must pass: a reactor process killed mid-handling, then a second
 * process started: the delivery is redelivered after the lease, the effect happens once (counted
 * in a real SQLite table), the flow completes. `busArgs` are extra child arguments naming the bus
 * (none: the embedded bus), and `makeBus` builds the same bus for the parent's publishing runtime.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/backends/sqlite/sqlite-store.js';
import type { TracedEvent } from '../../src/choreography/event-trace.js';
import { createRuntime } from '../../src/runtime/create-runtime.js';
import { startScript } from '../support/child.js';
import { tempDbPath } from '../support/temp-db.js';
import type { MakeBus } from './cases.js';
import { ResearchRequested, sideEffects } from './fixtures/flow.js';

const CHILD = fileURLToPath(new URL('./fixtures/reactor-child.ts', import.meta.url));
const is = (kind: string) => (m: unknown) => (m as { kind?: string }).kind === kind;

/** Registers the crash case for one bus. */
export function describeReactorCrashCase(
  busName: string,
  setup: () => Promise<{
    args: readonly string[];
    makeBus: MakeBus;
    cleanup?: () => Promise<void>;
  }>,
): void {
  describe(`a reactor process killed with SIGKILL mid-handling (${busName})`, () => {
    const dir = tempDbPath('events-crash');
    afterEach(() => dir.remove());

    it('is redelivered after its lease: the effect happens once and the flow completes', async () => {
      const { args, makeBus, cleanup } = await setup();
      const effects = `${dir.path}.effects`;
      // A client runtime with no reactors publishes the first event.
      const { bus } = await makeBus();
      const client = createRuntime({
        store: sqliteStore(dir.path),
        resume: false,
        ...(bus ? { bus } : {}),
      });
      try {
        const { correlationId } = await client.publish(ResearchRequested, { topic: 'storms' });

        const first = startScript(CHILD, [dir.path, effects, 'hang', ...args]);
        await first.waitFor(is('handling'));
        first.proc.kill('SIGKILL');
        expect((await first.exited).signal).toBe('SIGKILL');

        const second = startScript(CHILD, [dir.path, effects, 'finish', ...args]);
        await second.waitFor(is('settled'));
        expect((await second.exited).code).toBe(0);

        const fx = sideEffects(effects);
        try {
          // At-least-once: the analyst ran twice; effectively once: one effect, one emitted event.
          expect(fx.calls('analyst@1.0.0')).toBe(2);
          expect(fx.effects('analyst@1.0.0')).toBe(1);
          expect(fx.calls('researcher@1.0.0')).toBe(1);
          expect(fx.calls('writer@1.0.0')).toBe(1);
        } finally {
          fx.close();
        }
        const trace = await client.eventTrace(correlationId);
        expect(trace.eventCount).toBe(4);
        const analysis = trace.roots[0]!.deliveries[0]!.emitted[0] as TracedEvent;
        expect(analysis.deliveries[0]).toMatchObject({
          reactor: 'analyst@1.0.0',
          status: 'done',
          attempts: 2,
        });
        expect(analysis.deliveries[0]!.emitted).toHaveLength(1);
      } finally {
        await client.close();
        await cleanup?.();
      }
    }, 30_000);
  });
}
