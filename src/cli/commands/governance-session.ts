/**
 * Opening a store for a governance command (catalog, audit, grants): no runtime, no resuming,
 * the store closed on every path out.
 */
import type { StateStore } from '../../index.js';
import { type GlobalOptions, openForSession, type StoreAccess } from '../session.js';

/**
 * Opens the store (read-only for `access: 'read'` without `--as`: checked, never migrated) and
 * migrates it otherwise, runs `fn`, closes the store whatever happens.
 */
export async function withStore<T>(
  options: GlobalOptions,
  fn: (store: StateStore) => Promise<T>,
  access: StoreAccess = 'write',
): Promise<T> {
  const store = await openForSession(options, access);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}
