import { describe, expect, it } from 'vitest';
import { memoryStore } from '../backends/memory/memory-store.js';
import { isCircuitOpenError, isInvalidArgumentError } from '../errors.js';
import type { StateStore } from '../ledger/store.js';
import { FakeClock } from '../testing/fake-clock.js';
import type { BreakerSettings } from './breaker-state.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { createSharedBreakerFactory, type SharedBreakerRecord } from './shared-breaker.js';

const policy: BreakerSettings = { failureThreshold: 3, resetAfterMs: 1000 };
const boom = () => Promise.reject(new Error('dependency down'));

/** Two runtimes' breakers for one agent on one store (syncMs 0: they read the store every call). */
async function fleet(syncMs = 0) {
  const store: StateStore = memoryStore();
  await store.migrate();
  const clock = new FakeClock(10_000);
  const make = (instance: string) =>
    createSharedBreakerFactory({ store, instance, syncMs })({ name: 'score@1.0.0', policy, clock });
  return { store, clock, a: make('rt-a'), b: make('rt-b') };
}

async function failTimes(breaker: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++)
    await expect(breaker.execute(boom)).rejects.toThrow('dependency down');
}

describe('shared breakers', () => {
  it('trips every runtime when one runtime trips: the others fail fast without calling', async () => {
    const { a, b, store } = await fleet();
    await failTimes(a, 3);
    expect(a.state().state).toBe('open');
    let called = 0;
    const error = await b
      .execute(async () => {
        called++;
        return 1;
      })
      .catch((e: unknown) => e);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(called).toBe(0);
    expect(b.snapshot()).toMatchObject({ state: 'open', retryAfterMs: 1000 });
    expect(b.snapshot().reason).toContain('opened by rt-a');
    const records = await store.queryRecords({ kind: 'breaker', key: 'score@1.0.0' });
    expect(records.map((r) => (r.body as unknown as SharedBreakerRecord).to)).toEqual(['open']);
    expect((records[0]!.body as unknown as SharedBreakerRecord).instance).toBe('rt-a');
  });

  it('sends one probe for the fleet per reset period and closes everyone when it succeeds', async () => {
    const { a, b, clock } = await fleet();
    await failTimes(a, 3);
    await clock.advance(1000);
    let release!: () => void;
    let started!: () => void;
    const inFlight = new Promise<void>((r) => {
      started = r;
    });
    const probe = a.execute(
      () =>
        new Promise<string>((r) => {
          release = () => r('ok');
          started();
        }),
    );
    await inFlight;
    expect(a.state().state).toBe('half-open');
    // B sees the probe in flight elsewhere and waits a reset period from its start.
    const meanwhile = await b.execute(async () => 'called').catch((e: unknown) => e);
    expect(isCircuitOpenError(meanwhile)).toBe(true);
    expect(b.snapshot().reason).toContain('being probed by rt-a');
    release();
    expect(await probe).toBe('ok');
    expect(a.state().state).toBe('closed');
    expect(await b.execute(async () => 'through')).toBe('through');
    expect(b.state().state).toBe('closed');
  });

  it('does not let a call admitted before the adoption close the adopted breaker', async () => {
    const { a, b } = await fleet();
    let finish!: () => void;
    let started!: () => void;
    const inFlight = new Promise<void>((r) => {
      started = r;
    });
    const slow = b.execute(
      () =>
        new Promise<string>((r) => {
          finish = () => r('late');
          started();
        }),
    );
    await inFlight;
    await failTimes(a, 3);
    // B's next call adopts 'open' (and fails fast); then the slow call admitted while closed ends.
    expect(isCircuitOpenError(await b.execute(async () => 1).catch((e: unknown) => e))).toBe(true);
    finish();
    expect(await slow).toBe('late');
    expect(b.state().state).toBe('open');
  });

  it('ignores its own records and states older than what it knows', async () => {
    const { a, b, clock } = await fleet();
    await failTimes(a, 3);
    await clock.advance(1000);
    // A probes and fails: open again from now; B adopts the newest state, not the first one.
    await expect(a.execute(boom)).rejects.toThrow('dependency down');
    expect(isCircuitOpenError(await b.execute(async () => 1).catch((e: unknown) => e))).toBe(true);
    expect(b.snapshot()).toMatchObject({
      state: 'open',
      openedAt: clock.now(),
      retryAfterMs: 1000,
    });
    // A reads back its own record and keeps its local state untouched.
    expect(isCircuitOpenError(await a.execute(async () => 1).catch((e: unknown) => e))).toBe(true);
    expect(a.snapshot().reason).toContain('probe failed');
  });

  it('reads the store at most once per syncMs, one read shared by concurrent callers', async () => {
    const { a, b, clock, store } = await fleet(500);
    let reads = 0;
    const query = store.queryRecords.bind(store);
    store.queryRecords = (q) => {
      reads++;
      return query(q);
    };
    await Promise.all(Array.from({ length: 10 }, () => b.execute(async () => 1)));
    expect(reads).toBe(1);
    await failTimes(a, 3);
    // Within syncMs B has not looked again, so it still calls through once...
    expect(await b.execute(async () => 'stale')).toBe('stale');
    await clock.advance(500);
    // ...and after syncMs it has adopted the fleet's state.
    expect(isCircuitOpenError(await b.execute(async () => 1).catch((e: unknown) => e))).toBe(true);
  });

  it('keeps working like a local breaker when the store fails', async () => {
    const { a, store } = await fleet();
    store.queryRecords = () => Promise.reject(new Error('store down'));
    store.appendRecords = () => Promise.reject(new Error('store down'));
    await failTimes(a, 3);
    expect(isCircuitOpenError(await a.execute(async () => 1).catch((e: unknown) => e))).toBe(true);
  });

  it('rejects a bad syncMs naming the value', () => {
    const store = memoryStore();
    let error: unknown;
    try {
      createSharedBreakerFactory({ store, instance: 'x', syncMs: -1 });
    } catch (e) {
      error = e;
    }
    expect(isInvalidArgumentError(error)).toBe(true);
    expect(String(error)).toContain('-1');
  });
});
