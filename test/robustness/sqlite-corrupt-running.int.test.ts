/**
 * Row 11 (while running): the SQLite file is damaged under a runtime that is driving runs. The
 * next operation that reads the damage fails with StoreCorruptError naming the file, the runtime
 * refuses new starts with it, runs in flight end without claiming success, and close() works.
 *
 * Why another connection checkpoints first: a connection that holds every page in its cache never
 * reads the file again, so damage it never reads stays invisible to it (SQLite's behaviour, not
 * Baton's). A checkpoint by another connection (a backup, the CLI) moves the WAL into the file and
 * makes the runtime's connection drop its cache, so its next transaction reads the damaged file.
 * The checkpoint and the damage run in one synchronous stretch: nothing of the runtime runs
 * between them.
 */
import { closeSync, openSync, truncateSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  agent,
  createRuntime,
  isStoreCorruptError,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { Num } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A gate the in-flight runs' agents wait on, opened by the test. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

function setup(label: string) {
  const db = tempDbPath(label);
  cleanups.push(db.remove);
  const held = gate();
  let gated = false;
  const started = { count: 0, reached: gate() };
  const GATED_RUNS = 20;
  const step = agent({
    name: 'work',
    version: '1.0.0',
    input: Num,
    output: Num,
    execute: async (n: number) => {
      if (gated) {
        if (++started.count === GATED_RUNS) started.reached.open();
        await held.opened;
      }
      return n + 1;
    },
  });
  const wf = workflow(`corrupt-${label}`, { version: 1, input: Num })
    .step('a', step, { input: (s) => s.input })
    .step('b', step, { input: (s) => s.a, needs: ['a'] })
    .output((s) => s.b);
  const rt = createRuntime({ store: sqliteStore(db.path), workflows: [wf] });
  cleanups.unshift(() => rt.close());
  return {
    path: db.path,
    rt,
    wf,
    GATED_RUNS,
    /** From now on every agent call waits at the gate; resolves once `GATED_RUNS` wait. */
    holdNext: () => {
      gated = true;
      return started.reached.opened;
    },
    release: held.open,
  };
}

/**
 * Checkpoints the WAL into the file from another connection (see the header); returns the page
 * size and the root page of the `runs` table.
 */
function checkpointElsewhere(path: string): { pageSize: number; runsRoot: number } {
  const other = new Database(path);
  try {
    other.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = other.pragma('page_size', { simple: true }) as number;
    const runsRoot = other
      .prepare("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'runs'")
      .pluck()
      .get() as number;
    return { pageSize, runsRoot };
  } finally {
    other.close();
  }
}

type Damage = (path: string, layout: { pageSize: number; runsRoot: number }) => void;

function overwritePage(path: string, pageSize: number, page: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

async function runDamage(label: string, damage: Damage): Promise<void> {
  const { path, rt, wf, GATED_RUNS, holdNext, release } = setup(label);
  // Many runs complete on a healthy file first.
  const done = await Promise.all(Array.from({ length: 100 }, (_, i) => rt.start(wf, i)));
  expect(await Promise.all(done.map((h) => h.result()))).toEqual(
    Array.from({ length: 100 }, (_, i) => i + 2),
  );
  // Then runs are in flight, each holding inside its agent.
  const reached = holdNext();
  const inFlight = await Promise.all(
    Array.from({ length: GATED_RUNS }, (_, i) => rt.start(wf, 1000 + i)),
  );
  await reached;
  const outcomes = inFlight.map((h) =>
    h.result().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  );

  damage(path, checkpointElsewhere(path));

  // The next operation reads the damage.
  const refused = await rt.start(wf, 5000).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStoreCorruptError(refused)).toBe(true);
  expect((refused as Error).message).toContain(path);
  expect((refused as Error).message).toContain('is corrupt');
  // From then on the runtime refuses work with the same typed error, without touching the file.
  const again = await rt.start(wf, 5001).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStoreCorruptError(again)).toBe(true);

  // The runs in flight now finish their agents; none of them may be reported completed.
  release();
  const settled = await Promise.all(outcomes);
  expect(settled.filter((o) => o.ok)).toEqual([]);
  for (const o of settled) expect(isStoreCorruptError(o.ok ? undefined : o.error)).toBe(true);
  await expect(rt.getRun(inFlight[0]!.id)).rejects.toSatisfy(isStoreCorruptError);
  await rt.close();
}

describe('a SQLite file damaged under a running runtime', () => {
  it('pages overwritten: StoreCorruptError, starts refused, nothing in flight completes', async () => {
    // Page 2 (the first table's root) and the root page of `runs`, which every start reads.
    await runDamage('pages', (path, { pageSize, runsRoot }) => {
      overwritePage(path, pageSize, 2);
      overwritePage(path, pageSize, runsRoot);
    });
  });

  it('file truncated to 8 KiB: the same', async () => {
    await runDamage('truncated', (path) => truncateSync(path, 8192));
  });
});

describe('a damaged SQLite file met first by a path other than a run operation', () => {
  it('the change feed, governance, quotas and events stop the store with StoreCorruptError too', async () => {
    const db = tempDbPath('corrupt-side-paths');
    cleanups.push(db.remove);
    const store = sqliteStore(db.path);
    const step = agent({
      name: 'inc',
      version: '1.0.0',
      input: Num,
      output: Num,
      execute: (n: number) => n + 1,
    });
    const wf = workflow('corrupt-side', { version: 1, input: Num })
      .step('a', step, { input: (s) => s.input })
      .output((s) => s.a);
    const rt = createRuntime({ store, workflows: [wf] });
    cleanups.unshift(() => rt.close());
    const runs = await Promise.all(Array.from({ length: 200 }, (_, i) => rt.start(wf, i)));
    await Promise.all(runs.map((r) => r.result()));

    checkpointElsewhere(db.path);
    truncateSync(db.path, 8192);

    const first = await store.changes.read({ limit: 1000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStoreCorruptError(first)).toBe(true);
    expect((first as Error).message).toContain(db.path);
    // The store has stopped: every other path now gives the same typed error, not a raw one.
    for (const call of [
      () => store.governance.listSubjects(),
      () =>
        store.quotas.take({
          key: 'k',
          now: 1,
          estimate: 1,
          leaseMs: 1000,
          limits: { rpm: 5, windowMs: 60_000 },
        }),
      () => store.events.readEvents({ limit: 10 }),
      () => store.getRun(runs[0]!.id),
    ]) {
      const e = await call().then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(isStoreCorruptError(e), String(e)).toBe(true);
    }
    await expect(rt.start(wf, 999)).rejects.toSatisfy(isStoreCorruptError);
  });
});
