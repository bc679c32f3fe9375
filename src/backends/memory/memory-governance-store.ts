/**
 * The in-memory governance tables (the GovernanceStore contract of
 * src/governance/governance-store.ts). Every stored record is frozen, so nothing stored can be
 * changed afterwards; each write is applied whole or not at all (decisions are computed before
 * anything is stored).
 */
import { AUDIT_GENESIS, chainAudit } from '../../governance/audit-hash.js';
import type {
  AuditDraft,
  AuditEntry,
  CatalogDecide,
  CatalogDecision,
  CatalogVersionRecord,
  CheckpointRecord,
  GovernanceStore,
  GrantRecord,
  PiiKeyRecord,
  PrincipalRecord,
  SubjectRecord,
} from '../../ledger/governance-store.js';
import { canonicalJson, decodeJson, type Json } from '../../ledger/json.js';

const grantKey = (g: Pick<GrantRecord, 'principal' | 'privilege' | 'securable'>) =>
  JSON.stringify([g.principal, g.privilege, g.securable]);

/** Creates the governance tables of a memory store; `assertOpen` throws once it is closed. */
export function createMemoryGovernanceStore(assertOpen: () => void): GovernanceStore {
  const subjects = new Map<string, SubjectRecord>();
  const versions = new Map<string, CatalogVersionRecord[]>();
  const grants = new Map<string, GrantRecord>();
  const principals = new Map<string, PrincipalRecord>();
  const audit: AuditEntry[] = [];
  const checkpoints: CheckpointRecord[] = [];
  const piiKeys = new Map<string, PiiKeyRecord>();

  const append = (drafts: readonly AuditDraft[]) => {
    const last = audit[audit.length - 1];
    audit.push(...chainAudit(last?.seq ?? 0, last?.hash ?? AUDIT_GENESIS, drafts.map(seal)));
  };

  return {
    async listSubjects() {
      assertOpen();
      return [...subjects.values()].sort((a, b) => cmp(a.subject, b.subject));
    },
    async listCatalog(subject) {
      assertOpen();
      const all = subject === undefined ? [...versions.values()].flat() : versions.get(subject);
      return [...(all ?? [])].sort((a, b) => cmp(a.subject, b.subject) || a.version - b.version);
    },
    async registerCatalog(subject: string, decide: CatalogDecide): Promise<CatalogDecision> {
      assertOpen();
      const decision = decide(subjects.get(subject), [...(versions.get(subject) ?? [])]);
      if (decision.subject) subjects.set(subject, Object.freeze({ ...decision.subject }));
      if (decision.insert) {
        const list = versions.get(subject) ?? [];
        list.push(
          Object.freeze({ ...decision.insert, jsonSchema: copy(decision.insert.jsonSchema) }),
        );
        list.sort((a, b) => a.version - b.version);
        versions.set(subject, list);
      }
      append(decision.audit);
      return decision;
    },
    async putSubject(record, draft) {
      assertOpen();
      subjects.set(record.subject, Object.freeze({ ...record }));
      append([draft]);
    },
    async listGrants() {
      assertOpen();
      return [...grants.values()];
    },
    async addGrant(grant, draft) {
      assertOpen();
      const key = grantKey(grant);
      const added = !grants.has(key);
      if (added) grants.set(key, Object.freeze({ ...grant }));
      append([draft]);
      return added;
    },
    async removeGrant(grant, draft) {
      assertOpen();
      const removed = grants.delete(grantKey(grant));
      append([draft]);
      return removed;
    },
    async listPrincipals() {
      assertOpen();
      return [...principals.values()].sort((a, b) => cmp(a.principal, b.principal));
    },
    async putPrincipal(record, draft) {
      assertOpen();
      principals.set(record.principal, Object.freeze({ ...record }));
      append([draft]);
    },
    async appendAudit(drafts) {
      assertOpen();
      append(drafts);
    },
    async readAudit(from = 1, limit = Number.MAX_SAFE_INTEGER) {
      assertOpen();
      return audit.filter((e) => e.seq >= from).slice(0, limit);
    },
    async saveCheckpoint(record) {
      assertOpen();
      checkpoints.push(Object.freeze({ ...record }));
    },
    async listCheckpoints(limit = Number.MAX_SAFE_INTEGER) {
      assertOpen();
      return [...checkpoints].reverse().slice(0, limit);
    },
    async readPiiKey(subject) {
      assertOpen();
      return piiKeys.get(subject);
    },
    async readPiiKeyById(keyId) {
      assertOpen();
      for (const k of piiKeys.values()) if (k.keyId === keyId) return k;
      return undefined;
    },
    async createPiiKey(record) {
      assertOpen();
      const live = piiKeys.get(record.subject);
      if (live && live.wrappedKey !== null) return live;
      const stored = Object.freeze({ ...record });
      piiKeys.set(record.subject, stored);
      return stored;
    },
    async erasePiiKey(subject, at, draft) {
      assertOpen();
      const live = piiKeys.get(subject);
      if (!live || live.wrappedKey === null) return false;
      piiKeys.set(subject, Object.freeze({ ...live, wrappedKey: null, erasedAt: at }));
      append([draft]);
      return true;
    },
  };
}

/** A frozen deep copy: what is stored never aliases the caller's objects. */
function copy(v: Json | null): Json | null {
  return v === null ? null : decodeJson(canonicalJson(v));
}

function seal(d: AuditDraft): AuditDraft {
  return { ...d, params: copy(d.params), detail: copy(d.detail) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
