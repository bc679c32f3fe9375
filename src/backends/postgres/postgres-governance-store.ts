/**
 * The PostgreSQL governance tables (the GovernanceStore contract of
 * src/governance/governance-store.ts).
 *
 * Invariants:
 * - Every write takes a transaction-scoped advisory lock of the schema's audit chain before it
 *   reads the chain's head, and appends its audit entries in the same transaction as its
 *   change: writers on any number of machines append one after the other, never forking it.
 * - A catalog registration also runs under that lock, so two runtimes registering versions of
 *   one subject at once are judged in turn.
 */
import type pg from 'pg';
import { AUDIT_GENESIS, chainAudit } from '../../governance/audit-hash.js';
import type {
  AuditDraft,
  CatalogVersionRecord,
  GovernanceStore,
  GrantRecord,
  PrincipalRecord,
  SubjectRecord,
} from '../../ledger/governance-store.js';
import {
  type AuditRow,
  auditParams,
  catalogParams,
  type PiiKeyRow,
  toAuditEntry,
  toCatalogVersion,
  toPiiKey,
  type VersionRow,
} from '../sql/governance-rows.js';

/** How the governance store reaches the database (as the event store does). */
export interface GovernanceStoreAccess {
  readonly schema: string;
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]>;
}

type Num = string | number;

interface SubjectRow {
  subject: string;
  mode: string;
  updated_at: Num;
  updated_by: string;
}

const toSubject = (r: SubjectRow): SubjectRecord =>
  Object.freeze({
    subject: r.subject,
    mode: r.mode as SubjectRecord['mode'],
    updatedAt: Number(r.updated_at),
    updatedBy: r.updated_by,
  });

const PUT_SUBJECT = `INSERT INTO catalog_subjects (subject, mode, updated_at, updated_by)
  VALUES ($1, $2, $3, $4) ON CONFLICT (subject) DO UPDATE SET mode = EXCLUDED.mode,
  updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`;

/** Creates the governance tables' access over `db`. */
export function createPostgresGovernanceStore(db: GovernanceStoreAccess): GovernanceStore {
  const locked = <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> =>
    db.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`baton-audit:${db.schema}`]);
      return fn(c);
    });
  const append = async (c: pg.PoolClient, drafts: readonly AuditDraft[]) => {
    if (drafts.length === 0) return;
    const head = await c.query<{ seq: Num; hash: string }>(
      'SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1',
    );
    const last = head.rows[0];
    for (const e of chainAudit(Number(last?.seq ?? 0), last?.hash ?? AUDIT_GENESIS, drafts)) {
      await c.query(
        `INSERT INTO audit (seq, at, principal, action, securable, params, result, detail,
           prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        auditParams(e),
      );
    }
  };
  const putSubject = (c: pg.PoolClient, s: SubjectRecord) =>
    c.query(PUT_SUBJECT, [s.subject, s.mode, s.updatedAt, s.updatedBy]);

  return {
    listSubjects: async () =>
      (await db.query<SubjectRow>('SELECT * FROM catalog_subjects ORDER BY subject', [])).map(
        toSubject,
      ),
    listCatalog: async (subject) => {
      const rows = await db.query<VersionRow>(
        `SELECT * FROM catalog_versions WHERE ($1::text IS NULL OR subject = $1)
         ORDER BY subject, version`,
        [subject ?? null],
      );
      return rows.map(toCatalogVersion);
    },
    registerCatalog: (subject, decide) =>
      locked(async (c) => {
        const s = await c.query<SubjectRow>('SELECT * FROM catalog_subjects WHERE subject = $1', [
          subject,
        ]);
        const v = await c.query<VersionRow>(
          'SELECT * FROM catalog_versions WHERE subject = $1 ORDER BY version',
          [subject],
        );
        const decision = decide(
          s.rows[0] ? toSubject(s.rows[0]) : undefined,
          v.rows.map(toCatalogVersion),
        );
        if (decision.subject) await putSubject(c, decision.subject);
        if (decision.insert) await insertVersion(c, decision.insert);
        await append(c, decision.audit);
        return decision;
      }),
    putSubject: (s, draft) =>
      locked(async (c) => {
        await putSubject(c, s);
        await append(c, [draft]);
      }),
    listGrants: async () =>
      (
        await db.query<{
          principal: string;
          privilege: string;
          securable: string;
          granted_at: Num;
          granted_by: string;
        }>('SELECT * FROM grants ORDER BY principal, privilege, securable', [])
      ).map(
        (r): GrantRecord =>
          Object.freeze({
            principal: r.principal,
            privilege: r.privilege,
            securable: r.securable,
            grantedAt: Number(r.granted_at),
            grantedBy: r.granted_by,
          }),
      ),
    addGrant: (g, draft) =>
      locked(async (c) => {
        const r = await c.query(
          `INSERT INTO grants (principal, privilege, securable, granted_at, granted_by)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [g.principal, g.privilege, g.securable, g.grantedAt, g.grantedBy],
        );
        await append(c, [draft]);
        return (r.rowCount ?? 0) > 0;
      }),
    removeGrant: (g, draft) =>
      locked(async (c) => {
        const r = await c.query(
          'DELETE FROM grants WHERE principal = $1 AND privilege = $2 AND securable = $3',
          [g.principal, g.privilege, g.securable],
        );
        await append(c, [draft]);
        return (r.rowCount ?? 0) > 0;
      }),
    listPrincipals: async () =>
      (
        await db.query<{
          principal: string;
          public_key: string | null;
          created_at: Num;
          created_by: string;
        }>('SELECT * FROM principals ORDER BY principal', [])
      ).map(
        (r): PrincipalRecord =>
          Object.freeze({
            principal: r.principal,
            publicKey: r.public_key,
            createdAt: Number(r.created_at),
            createdBy: r.created_by,
          }),
      ),
    putPrincipal: (r, draft) =>
      locked(async (c) => {
        await c.query(
          `INSERT INTO principals (principal, public_key, created_at, created_by)
           VALUES ($1, $2, $3, $4) ON CONFLICT (principal) DO UPDATE SET
           public_key = EXCLUDED.public_key, created_at = EXCLUDED.created_at,
           created_by = EXCLUDED.created_by`,
          [r.principal, r.publicKey, r.createdAt, r.createdBy],
        );
        await append(c, [draft]);
      }),
    appendAudit: (drafts) => locked((c) => append(c, drafts)),
    readAudit: async (from = 1, limit) =>
      (
        await db.query<AuditRow>('SELECT * FROM audit WHERE seq >= $1 ORDER BY seq LIMIT $2', [
          from,
          limit ?? null,
        ])
      ).map(toAuditEntry),
    saveCheckpoint: async (cp) => {
      await db.query('INSERT INTO audit_checkpoints (audit_size, at, body) VALUES ($1, $2, $3)', [
        cp.auditSize,
        cp.at,
        cp.body,
      ]);
    },
    listCheckpoints: async (limit) =>
      (
        await db.query<{ audit_size: Num; at: Num; body: string }>(
          'SELECT audit_size, at, body FROM audit_checkpoints ORDER BY id DESC LIMIT $1',
          [limit ?? null],
        )
      ).map((r) =>
        Object.freeze({ auditSize: Number(r.audit_size), at: Number(r.at), body: r.body }),
      ),
    readPiiKey: async (subject) =>
      toPiiKey(
        (await db.query<PiiKeyRow>('SELECT * FROM pii_keys WHERE subject = $1', [subject]))[0],
      ),
    readPiiKeyById: async (keyId) =>
      toPiiKey((await db.query<PiiKeyRow>('SELECT * FROM pii_keys WHERE key_id = $1', [keyId]))[0]),
    createPiiKey: (k) =>
      db.transaction(async (c) => {
        // An erased subject's row takes the new key; a live one is kept (the race's winner).
        await c.query(
          `INSERT INTO pii_keys (subject, key_id, wrapped_key, created_at, erased_at)
           VALUES ($1, $2, $3, $4, NULL)
           ON CONFLICT (subject) DO UPDATE SET key_id = EXCLUDED.key_id,
             wrapped_key = EXCLUDED.wrapped_key, created_at = EXCLUDED.created_at,
             erased_at = NULL
           WHERE pii_keys.wrapped_key IS NULL`,
          [k.subject, k.keyId, k.wrappedKey, k.createdAt],
        );
        const r = await c.query<PiiKeyRow>('SELECT * FROM pii_keys WHERE subject = $1', [
          k.subject,
        ]);
        return toPiiKey(r.rows[0])!;
      }),
    erasePiiKey: (subject, at, draft) =>
      locked(async (c) => {
        const r = await c.query(
          `UPDATE pii_keys SET wrapped_key = NULL, erased_at = $1
           WHERE subject = $2 AND wrapped_key IS NOT NULL`,
          [at, subject],
        );
        if ((r.rowCount ?? 0) === 0) return false;
        await append(c, [draft]);
        return true;
      }),
  };
}

function insertVersion(c: pg.PoolClient, v: CatalogVersionRecord) {
  return c.query(
    `INSERT INTO catalog_versions (subject, version, contract_id, kind, fingerprint, json_schema,
       rules, pii, registered_at, registered_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    catalogParams(v),
  );
}
