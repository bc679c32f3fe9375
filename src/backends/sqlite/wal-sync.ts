/**
 * Durability without blocking the event loop. better-sqlite3 is synchronous: with
 * `synchronous=FULL` every COMMIT waits for an fsync of the WAL on the event loop, and no agent
 * code runs meanwhile. In `fsync: 'background'` mode the connection commits with
 * `synchronous=NORMAL` (the WAL frames are written, not yet synced) and every write method
 * resolves only after an fsync of the WAL file, run on libuv's thread pool, that started after
 * its commit. One fsync covers every commit made before it started, so concurrent writers share
 * them (group commit for fsyncs).
 *
 * Invariants:
 * - `sync()` resolves only after an fsync that started after the call has completed: whatever
 *   the caller committed before calling is then on disk, as with `synchronous=FULL`.
 * - At most one fsync is in flight; callers arriving meanwhile share the next one.
 * - A failed fsync rejects every caller waiting for it (their commits may not be durable).
 *
 * What differs from `synchronous=FULL`: a commit is visible to other readers a moment before
 * it is durable (FULL makes it visible only after the sync). Its writer, the only one that
 * acts on it, still resumes only once it is durable.
 */
import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

interface Waiters {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

function waiters(): Waiters {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Shares background fsyncs of one WAL file among the callers that need their commits durable. */
export class WalSyncer {
  private fd: number | undefined;
  /** Callers of the fsync in flight (undefined: none in flight). */
  private current: Waiters | undefined;
  /** Callers that arrived while an fsync was in flight: they need the next one. */
  private next: Waiters | undefined;

  constructor(
    private readonly walPath: string,
    /** The fsync to run (injectable so tests can hold one in flight). */
    private readonly fsyncFile: (fd: number, done: (err: Error | null) => void) => void = fsync,
  ) {}

  /** Resolves once everything committed before this call is on disk. */
  sync(): Promise<void> {
    if (this.current) {
      this.next ??= waiters();
      return this.next.promise;
    }
    const w = waiters();
    this.start(w);
    return w.promise;
  }

  /** Closes the file descriptor (the connection itself is closed by the store). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private start(w: Waiters): void {
    this.current = w;
    let fd: number;
    try {
      fd = this.open();
    } catch (e) {
      this.settle(e);
      return;
    }
    this.fsyncFile(fd, (err) => this.settle(err ?? undefined));
  }

  private settle(err: unknown): void {
    const done = this.current!;
    this.current = undefined;
    if (err === undefined) done.resolve();
    else done.reject(err);
    const next = this.next;
    this.next = undefined;
    if (next) this.start(next);
  }

  /**
   * The WAL exists once the connection has written in WAL mode (the first commit does). Its
   * directory entry is synced once, so a WAL created since the last boot survives power loss;
   * where directories cannot be opened or synced (Windows), that step is skipped.
   */
  private open(): number {
    if (this.fd !== undefined) return this.fd;
    this.fd = openSync(this.walPath, 'r+');
    try {
      const dir = openSync(dirname(this.walPath), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // Best effort: the platform does not sync directories this way.
    }
    return this.fd;
  }
}
