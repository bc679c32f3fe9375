/**
 * The store-facing part of governance: what each backend (memory, SQLite, PostgreSQL) keeps for
 * the contract catalog, principals and grants, the audit chain and its checkpoints.
 *
 * Contract, the same on every backend:
 * - The catalog is append-only per subject: a registered `(subject, version)` never changes.
 *   `registerCatalog` reads the subject and runs `decide` inside one write transaction, so two
 *   processes registering at once are judged one after the other, never both against the same
 *   history.
 * - The audit chain is one global, append-only sequence: each entry's `seq` is the previous one
 *   plus one and its `hash` covers its fields and the previous hash. Entries are appended in the
 *   same transaction as the change they describe (a grant and its audit entry commit together).
 * - Nothing here checks privileges: the governed runtime view does, before calling the store.
 */

import type { CompatibilityMode } from './compatibility-modes.js';
import type { Json } from './json.js';

/** What a catalog subject versions: a state contract or an event type. */
export type CatalogKind = 'contract' | 'event';

/** A subject of the catalog (a contract name) and its compatibility mode. */
export interface SubjectRecord {
  readonly subject: string;
  readonly mode: CompatibilityMode;
  readonly updatedAt: number;
  readonly updatedBy: string;
}

/** One registered version of a subject. */
export interface CatalogVersionRecord {
  /** `subject@version`. */
  readonly contractId: string;
  readonly subject: string;
  readonly version: number;
  readonly kind: CatalogKind;
  readonly fingerprint: string;
  /** The JSON Schema as registered, or null for a validator without one (unchecked). */
  readonly jsonSchema: Json | null;
  /** Named semantic rules (`.refine`s) and their versions, declared with `.meta({ rules })`. */
  readonly rules: Readonly<Record<string, number>>;
  /** JSON-pointer-like paths (`/applicant/ssn`) of fields tagged as personal data. */
  readonly piiPaths: readonly string[];
  readonly registeredAt: number;
  readonly registeredBy: string;
}

/** What a catalog registration decides, given the subject as stored. */
export interface CatalogDecision {
  /** The version to insert, if any. */
  readonly insert?: CatalogVersionRecord;
  /** The subject row to create or replace, if any. */
  readonly subject?: SubjectRecord;
  /** Audit entries to append in the same transaction. */
  readonly audit: readonly AuditDraft[];
}

/** Judges a registration against the stored subject; throws to refuse (nothing is written). */
export type CatalogDecide = (
  subject: SubjectRecord | undefined,
  versions: readonly CatalogVersionRecord[],
) => CatalogDecision;

/** A privilege held by a principal on securables matching a pattern. */
export interface GrantRecord {
  readonly principal: string;
  readonly privilege: string;
  /** `kind:name@version`, with `*` wildcards (`workflow:credit-*`, `*`). */
  readonly securable: string;
  readonly grantedAt: number;
  readonly grantedBy: string;
}

/** A known principal; with a public key, entry points that can ask for proof require it. */
export interface PrincipalRecord {
  readonly principal: string;
  /** Ed25519 public key, SPKI PEM, or null. */
  readonly publicKey: string | null;
  readonly createdAt: number;
  readonly createdBy: string;
}

/** How an audited action ended. */
export type AuditResult = 'ok' | 'denied' | 'error';

/** An audit entry before the store numbers and chains it. */
export interface AuditDraft {
  readonly at: number;
  readonly principal: string;
  /** What was done: `run.start`, `grant`, `catalog.register`, `run.signal`, ... */
  readonly action: string;
  /** What it was done to: `workflow:credit-decision@1`, `run:01J...`, `contract:credit.score@2`. */
  readonly securable: string;
  /** The call's parameters, with personal data masked. */
  readonly params: Json;
  readonly result: AuditResult;
  /** The outcome (ids created) or the error (code and message). */
  readonly detail: Json;
}

/** A stored audit entry. */
export interface AuditEntry extends AuditDraft {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** A stored checkpoint (its body is the signed JSON, as exported). */
export interface CheckpointRecord {
  /** Audit entries covered (the chain's length when it was taken). */
  readonly auditSize: number;
  readonly at: number;
  readonly body: string;
}

/**
 * A data subject's encryption key (crypto-shredding), wrapped by the application's
 * key-encryption key. Kept outside every hash chain, so erasing it breaks no chain.
 */
export interface PiiKeyRecord {
  readonly subject: string;
  /** Named in every ciphertext made with this key. */
  readonly keyId: string;
  /** The wrapped data key, or null once the subject was erased. */
  readonly wrappedKey: string | null;
  readonly createdAt: number;
  readonly erasedAt: number | null;
}

/** The governance tables of one store. */
export interface GovernanceStore {
  listSubjects(): Promise<SubjectRecord[]>;
  /** Versions of one subject (or of all), by subject then version. */
  listCatalog(subject?: string): Promise<CatalogVersionRecord[]>;
  /** Reads the subject and runs `decide` in one transaction; writes what it returns. */
  registerCatalog(subject: string, decide: CatalogDecide): Promise<CatalogDecision>;
  /** Sets a subject's mode, with its audit entry. */
  putSubject(record: SubjectRecord, audit: AuditDraft): Promise<void>;

  listGrants(): Promise<GrantRecord[]>;
  /** Adds a grant (a no-op when it exists) with its audit entry. Returns true when added. */
  addGrant(grant: GrantRecord, audit: AuditDraft): Promise<boolean>;
  /** Removes a grant with its audit entry. Returns true when it existed. */
  removeGrant(
    grant: Pick<GrantRecord, 'principal' | 'privilege' | 'securable'>,
    audit: AuditDraft,
  ): Promise<boolean>;
  listPrincipals(): Promise<PrincipalRecord[]>;
  /** Creates or replaces a principal, with its audit entry. */
  putPrincipal(record: PrincipalRecord, audit: AuditDraft): Promise<void>;

  /** Appends entries to the audit chain in one transaction. */
  appendAudit(drafts: readonly AuditDraft[]): Promise<void>;
  /** Entries with `seq >= from` in order (all by default), at most `limit`. */
  readAudit(from?: number, limit?: number): Promise<AuditEntry[]>;
  saveCheckpoint(record: CheckpointRecord): Promise<void>;
  /** Checkpoints, newest first. */
  listCheckpoints(limit?: number): Promise<CheckpointRecord[]>;

  readPiiKey(subject: string): Promise<PiiKeyRecord | undefined>;
  readPiiKeyById(keyId: string): Promise<PiiKeyRecord | undefined>;
  /**
   * Stores a subject's key unless it holds a live one, and returns the live key: of two
   * processes creating one subject's key at once, both use the winner's. A subject erased
   * before gets the new key (its old ciphertexts stay unreadable).
   */
  createPiiKey(record: PiiKeyRecord): Promise<PiiKeyRecord>;
  /**
   * Clears a subject's wrapped key, with its audit entry, in one transaction. Returns false
   * (and writes nothing) when the subject has no live key.
   */
  erasePiiKey(subject: string, at: number, audit: AuditDraft): Promise<boolean>;
}
