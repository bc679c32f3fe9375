/**
 * The versioned schema of every SQL ledger (SQLite and PostgreSQL share this list).
 *
 * Invariants:
 * - The list is ordered by `id`, starting at 1, with no gaps.
 * - A migration that has shipped is never edited: change the schema by appending a new one.
 * - A runner applies each migration together with its row in `baton_migrations` in one
 *   transaction, so a crash leaves the schema at a migration boundary, never half-applied.
 * - The presence of `baton_migrations` is what marks a database as a Baton store.
 * - Timestamps are integer milliseconds since the epoch. Version payloads are stored as the exact
 *   canonical text that was hashed (TEXT, never JSONB, which would reorder keys and break hashes).
 */

/** One schema migration, with the DDL for each SQL backend. */
export interface Migration {
  /** Position in the list, from 1. Recorded in `baton_migrations.id`. */
  readonly id: number;
  /** A short snake_case description, recorded next to the id. */
  readonly name: string;
  /** Statements for SQLite, run in order inside the migration's transaction. */
  readonly sqlite: readonly string[];
  /** Statements for PostgreSQL, run in order inside the migration's transaction. */
  readonly postgres: readonly string[];
}

/** The table that records applied migrations; its presence marks a Baton store. */
export const MIGRATIONS_TABLE = 'baton_migrations';

/** DDL of the bookkeeping table, created before the first migration runs. */
export const MIGRATIONS_TABLE_DDL = {
  sqlite: `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`,
  postgres: `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL
  )`,
} as const;

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'ledger',
    sqlite: [
      `CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        workflow_version INTEGER NOT NULL,
        status TEXT NOT NULL,
        head_version INTEGER NOT NULL,
        idempotency_key TEXT UNIQUE,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        output TEXT,
        error TEXT,
        waiting_for TEXT,
        lease_owner TEXT,
        lease_expires_at INTEGER,
        parent_run_id TEXT,
        parent_version INTEGER
      )`,
      'CREATE INDEX runs_created_idx ON runs (created_at, run_id)',
      'CREATE INDEX runs_status_idx ON runs (status, created_at, run_id)',
      'CREATE INDEX runs_workflow_idx ON runs (workflow, created_at, run_id)',
      `CREATE TABLE versions (
        run_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        step TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_by TEXT NOT NULL,
        input_version INTEGER,
        contract TEXT,
        tag TEXT,
        created_at INTEGER NOT NULL,
        trace_id TEXT,
        hash TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        PRIMARY KEY (run_id, version)
      )`,
      `CREATE TABLE journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        type TEXT NOT NULL,
        step TEXT,
        attempt INTEGER,
        at INTEGER NOT NULL,
        duration_ms INTEGER,
        input_version INTEGER,
        version INTEGER,
        error TEXT,
        detail TEXT
      )`,
      'CREATE INDEX journal_run_idx ON journal (run_id, seq)',
      `CREATE TABLE records (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        run_id TEXT,
        at INTEGER NOT NULL,
        body TEXT NOT NULL
      )`,
      'CREATE INDEX records_key_idx ON records (kind, key, id)',
      'CREATE INDEX records_run_idx ON records (kind, run_id, id)',
      'CREATE INDEX records_at_idx ON records (kind, at)',
    ],
    postgres: [
      `CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        workflow_version INTEGER NOT NULL,
        status TEXT NOT NULL,
        head_version INTEGER NOT NULL,
        idempotency_key TEXT UNIQUE,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        output TEXT,
        error TEXT,
        waiting_for TEXT,
        lease_owner TEXT,
        lease_expires_at BIGINT,
        parent_run_id TEXT,
        parent_version INTEGER
      )`,
      'CREATE INDEX runs_created_idx ON runs (created_at, run_id)',
      'CREATE INDEX runs_status_idx ON runs (status, created_at, run_id)',
      'CREATE INDEX runs_workflow_idx ON runs (workflow, created_at, run_id)',
      `CREATE TABLE versions (
        run_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        step TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_by TEXT NOT NULL,
        input_version INTEGER,
        contract TEXT,
        tag TEXT,
        created_at BIGINT NOT NULL,
        trace_id TEXT,
        hash TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        PRIMARY KEY (run_id, version)
      )`,
      `CREATE TABLE journal (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id TEXT NOT NULL,
        type TEXT NOT NULL,
        step TEXT,
        attempt INTEGER,
        at BIGINT NOT NULL,
        duration_ms DOUBLE PRECISION,
        input_version INTEGER,
        version INTEGER,
        error TEXT,
        detail TEXT
      )`,
      'CREATE INDEX journal_run_idx ON journal (run_id, seq)',
      `CREATE TABLE records (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        run_id TEXT,
        at BIGINT NOT NULL,
        body TEXT NOT NULL
      )`,
      'CREATE INDEX records_key_idx ON records (kind, key, id)',
      'CREATE INDEX records_run_idx ON records (kind, run_id, id)',
      'CREATE INDEX records_at_idx ON records (kind, at)',
    ],
  },
  {
    // Choreography: the event log, per-consumer positions and deliveries (the inbox).
    id: 2,
    name: 'events',
    sqlite: [
      `CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        correlation_id TEXT NOT NULL,
        causation_id TEXT,
        producer TEXT NOT NULL,
        failure INTEGER NOT NULL,
        at INTEGER NOT NULL
      )`,
      'CREATE INDEX events_correlation_idx ON events (correlation_id, seq)',
      'CREATE INDEX events_type_idx ON events (type, seq)',
      'CREATE INDEX events_failure_idx ON events (failure, seq)',
      `CREATE TABLE consumer_positions (
        consumer TEXT PRIMARY KEY,
        position INTEGER NOT NULL
      )`,
      `CREATE TABLE deliveries (
        event_id TEXT NOT NULL,
        consumer TEXT NOT NULL,
        kind TEXT NOT NULL,
        seq INTEGER NOT NULL,
        correlation_id TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        available_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_expires_at INTEGER,
        started_at INTEGER,
        finished_at INTEGER,
        duplicates INTEGER NOT NULL,
        error TEXT,
        PRIMARY KEY (event_id, consumer, kind)
      )`,
      'CREATE INDEX deliveries_due_idx ON deliveries (consumer, status, seq)',
      'CREATE INDEX deliveries_order_idx ON deliveries (consumer, correlation_id, seq)',
      'CREATE INDEX deliveries_correlation_idx ON deliveries (correlation_id, seq)',
    ],
    postgres: [
      `CREATE TABLE events (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        correlation_id TEXT NOT NULL,
        causation_id TEXT,
        producer TEXT NOT NULL,
        failure BOOLEAN NOT NULL,
        at BIGINT NOT NULL
      )`,
      'CREATE INDEX events_correlation_idx ON events (correlation_id, seq)',
      'CREATE INDEX events_type_idx ON events (type, seq)',
      'CREATE INDEX events_failure_idx ON events (failure, seq)',
      `CREATE TABLE consumer_positions (
        consumer TEXT PRIMARY KEY,
        position BIGINT NOT NULL
      )`,
      `CREATE TABLE deliveries (
        event_id TEXT NOT NULL,
        consumer TEXT NOT NULL,
        kind TEXT NOT NULL,
        seq BIGINT NOT NULL,
        correlation_id TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        available_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_expires_at BIGINT,
        started_at BIGINT,
        finished_at BIGINT,
        duplicates INTEGER NOT NULL,
        error TEXT,
        PRIMARY KEY (event_id, consumer, kind)
      )`,
      'CREATE INDEX deliveries_due_idx ON deliveries (consumer, status, seq)',
      'CREATE INDEX deliveries_order_idx ON deliveries (consumer, correlation_id, seq)',
      'CREATE INDEX deliveries_correlation_idx ON deliveries (correlation_id, seq)',
    ],
  },
  {
    // Governance: the contract catalog, principals and grants, the audit chain, checkpoints.
    id: 3,
    name: 'governance',
    sqlite: [
      `CREATE TABLE catalog_subjects (
        subject TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      )`,
      `CREATE TABLE catalog_versions (
        subject TEXT NOT NULL,
        version INTEGER NOT NULL,
        contract_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        json_schema TEXT,
        rules TEXT NOT NULL,
        pii TEXT NOT NULL,
        registered_at INTEGER NOT NULL,
        registered_by TEXT NOT NULL,
        PRIMARY KEY (subject, version)
      )`,
      `CREATE TABLE grants (
        principal TEXT NOT NULL,
        privilege TEXT NOT NULL,
        securable TEXT NOT NULL,
        granted_at INTEGER NOT NULL,
        granted_by TEXT NOT NULL,
        PRIMARY KEY (principal, privilege, securable)
      )`,
      `CREATE TABLE principals (
        principal TEXT PRIMARY KEY,
        public_key TEXT,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      )`,
      `CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        principal TEXT NOT NULL,
        action TEXT NOT NULL,
        securable TEXT NOT NULL,
        params TEXT NOT NULL,
        result TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      )`,
      // Append-only by construction; tampering needs dropping the triggers first.
      `CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit chain is append-only'); END`,
      `CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit chain is append-only'); END`,
      `CREATE TABLE audit_checkpoints (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        audit_size INTEGER NOT NULL,
        at INTEGER NOT NULL,
        body TEXT NOT NULL
      )`,
    ],
    postgres: [
      `CREATE TABLE catalog_subjects (
        subject TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        updated_by TEXT NOT NULL
      )`,
      `CREATE TABLE catalog_versions (
        subject TEXT NOT NULL,
        version INTEGER NOT NULL,
        contract_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        json_schema TEXT,
        rules TEXT NOT NULL,
        pii TEXT NOT NULL,
        registered_at BIGINT NOT NULL,
        registered_by TEXT NOT NULL,
        PRIMARY KEY (subject, version)
      )`,
      `CREATE TABLE grants (
        principal TEXT NOT NULL,
        privilege TEXT NOT NULL,
        securable TEXT NOT NULL,
        granted_at BIGINT NOT NULL,
        granted_by TEXT NOT NULL,
        PRIMARY KEY (principal, privilege, securable)
      )`,
      `CREATE TABLE principals (
        principal TEXT PRIMARY KEY,
        public_key TEXT,
        created_at BIGINT NOT NULL,
        created_by TEXT NOT NULL
      )`,
      `CREATE TABLE audit (
        seq BIGINT PRIMARY KEY,
        at BIGINT NOT NULL,
        principal TEXT NOT NULL,
        action TEXT NOT NULL,
        securable TEXT NOT NULL,
        params TEXT NOT NULL,
        result TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      )`,
      `CREATE FUNCTION baton_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit chain is append-only'; END $$`,
      `CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION baton_audit_append_only()`,
      `CREATE TABLE audit_checkpoints (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        audit_size BIGINT NOT NULL,
        at BIGINT NOT NULL,
        body TEXT NOT NULL
      )`,
    ],
  },
  {
    // Seeing the system from the store alone: workflow shapes, search attributes, and the
    // status each journal entry's write set (the change feed that watchers follow). On
    // PostgreSQL each journal row also records its writing transaction (so a reader never
    // passes an entry whose transaction is still in flight) and wakes listeners on commit.
    id: 4,
    name: 'observe',
    sqlite: [
      `CREATE TABLE workflow_shapes (
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        shape TEXT NOT NULL,
        registered_at INTEGER NOT NULL,
        PRIMARY KEY (name, version)
      )`,
      `CREATE TABLE run_attributes (
        run_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, key)
      )`,
      'CREATE INDEX run_attributes_lookup_idx ON run_attributes (key, value, created_at, run_id)',
      'ALTER TABLE journal ADD COLUMN run_status TEXT',
    ],
    postgres: [
      `CREATE TABLE workflow_shapes (
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        shape TEXT NOT NULL,
        registered_at BIGINT NOT NULL,
        PRIMARY KEY (name, version)
      )`,
      `CREATE TABLE run_attributes (
        run_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (run_id, key)
      )`,
      'CREATE INDEX run_attributes_lookup_idx ON run_attributes (key, value, created_at, run_id)',
      'ALTER TABLE journal ADD COLUMN run_status TEXT',
      'ALTER TABLE journal ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id()',
      'CREATE INDEX journal_tx_idx ON journal (tx, seq)',
      `CREATE FUNCTION baton_journal_notify() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify('baton_changes', current_schema());
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER journal_notify AFTER INSERT ON journal
       FOR EACH STATEMENT EXECUTE FUNCTION baton_journal_notify()`,
    ],
  },
  {
    // Crypto-shredding: one data key per data subject, wrapped by the application's
    // key-encryption key. Kept outside every hash chain: erasing a subject clears its wrapped
    // key (the row stays, as the record that it was erased), and every chain still verifies.
    id: 5,
    name: 'pii_keys',
    sqlite: [
      `CREATE TABLE pii_keys (
        subject TEXT PRIMARY KEY,
        key_id TEXT NOT NULL UNIQUE,
        wrapped_key TEXT,
        created_at INTEGER NOT NULL,
        erased_at INTEGER
      )`,
    ],
    postgres: [
      `CREATE TABLE pii_keys (
        subject TEXT PRIMARY KEY,
        key_id TEXT NOT NULL UNIQUE,
        wrapped_key TEXT,
        created_at BIGINT NOT NULL,
        erased_at BIGINT
      )`,
    ],
  },
];

/** The schema version this code writes: the id of the newest migration. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.id;

/** The migrations still to apply on a store at `appliedVersion`, oldest first. */
export function pendingMigrations(appliedVersion: number): readonly Migration[] {
  return MIGRATIONS.filter((m) => m.id > appliedVersion);
}
