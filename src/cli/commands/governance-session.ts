/**
 * Opening a store for a governance command (catalog, audit, grants): no runtime, no resuming,
 * the store closed on every path out.
 */
import type { StateStore } from '../../index.js';
import { type GlobalOptions, openStore } from '../session.js';

/** Opens and migrates the store, runs `fn`, closes the store whatever happens. */
export async function withStore<T>(
  options: GlobalOptions,
  fn: (store: StateStore) => Promise<T>,
): Promise<T> {
  const store = await openStore(options.store);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}
