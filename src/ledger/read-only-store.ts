/**
 * The read-only view of a store (`sqliteStore(path, { readOnly: true })`,
 * `postgresStore(url, { readOnly: true })`, and every read command of the CLI).
 *
 * Invariants:
 * - Every method that writes throws `StoreReadOnlyError` naming the store and the method before
 *   the backend sees the call; reads go to the backend unchanged. The backend itself is opened
 *   read-only too (a SQLite file opened read-only, PostgreSQL sessions whose transactions are
 *   READ ONLY), so a write that slipped past this view would still be refused by the database.
 * - The lists are written out per interface: a method added to an interface fails to compile
 *   here until it is classified as a read or a write.
 * - `migrate()` of a read-only backend opens and checks the store without changing it (never
 *   creates a schema, never applies a migration).
 */
import {
  NotABatonStoreError,
  StoreReadOnlyError,
  StoreSchemaOutdatedError,
  StoreSchemaTooNewError,
} from '../errors.js';
import type { EventStore } from './event-store.js';
import type { GovernanceStore } from './governance-store.js';
import { MIGRATIONS_TABLE, SCHEMA_VERSION } from './migrations.js';
import type { ChangeFeed } from './observe.js';
import type { QuotaStore } from './quota-store.js';
import type { StateStore } from './store.js';

/**
 * Wraps an (already read-only opened) store so that every write is refused with a typed error.
 * @param location how errors name the store (a path, or a URL without password).
 */
export function readOnlyView(inner: StateStore, location: string): StateStore {
  const refuse = (operation: string) => (): Promise<never> =>
    Promise.reject(new StoreReadOnlyError(location, operation));
  const events: EventStore = {
    appendEvents: refuse('events.appendEvents'),
    claimDeliveries: refuse('events.claimDeliveries'),
    renewDeliveries: refuse('events.renewDeliveries'),
    settleDelivery: refuse('events.settleDelivery'),
    redeliverEvent: refuse('events.redeliverEvent'),
    recordCompensation: refuse('events.recordCompensation'),
    readEvents: (q) => inner.events.readEvents(q),
    readDeliveries: (q) => inner.events.readDeliveries(q),
  };
  const g = inner.governance;
  const governance: GovernanceStore = {
    listSubjects: () => g.listSubjects(),
    listCatalog: (subject) => g.listCatalog(subject),
    registerCatalog: refuse('governance.registerCatalog'),
    putSubject: refuse('governance.putSubject'),
    listGrants: () => g.listGrants(),
    addGrant: refuse('governance.addGrant'),
    removeGrant: refuse('governance.removeGrant'),
    listPrincipals: () => g.listPrincipals(),
    putPrincipal: refuse('governance.putPrincipal'),
    appendAudit: refuse('governance.appendAudit'),
    readAudit: (from, limit) => g.readAudit(from, limit),
    saveCheckpoint: refuse('governance.saveCheckpoint'),
    listCheckpoints: (limit) => g.listCheckpoints(limit),
    readPiiKey: (subject) => g.readPiiKey(subject),
    readPiiKeyById: (keyId) => g.readPiiKeyById(keyId),
    createPiiKey: refuse('governance.createPiiKey'),
    erasePiiKey: refuse('governance.erasePiiKey'),
  };
  const quotas: QuotaStore = {
    take: refuse('quotas.take'),
    release: refuse('quotas.release'),
  };
  // The change feed only reads (SQLite polls the journal, PostgreSQL LISTENs, which a READ ONLY
  // session may do).
  const changes: ChangeFeed = inner.changes;
  const view: StateStore & { toJSON(): unknown } = {
    kind: inner.kind,
    readOnly: true,
    migrate: () => inner.migrate(),
    close: () => inner.close(),
    createRun: refuse('createRun'),
    createRuns: refuse('createRuns'),
    getRun: (runId) => inner.getRun(runId),
    listRuns: (query) => inner.listRuns(query),
    readAttributes: (runId) => inner.readAttributes(runId),
    saveShape: refuse('saveShape'),
    readShapes: (name) => inner.readShapes(name),
    commit: refuse('commit'),
    readVersions: (runId, from, to) => inner.readVersions(runId, from, to),
    readJournal: (runId) => inner.readJournal(runId),
    claimRuns: refuse('claimRuns'),
    renewLeases: refuse('renewLeases'),
    appendRecords: (records) =>
      // Nothing to write is not a write (the runtime flushes an empty span batch on close).
      records.length === 0
        ? inner.appendRecords(records)
        : Promise.reject(new StoreReadOnlyError(location, 'appendRecords')),
    queryRecords: (query) => inner.queryRecords(query),
    deleteRun: refuse('deleteRun'),
    pruneRecords: refuse('pruneRecords'),
    events,
    governance,
    changes,
    quotas,
    toJSON: () => ({ ...(inner as { toJSON?: () => object }).toJSON?.(), readOnly: true }),
  };
  return view;
}

/**
 * Whether a store opened read-only can be read by this code, given the migration it was last
 * brought to (`undefined`: it has no migrations table, so no Baton tables at all).
 * @throws NotABatonStoreError when it holds no Baton store.
 * @throws StoreSchemaTooNewError / StoreSchemaOutdatedError when its schema is not this code's.
 */
export function assertReadableSchema(location: string, applied: number | undefined): void {
  if (applied === undefined || applied === 0) {
    const what =
      applied === undefined
        ? `it has no Baton tables (no ${MIGRATIONS_TABLE} table)`
        : `its ${MIGRATIONS_TABLE} table records no migration`;
    // A read never creates a store: that is done by opening it for writing.
    throw new NotABatonStoreError(location, `${what}; a read-only open never creates one`);
  }
  if (applied > SCHEMA_VERSION) throw new StoreSchemaTooNewError(location, applied, SCHEMA_VERSION);
  // A missing migration may be a table or column this code reads: refuse rather than misread.
  if (applied < SCHEMA_VERSION)
    throw new StoreSchemaOutdatedError(location, applied, SCHEMA_VERSION);
}
