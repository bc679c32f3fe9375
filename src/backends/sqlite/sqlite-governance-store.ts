/**
 * The SQLite governance tables (the GovernanceStore contract of
 * src/governance/governance-store.ts).
 *
 * Invariants:
 * - Every write runs in one BEGIN IMMEDIATE transaction together with its audit entries, so the
 *   audit chain's next `seq` and `prev_hash` are read under the write lock: two processes on
 *   one file never fork the chain.
 * - Statements are prepared once per open database, on first use.
 */
import { AUDIT_GENESIS, chainAudit } from '../../governance/audit-hash.js';
import type {
  AuditDraft,
  CheckpointRecord,
  GovernanceStore,
  GrantRecord,
  PiiKeyRecord,
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
import type { Db } from './open.js';
import { runLocked } from './sqlite-commit.js';

function prepare(db: Db) {
  return {
    subjects: db.prepare<
      [],
      { subject: string; mode: string; updated_at: number; updated_by: string }
    >('SELECT * FROM catalog_subjects ORDER BY subject'),
    subject: db.prepare<
      [string],
      { subject: string; mode: string; updated_at: number; updated_by: string }
    >('SELECT * FROM catalog_subjects WHERE subject = ?'),
    putSubject: db.prepare(
      `INSERT INTO catalog_subjects (subject, mode, updated_at, updated_by) VALUES (?, ?, ?, ?)
       ON CONFLICT (subject) DO UPDATE SET mode = excluded.mode,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ),
    versionsOf: db.prepare<[string], VersionRow>(
      'SELECT * FROM catalog_versions WHERE subject = ? ORDER BY version',
    ),
    allVersions: db.prepare<[], VersionRow>(
      'SELECT * FROM catalog_versions ORDER BY subject, version',
    ),
    insertVersion: db.prepare(
      `INSERT INTO catalog_versions (subject, version, contract_id, kind, fingerprint, json_schema,
         rules, pii, registered_at, registered_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    grants: db.prepare<
      [],
      {
        principal: string;
        privilege: string;
        securable: string;
        granted_at: number;
        granted_by: string;
      }
    >('SELECT * FROM grants ORDER BY principal, privilege, securable'),
    addGrant: db.prepare(
      `INSERT INTO grants (principal, privilege, securable, granted_at, granted_by)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    removeGrant: db.prepare(
      'DELETE FROM grants WHERE principal = ? AND privilege = ? AND securable = ?',
    ),
    principals: db.prepare<
      [],
      { principal: string; public_key: string | null; created_at: number; created_by: string }
    >('SELECT * FROM principals ORDER BY principal'),
    putPrincipal: db.prepare(
      `INSERT INTO principals (principal, public_key, created_at, created_by) VALUES (?, ?, ?, ?)
       ON CONFLICT (principal) DO UPDATE SET public_key = excluded.public_key,
         created_at = excluded.created_at, created_by = excluded.created_by`,
    ),
    auditHead: db.prepare<[], { seq: number; hash: string }>(
      'SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1',
    ),
    insertAudit: db.prepare(
      `INSERT INTO audit (seq, at, principal, action, securable, params, result, detail,
         prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    readAudit: db.prepare<[number, number], AuditRow>(
      'SELECT * FROM audit WHERE seq >= ? ORDER BY seq LIMIT ?',
    ),
    saveCheckpoint: db.prepare(
      'INSERT INTO audit_checkpoints (audit_size, at, body) VALUES (?, ?, ?)',
    ),
    checkpoints: db.prepare<[number], { audit_size: number; at: number; body: string }>(
      'SELECT audit_size, at, body FROM audit_checkpoints ORDER BY id DESC LIMIT ?',
    ),
    piiKey: db.prepare<[string], PiiKeyRow>('SELECT * FROM pii_keys WHERE subject = ?'),
    piiKeyById: db.prepare<[string], PiiKeyRow>('SELECT * FROM pii_keys WHERE key_id = ?'),
    // An erased subject's row takes the new key; a live one is kept (the race's winner).
    createPiiKey: db.prepare(
      `INSERT INTO pii_keys (subject, key_id, wrapped_key, created_at, erased_at)
       VALUES (?, ?, ?, ?, NULL)
       ON CONFLICT (subject) DO UPDATE SET key_id = excluded.key_id,
         wrapped_key = excluded.wrapped_key, created_at = excluded.created_at, erased_at = NULL
       WHERE pii_keys.wrapped_key IS NULL`,
    ),
    erasePiiKey: db.prepare(
      `UPDATE pii_keys SET wrapped_key = NULL, erased_at = ?
       WHERE subject = ? AND wrapped_key IS NOT NULL`,
    ),
  };
}

type Prepared = ReturnType<typeof prepare>;

/** Creates the governance tables' access for the open database `db()`. */
export function createSqliteGovernanceStore(
  db: () => Db,
  durable: () => Promise<void> | undefined = () => undefined,
): GovernanceStore {
  let cached: { db: Db; p: Prepared } | undefined;
  const get = (): { db: Db; p: Prepared } => {
    const d = db();
    if (cached?.db !== d) cached = { db: d, p: prepare(d) };
    return cached;
  };
  const read = <T>(fn: (p: Prepared) => T): Promise<T> =>
    Promise.resolve().then(() => runLocked(() => fn(get().p)));
  const write = async <T>(fn: (p: Prepared) => T): Promise<T> => {
    const { db: d, p } = get();
    const result = runLocked(() => d.transaction(() => fn(p)).immediate());
    await durable();
    return result;
  };
  const append = (p: Prepared, drafts: readonly AuditDraft[]) => {
    const head = p.auditHead.get();
    for (const e of chainAudit(head?.seq ?? 0, head?.hash ?? AUDIT_GENESIS, drafts)) {
      p.insertAudit.run(...auditParams(e));
    }
  };
  const toSubject = (r: {
    subject: string;
    mode: string;
    updated_at: number;
    updated_by: string;
  }) =>
    Object.freeze({
      subject: r.subject,
      mode: r.mode as SubjectRecord['mode'],
      updatedAt: r.updated_at,
      updatedBy: r.updated_by,
    });

  return {
    listSubjects: () => read((p) => p.subjects.all().map(toSubject)),
    listCatalog: (subject) =>
      read((p) =>
        (subject === undefined ? p.allVersions.all() : p.versionsOf.all(subject)).map(
          toCatalogVersion,
        ),
      ),
    registerCatalog: (subject, decide) =>
      write((p) => {
        const row = p.subject.get(subject);
        const decision = decide(
          row ? toSubject(row) : undefined,
          p.versionsOf.all(subject).map(toCatalogVersion),
        );
        const s = decision.subject;
        if (s) p.putSubject.run(s.subject, s.mode, s.updatedAt, s.updatedBy);
        if (decision.insert) p.insertVersion.run(...catalogParams(decision.insert));
        append(p, decision.audit);
        return decision;
      }),
    putSubject: (s, draft) =>
      write((p) => {
        p.putSubject.run(s.subject, s.mode, s.updatedAt, s.updatedBy);
        append(p, [draft]);
      }),
    listGrants: () =>
      read((p) =>
        p.grants.all().map(
          (r): GrantRecord =>
            Object.freeze({
              principal: r.principal,
              privilege: r.privilege,
              securable: r.securable,
              grantedAt: r.granted_at,
              grantedBy: r.granted_by,
            }),
        ),
      ),
    addGrant: (g, draft) =>
      write((p) => {
        const added =
          p.addGrant.run(g.principal, g.privilege, g.securable, g.grantedAt, g.grantedBy).changes >
          0;
        append(p, [draft]);
        return added;
      }),
    removeGrant: (g, draft) =>
      write((p) => {
        const removed = p.removeGrant.run(g.principal, g.privilege, g.securable).changes > 0;
        append(p, [draft]);
        return removed;
      }),
    listPrincipals: () =>
      read((p) =>
        p.principals.all().map(
          (r): PrincipalRecord =>
            Object.freeze({
              principal: r.principal,
              publicKey: r.public_key,
              createdAt: r.created_at,
              createdBy: r.created_by,
            }),
        ),
      ),
    putPrincipal: (r, draft) =>
      write((p) => {
        p.putPrincipal.run(r.principal, r.publicKey, r.createdAt, r.createdBy);
        append(p, [draft]);
      }),
    appendAudit: (drafts) => write((p) => append(p, drafts)),
    readAudit: (from = 1, limit = -1) =>
      read((p) => p.readAudit.all(from, limit).map(toAuditEntry)),
    saveCheckpoint: (c: CheckpointRecord) =>
      write((p) => {
        p.saveCheckpoint.run(c.auditSize, c.at, c.body);
      }),
    listCheckpoints: (limit = -1) =>
      read((p) =>
        p.checkpoints
          .all(limit)
          .map(
            (r): CheckpointRecord =>
              Object.freeze({ auditSize: r.audit_size, at: r.at, body: r.body }),
          ),
      ),
    readPiiKey: (subject) => read((p) => toPiiKey(p.piiKey.get(subject))),
    readPiiKeyById: (keyId) => read((p) => toPiiKey(p.piiKeyById.get(keyId))),
    createPiiKey: (k: PiiKeyRecord) =>
      write((p) => {
        p.createPiiKey.run(k.subject, k.keyId, k.wrappedKey, k.createdAt);
        return toPiiKey(p.piiKey.get(k.subject))!;
      }),
    erasePiiKey: (subject, at, draft) =>
      write((p) => {
        if (p.erasePiiKey.run(at, subject).changes === 0) return false;
        append(p, [draft]);
        return true;
      }),
  };
}
