/**
 * Background WAL fsync (wal-sync.ts): callers share fsyncs, a caller is acknowledged only by an
 * fsync that started after its call, and a failed fsync fails its waiters without wedging later
 * ones. The fsync is injected so a test can hold one in flight; the file is real.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/backends/sqlite/sqlite-store.js';
import { WalSyncer } from '../../src/backends/sqlite/wal-sync.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { tempDbPath } from '../support/temp-db.js';

type Done = (err: Error | null) => void;

/** An fsync that completes only when the test says so. */
function heldFsync() {
  const pending: Done[] = [];
  return {
    calls: () => pending.length,
    fsync: (_fd: number, done: Done) => {
      pending.push(done);
    },
    complete: (i: number, err: Error | null = null) => pending[i]!(err),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function walFile(): string {
  const db = tempDbPath('wal');
  cleanups.push(db.remove);
  const wal = `${db.path}-wal`;
  writeFileSync(wal, 'frames');
  return wal;
}

describe('WalSyncer', () => {
  it('makes callers that arrive during an fsync share the next one', async () => {
    const f = heldFsync();
    const syncer = new WalSyncer(walFile(), f.fsync);
    const settled: string[] = [];
    const first = [syncer.sync().then(() => settled.push('first'))];
    expect(f.calls()).toBe(1);
    // These arrive while fsync 0 is in flight: it may have started before their commits.
    const second = Array.from({ length: 50 }, (_, i) =>
      syncer.sync().then(() => settled.push(`second-${i}`)),
    );
    expect(f.calls()).toBe(1);
    f.complete(0);
    await Promise.all(first);
    expect(settled).toEqual(['first']);
    expect(f.calls()).toBe(2);
    f.complete(1);
    await Promise.all(second);
    expect(settled).toHaveLength(51);
    expect(f.calls()).toBe(2);
    syncer.close();
  });

  it('rejects the waiters of a failed fsync and serves later callers with a new one', async () => {
    const f = heldFsync();
    const syncer = new WalSyncer(walFile(), f.fsync);
    const failed = syncer.sync();
    const later = syncer.sync();
    f.complete(0, new Error('EIO: disk gone'));
    await expect(failed).rejects.toThrow(/EIO/);
    f.complete(1);
    await expect(later).resolves.toBeUndefined();
    syncer.close();
  });

  it('rejects when the WAL file cannot be opened', async () => {
    const db = tempDbPath('wal');
    cleanups.push(db.remove);
    const syncer = new WalSyncer(join(db.path, 'missing-wal'));
    await expect(syncer.sync()).rejects.toThrow(/ENOENT/);
  });

  it('syncs a real WAL file with the real fsync', async () => {
    const syncer = new WalSyncer(walFile());
    await Promise.all([syncer.sync(), syncer.sync(), syncer.sync()]);
    syncer.close();
  });
});

describe('sqliteStore fsync option', () => {
  it('rejects an unknown mode, and a mode with synchronous NORMAL, naming the option', () => {
    const bad = (options: object) => {
      try {
        sqliteStore('x.db', options as never);
      } catch (e) {
        return e;
      }
      throw new Error('accepted');
    };
    for (const options of [{ fsync: 'sometimes' }, { synchronous: 'NORMAL', fsync: 'inline' }]) {
      const e = bad(options);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).message).toMatch(/fsync/);
    }
  });

  it('pipelines group commits only when it syncs in the background', () => {
    expect(sqliteStore('x.db').commitPipeline).toBeGreaterThan(1);
    expect(sqliteStore('x.db', { fsync: 'inline' }).commitPipeline).toBe(1);
    expect(sqliteStore(':memory:').commitPipeline).toBe(1);
  });
});
