/**
 * Opening a store and a runtime for one CLI command.
 *
 * Invariants:
 * - The CLI never creates a database: a `--store` path that does not exist, is a directory or is
 *   an empty file is refused before SQLite touches it.
 * - A command that only reads (`access: 'read'`) opens the store read-only: the SQLite file
 *   read-only, PostgreSQL in READ ONLY sessions; it never creates a schema or applies a
 *   migration, and refuses anything but a Baton store of this release's schema. With `--as` a
 *   read may be denied, and a denial is audited (a write): the store is then checked read-only
 *   first and opened for writing only once it is known to be a current Baton store.
 * - The runtime is created with `resume: false`, so a command only answers questions (or
 *   performs the one action asked for); it never claims, drives or resumes other runs.
 * - The runtime (and with it the store) is closed on every path out of a command.
 */
import { statSync } from 'node:fs';
import { InvalidArgumentError, NotABatonStoreError, NotFoundError } from '../errors.js';
import type { Runtime, StateStore, Workflow } from '../index.js';
import { library } from './library.js';
import { importUserModule } from './load-module.js';
import { piiFromEnv } from './pii-env.js';
import { asSessionRuntime, authenticate } from './principal-session.js';

/** The options every command shares. */
export interface GlobalOptions {
  readonly store: string;
  readonly json: boolean;
  /** Act as this principal (`--as`): privileges checked, actions audited, PII masked. */
  readonly as?: string;
  /** The principal's private key file, for a principal recorded with a public key. */
  readonly principalKey?: string;
  /** The PostgreSQL schema holding Baton's tables (`--schema`; default `baton`). */
  readonly schema?: string;
}

/** An open store and a runtime over it. */
export interface Session {
  readonly rt: Runtime;
  readonly store: StateStore;
}

/** What a command does with the store: only read it, or also write. */
export type StoreAccess = 'read' | 'write';

/** The store argument the CLI defaults to. */
export const DEFAULT_STORE = './baton.db';

/**
 * Checks the `--store` value and builds the store, without opening it: a `postgres://` URL is a
 * PostgreSQL store (the driver is loaded only then), anything else a SQLite file that must exist.
 * With `access: 'read'` the store is read-only (see the invariants above).
 * @throws InvalidArgumentError for a path that is not a file.
 * @throws NotFoundError when the file does not exist.
 * @throws NotABatonStoreError for an empty file.
 */
export async function openStore(
  location: string,
  access: StoreAccess = 'write',
  schema?: string,
): Promise<StateStore> {
  const readOnly = access === 'read';
  if (/^postgres(ql)?:\/\//i.test(location)) {
    const { postgresStore } = await import('../backends/postgres/index.js');
    return postgresStore({
      connectionString: location,
      ...(readOnly ? { readOnly } : {}),
      ...(schema !== undefined ? { schema } : {}),
    });
  }
  if (schema !== undefined)
    throw new InvalidArgumentError(
      `--schema applies to a postgres:// store only, and '${location}' is a SQLite file`,
      'schema',
    );
  let size: number;
  try {
    const st = statSync(location);
    if (!st.isFile()) throw new InvalidArgumentError(`store '${location}' is not a file`, 'store');
    size = st.size;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') throw new NotFoundError('store', location);
    throw e;
  }
  if (size === 0) throw new NotABatonStoreError(location, 'it is an empty file');
  return (await library()).sqliteStore(location, readOnly ? { readOnly } : {});
}

/**
 * Opens the store as `access` asks; for a read with `--as`, checks it read-only first (a denied
 * read is audited, so the session itself must be able to write).
 */
export async function openForSession(
  options: GlobalOptions,
  access: StoreAccess,
): Promise<StateStore> {
  if (access === 'read' && options.as !== undefined) {
    const probe = await openStore(options.store, 'read', options.schema);
    try {
      await probe.migrate();
    } finally {
      await probe.close();
    }
    return openStore(options.store, 'write', options.schema);
  }
  return openStore(options.store, access, options.schema);
}

/**
 * Opens the store (read-only for `access: 'read'`) and a non-resuming runtime, runs `fn`, and
 * closes both whatever happens.
 * @throws whatever opening the store throws (NotABatonStoreError, StoreSchemaTooNewError, ...).
 */
export async function withSession<T>(
  options: GlobalOptions,
  workflows: readonly Workflow<unknown, unknown>[],
  fn: (session: Session) => Promise<T>,
  access: StoreAccess = 'write',
): Promise<T> {
  const store = await openForSession(options, access);
  const rt = (await library()).createRuntime({ store, workflows, resume: false, ...piiFromEnv() });
  try {
    await rt.ready();
    if (options.as !== undefined) {
      await authenticate(store, options.as, options.principalKey);
      return await fn({ rt: asSessionRuntime(rt.as(options.as)), store });
    }
    return await fn({ rt, store });
  } finally {
    await rt.close();
  }
}

/**
 * Imports a module (`.js`, or `.ts` through tsx) and collects the workflows it exports (directly
 * or in exported arrays).
 * Importing runs the module's top-level code: that is the point of `--workflows`, and the only
 * user code the CLI ever runs.
 * @throws InvalidArgumentError when the module cannot be loaded or exports no workflow.
 */
export async function loadWorkflows(
  modulePath: string | undefined,
): Promise<Workflow<unknown, unknown>[]> {
  if (modulePath === undefined) return [];
  const mod = await importUserModule(modulePath, 'workflows');
  const { isWorkflow } = await library();
  const found = new Set<Workflow<unknown, unknown>>();
  for (const value of Object.values(mod)) {
    const items: unknown[] = Array.isArray(value) ? value : [value];
    for (const item of items) if (isWorkflow(item)) found.add(item as Workflow<unknown, unknown>);
  }
  if (found.size === 0) {
    throw new InvalidArgumentError(
      `workflows module '${modulePath}' exports no workflow (export each workflow, or an array of them)`,
      'workflows',
    );
  }
  return [...found];
}
