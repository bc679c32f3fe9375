/**
 * SQLite errors that mean the file itself can no longer be trusted or written: a damaged file
 * (SQLITE_CORRUPT*, SQLITE_NOTADB) or a full disk (SQLITE_FULL). They concern the whole store,
 * not one write, so the store stops at the first one (sqlite-store.ts) and every later call gets
 * the same typed error naming the file.
 *
 * Invariants:
 * - Only driver errors with one of these codes are fatal; a lock timeout, a constraint or a
 *   domain error is not (the write fails, the store goes on).
 */
import { StoreCorruptError, StoreFullError } from '../../errors.js';

/** The typed error for a fatal driver error on `path`, or undefined when `e` is not fatal. */
export function fatalStoreError(
  path: string,
  e: unknown,
): StoreCorruptError | StoreFullError | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const message = e instanceof Error ? e.message : String(e);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StoreCorruptError(path, `${message} (${code})`, e);
  }
  // SQLite maps ENOSPC to SQLITE_FULL; growing the -shm file on a full disk is SHMSIZE.
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_SHMSIZE') {
    return new StoreFullError(path, `${message} (${code})`, e);
  }
  return undefined;
}

/** Whether `e` is a driver error that stops the store (see `fatalStoreError`). */
export function isFatalDriverError(e: unknown): boolean {
  return fatalStoreError('', e) !== undefined;
}

/**
 * `target` with every method's errors passed through `stop` (the store's `stopOnFatal`): the
 * event, governance, quota and change-feed paths stop the store at a damaged file or a full disk
 * as the run paths do, instead of throwing the driver's raw error. Methods keep their `this`.
 * Their interfaces return promises, so a method that throws at once (a stopped store) rejects
 * instead; the methods named in `sync` (the store's own bookkeeping) throw as they are.
 */
export function stoppingOnFatal<T extends object>(
  target: T,
  stop: (e: unknown) => unknown,
  sync: readonly string[] = [],
): T {
  // Wrappers by key, rebuilt when the method itself was replaced (a test or bench patching it).
  const wrapped = new Map<PropertyKey, { fn: unknown; w: unknown }>();
  return new Proxy(target, {
    get(t, key, receiver) {
      const value: unknown = Reflect.get(t, key, receiver);
      if (typeof value !== 'function') return value;
      const cached = wrapped.get(key);
      let w = cached?.fn === value ? cached.w : undefined;
      if (w === undefined) {
        const fn = value as (...args: unknown[]) => unknown;
        const isSync = typeof key === 'string' && sync.includes(key);
        w = (...args: unknown[]) => {
          let out: unknown;
          try {
            out = fn.apply(t, args);
          } catch (e) {
            if (isSync) throw stop(e);
            return Promise.reject(stop(e));
          }
          return out instanceof Promise
            ? out.catch((e: unknown) => {
                throw stop(e);
              })
            : out;
        };
        wrapped.set(key, { fn: value, w });
      }
      return w;
    },
  });
}
