/**
 * Row types of the governance tables and their mapping to records, shared by the SQLite and
 * PostgreSQL backends (snake_case rows stay here; records are camelCase).
 */
import type {
  AuditEntry,
  CatalogVersionRecord,
  PiiKeyRecord,
} from '../../ledger/governance-store.js';
import { canonicalJson, decodeJson, type Json } from '../../ledger/json.js';

/** A `catalog_versions` row. */
export interface VersionRow {
  subject: string;
  version: number | string;
  contract_id: string;
  kind: string;
  fingerprint: string;
  json_schema: string | null;
  rules: string;
  pii: string;
  registered_at: number | string;
  registered_by: string;
}

/** An `audit` row. */
export interface AuditRow {
  seq: number | string;
  at: number | string;
  principal: string;
  action: string;
  securable: string;
  params: string;
  result: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** Maps a catalog row to its record (shared with the PostgreSQL backend's rows). */
export function toCatalogVersion(r: VersionRow): CatalogVersionRecord {
  return Object.freeze({
    contractId: r.contract_id,
    subject: r.subject,
    version: Number(r.version),
    kind: r.kind as CatalogVersionRecord['kind'],
    fingerprint: r.fingerprint,
    jsonSchema: r.json_schema === null ? null : decodeJson(r.json_schema),
    rules: decodeJson<Record<string, number>>(r.rules),
    piiPaths: decodeJson<string[]>(r.pii),
    registeredAt: Number(r.registered_at),
    registeredBy: r.registered_by,
  });
}

/** Maps an audit row to its entry (shared with the PostgreSQL backend's rows). */
export function toAuditEntry(r: AuditRow): AuditEntry {
  return Object.freeze({
    seq: Number(r.seq),
    at: Number(r.at),
    principal: r.principal,
    action: r.action,
    securable: r.securable,
    params: decodeJson(r.params),
    result: r.result as AuditEntry['result'],
    detail: decodeJson(r.detail),
    prevHash: r.prev_hash,
    hash: r.hash,
  });
}

/** The columns of a catalog row, in insert order. */
export function catalogParams(v: CatalogVersionRecord): (string | number | null)[] {
  return [
    v.subject,
    v.version,
    v.contractId,
    v.kind,
    v.fingerprint,
    v.jsonSchema === null ? null : canonicalJson(v.jsonSchema),
    canonicalJson(v.rules),
    canonicalJson(v.piiPaths),
    v.registeredAt,
    v.registeredBy,
  ];
}

/** The columns of an audit row, in insert order. */
export function auditParams(e: AuditEntry): (string | number)[] {
  return [
    e.seq,
    e.at,
    e.principal,
    e.action,
    e.securable,
    canonicalJson(e.params),
    e.result,
    canonicalJson(e.detail as Json),
    e.prevHash,
    e.hash,
  ];
}

/** A `pii_keys` row as stored. */
export interface PiiKeyRow {
  subject: string;
  key_id: string;
  wrapped_key: string | null;
  created_at: number | string;
  erased_at: number | string | null;
}

/** A `pii_keys` row as a domain record (BIGINT columns arrive as strings from PostgreSQL). */
export function toPiiKey(r: PiiKeyRow | undefined): PiiKeyRecord | undefined {
  if (!r) return undefined;
  return Object.freeze({
    subject: r.subject,
    keyId: r.key_id,
    wrappedKey: r.wrapped_key,
    createdAt: Number(r.created_at),
    erasedAt: r.erased_at === null ? null : Number(r.erased_at),
  });
}
