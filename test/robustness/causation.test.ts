/** Row 3: a reactor loop ends at maxCausationDepth, dead-lettered, and never starves timers. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createRuntime,
  event,
  isInvalidArgumentError,
  memoryStore,
  reactor,
  sqliteStore,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';

const Ping = event('robust.ping@1', z.object({ n: z.number() }));

function pingPong() {
  const seen = { count: 0 };
  const echo = reactor({
    name: 'echo',
    version: '1.0.0',
    on: Ping,
    emits: [Ping],
    handle: async (e, ctx) => {
      seen.count++;
      ctx.emit(Ping, { n: e.payload.n + 1 });
    },
  });
  return { echo, seen };
}

describe.each([
  ['memory', () => ({ store: memoryStore(), remove: async () => {} })],
  [
    'sqlite',
    () => {
      const db = tempDbPath('causation');
      return { store: sqliteStore(db.path), remove: db.remove };
    },
  ],
] as const)('a reactor that emits the event it handles (%s)', (_name, open) => {
  it('stops at maxCausationDepth with a dead letter naming the limit', async () => {
    const { echo, seen } = pingPong();
    const { store, remove } = open();
    const rt = createRuntime({ store, reactors: [echo], maxCausationDepth: 20, pollMs: 20 });
    try {
      await rt.ready();
      await rt.publish(Ping, { n: 0 });
      await rt.eventsSettled();
      // Depths 0..19 each emitted one more; the handler at depth 20 could not emit depth 21.
      expect(seen.count).toBe(21);
      const dead = await rt.deadLetters();
      expect(dead).toHaveLength(1);
      expect(dead[0]?.error).toMatchObject({ code: 'CAUSATION_DEPTH_EXCEEDED' });
      expect(dead[0]?.error?.message).toContain('over maxCausationDepth 20');
      expect(dead[0]?.attempts).toBe(1);
    } finally {
      await rt.close();
      await remove();
    }
  });
});

describe('maxCausationDepth', () => {
  it('defaults to 1000, and timers run while a loop on the memory store is delivered', async () => {
    const { echo, seen } = pingPong();
    const rt = createRuntime({ store: memoryStore(), reactors: [echo] });
    try {
      await rt.ready();
      // A due timer runs between deliveries (they yield to the event loop), long before the
      // 1,001st delivery; without the yield it ran only once the whole loop was over.
      let deliveriesWhenTimerRan = -1;
      setTimeout(() => {
        deliveriesWhenTimerRan = seen.count;
      }, 0);
      await rt.publish(Ping, { n: 0 });
      await rt.eventsSettled();
      expect(seen.count).toBe(1001);
      expect(deliveriesWhenTimerRan).toBeGreaterThanOrEqual(0);
      expect(deliveriesWhenTimerRan).toBeLessThan(1001);
      const dead = await rt.deadLetters();
      expect(dead[0]?.error?.message).toContain('over maxCausationDepth 1000');
    } finally {
      await rt.close();
    }
  });

  it('must be a positive integer', () => {
    let e: unknown;
    try {
      createRuntime({ store: memoryStore(), maxCausationDepth: 0 });
    } catch (err) {
      e = err;
    }
    expect(isInvalidArgumentError(e)).toBe(true);
    expect((e as Error).message).toContain('maxCausationDepth must be a positive integer');
  });
});
