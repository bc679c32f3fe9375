/**
 * The persisted contract catalog: every contract and event type registered on a store, with
 * every version's JSON Schema, fingerprint, rules, PII fields, registration time and principal.
 * The store's catalog is the source of truth for every runtime on that store.
 *
 * Invariants:
 * - A subject is a contract's name; `credit.score@2` is version 2 of subject `credit.score`.
 * - A registered `name@version` never changes: the same id with another fingerprint is refused
 *   (`ContractMismatchError`).
 * - A new version is checked against the versions before it (and any registered after it)
 *   under the subject's mode; an incompatible one is refused with `ContractIncompatibleError`
 *   naming each breaking change, and the refusal is audited.
 * - A validator without JSON Schema is registered only under mode `NONE`.
 */

import type { EventType } from '../choreography/event-type.js';
import type { Contract } from '../contracts/contract.js';
import { schemaDifferences } from '../contracts/schema-differences.js';
import {
  ContractIncompatibleError,
  ContractMismatchError,
  InvalidArgumentError,
  InvalidDefinitionError,
  isContractIncompatibleError,
  isContractMismatchError,
  isInvalidDefinitionError,
} from '../errors.js';
import type {
  AuditDraft,
  CatalogDecision,
  CatalogKind,
  CatalogVersionRecord,
  GovernanceStore,
  SubjectRecord,
} from '../ledger/governance-store.js';
import type { Json } from '../ledger/json.js';
import type { StateStore } from '../ledger/store.js';
import {
  type CompatibilityMode,
  type CompatibilityProblem,
  checkCompatibility,
  DEFAULT_COMPATIBILITY,
  isCompatibilityMode,
} from './compatibility.js';
import { declaredRules, piiPaths, rulesDiff } from './contract-facts.js';
import type { JsonSchema } from './schema-doc.js';

/** What the catalog registers: a contract or an event type. */
export type CatalogDefinition = Contract | EventType;

/** A registered version with its subject's mode. */
export interface CatalogEntry extends CatalogVersionRecord {
  readonly mode: CompatibilityMode;
  /** False for a validator without JSON Schema: its changes cannot be checked. */
  readonly checked: boolean;
}

/** Options of a catalog. */
export interface CatalogOptions {
  /** Compatibility mode of subjects that do not exist yet (default BACKWARD_TRANSITIVE). */
  readonly defaultMode?: CompatibilityMode;
  /** Per-subject modes applied when the subject is first registered. */
  readonly modes?: Readonly<Record<string, CompatibilityMode>>;
  /** Who registers (default `owner`, the single owner of a store without principals). */
  readonly principal?: string;
  /** Milliseconds since the epoch (default Date.now). */
  readonly now?: () => number;
}

/** The verdict on one definition of a dry run. */
export interface CatalogCheck {
  readonly id: string;
  readonly outcome: 'registered' | 'new' | 'incompatible' | 'mismatch' | 'invalid';
  readonly mode: CompatibilityMode;
  readonly problems: readonly CompatibilityProblem[];
  readonly message?: string;
}

/** The catalog of one store. */
export interface ContractCatalog {
  /**
   * Registers definitions (a no-op for those already registered with the same fingerprint).
   * @throws ContractIncompatibleError, ContractMismatchError, InvalidDefinitionError
   */
  register(defs: readonly CatalogDefinition[]): Promise<void>;
  /** Would these definitions register cleanly? Writes nothing. */
  check(defs: readonly CatalogDefinition[]): Promise<CatalogCheck[]>;
  /** Every registered version, by subject then version. */
  list(): Promise<CatalogEntry[]>;
  /** The versions of a subject (`credit.score`) or one version (`credit.score@2`). */
  get(idOrSubject: string): Promise<CatalogEntry[]>;
  /** Sets a subject's mode (audited). @throws InvalidArgumentError for an unknown mode. */
  setMode(subject: string, mode: CompatibilityMode): Promise<void>;
}

/** The governance tables of `store`. @throws InvalidArgumentError when it has none. */
export function governanceOf(store: StateStore): GovernanceStore {
  const g = store.governance;
  if (!g) {
    throw new InvalidArgumentError(
      `this ${store.kind} store keeps no governance tables (catalog, grants, audit)`,
      'store',
    );
  }
  return g;
}

/**
 * Opens the catalog of a store (migrated).
 * @example
 * const catalog = storeCatalog(store);
 * const problems = await catalog.check([ScoreV2]);
 */
export function storeCatalog(store: StateStore, options: CatalogOptions = {}): ContractCatalog {
  const g = governanceOf(store);
  const defaultMode = options.defaultMode ?? DEFAULT_COMPATIBILITY;
  for (const m of [defaultMode, ...Object.values(options.modes ?? {})]) checkMode(m);
  const principal = options.principal ?? 'owner';
  const now = options.now ?? Date.now;
  const modeOf = (s: SubjectRecord | undefined, subject: string): CompatibilityMode =>
    s?.mode ?? options.modes?.[subject] ?? defaultMode;

  const decideFor =
    (def: CatalogDefinition, at: number) =>
    (s: SubjectRecord | undefined, versions: readonly CatalogVersionRecord[]): CatalogDecision =>
      decide(toRecord(def, at, principal), modeOf(s, def.name), s, versions, principal);

  const withModes = async (records: CatalogVersionRecord[]): Promise<CatalogEntry[]> => {
    const modes = new Map((await g.listSubjects()).map((s) => [s.subject, s.mode]));
    return records.map((r) => ({
      ...r,
      mode: modes.get(r.subject) ?? defaultMode,
      checked: r.jsonSchema !== null,
    }));
  };

  return {
    async register(defs) {
      for (const def of sortDefinitions(defs)) {
        const at = now();
        try {
          await g.registerCatalog(def.name, decideFor(def, at));
        } catch (e) {
          if (
            isContractIncompatibleError(e) ||
            isContractMismatchError(e) ||
            isInvalidDefinitionError(e)
          ) {
            await g.appendAudit([refusal(def, at, principal, e)]);
          }
          throw e;
        }
      }
    },
    async check(defs) {
      const out: CatalogCheck[] = [];
      const simulated = new Map<string, CatalogVersionRecord[]>();
      const subjects = new Map((await g.listSubjects()).map((s) => [s.subject, s]));
      for (const def of sortDefinitions(defs)) {
        const versions = simulated.get(def.name) ?? (await g.listCatalog(def.name));
        const s = subjects.get(def.name);
        const mode = modeOf(s, def.name);
        const record = toRecord(def, now(), principal);
        try {
          const d = decide(record, mode, s, versions, principal);
          out.push({ id: def.id, outcome: d.insert ? 'new' : 'registered', mode, problems: [] });
          if (d.insert) simulated.set(def.name, [...versions, d.insert]);
        } catch (e) {
          out.push(verdict(def.id, mode, e));
        }
      }
      return out;
    },
    async list() {
      return withModes(await g.listCatalog());
    },
    async get(idOrSubject) {
      const at = idOrSubject.lastIndexOf('@');
      const subject = at > 0 ? idOrSubject.slice(0, at) : idOrSubject;
      const all = await withModes(await g.listCatalog(subject));
      return at > 0 ? all.filter((e) => e.contractId === idOrSubject) : all;
    },
    async setMode(subject, mode) {
      checkMode(mode);
      if (typeof subject !== 'string' || subject.length === 0) {
        throw new InvalidArgumentError('subject must be a non-empty string', 'subject');
      }
      const at = now();
      await g.putSubject(
        { subject, mode, updatedAt: at, updatedBy: principal },
        draft(at, principal, 'catalog.mode', `contract:${subject}`, { mode }, 'ok', null),
      );
    },
  };
}

function checkMode(mode: unknown): void {
  if (!isCompatibilityMode(mode)) {
    throw new InvalidArgumentError(
      `compatibility mode must be one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE; got ${JSON.stringify(mode)}`,
      'mode',
    );
  }
}

/** Subjects in name order, each subject's versions oldest first. */
function sortDefinitions(defs: readonly CatalogDefinition[]): CatalogDefinition[] {
  const unique = new Map<string, CatalogDefinition>();
  for (const d of defs) {
    const seen = unique.get(d.id);
    if (seen && fingerprintOf(seen) !== fingerprintOf(d)) {
      throw new ContractMismatchError(
        d.id,
        fingerprintOf(seen),
        fingerprintOf(d),
        schemaDifferences(schemaOf(seen), schemaOf(d)),
      );
    }
    unique.set(d.id, d);
  }
  return [...unique.values()].sort((a, b) =>
    a.name === b.name ? a.version - b.version : a.name < b.name ? -1 : 1,
  );
}

const fingerprintOf = (d: CatalogDefinition) => (d.kind === 'event' ? d.contract : d).fingerprint;
const schemaOf = (d: CatalogDefinition) => (d.kind === 'event' ? d.contract : d).jsonSchema;

function toRecord(def: CatalogDefinition, at: number, by: string): CatalogVersionRecord {
  const c = def.kind === 'event' ? def.contract : def;
  const kind: CatalogKind = def.kind === 'event' ? 'event' : 'contract';
  const jsonSchema = (c.jsonSchema ?? null) as Json | null;
  return {
    contractId: c.id,
    subject: c.name,
    version: c.version,
    kind,
    fingerprint: c.fingerprint,
    jsonSchema,
    rules: declaredRules(jsonSchema),
    piiPaths: piiPaths(jsonSchema),
    registeredAt: at,
    registeredBy: by,
  };
}

/** The pure registration rule (run inside the store's transaction). */
function decide(
  record: CatalogVersionRecord,
  mode: CompatibilityMode,
  subject: SubjectRecord | undefined,
  versions: readonly CatalogVersionRecord[],
  principal: string,
): CatalogDecision {
  const same = versions.find((v) => v.version === record.version);
  if (same) {
    if (same.fingerprint === record.fingerprint) return { audit: [] };
    // Registered before, by this runtime or any other on the store: name what differs.
    throw new ContractMismatchError(
      record.contractId,
      same.fingerprint,
      record.fingerprint,
      schemaDifferences(same.jsonSchema, record.jsonSchema),
    );
  }
  if (record.jsonSchema === null && mode !== 'NONE') {
    throw new InvalidDefinitionError(
      `contract '${record.contractId}' has no JSON Schema (its validator exports none), so it cannot be checked under ${mode}; set subject '${record.subject}' to NONE to register it unchecked`,
      record.contractId,
    );
  }
  const problems = mode === 'NONE' ? [] : compatibilityProblems(record, mode, versions);
  if (problems.length > 0) throw new ContractIncompatibleError(record.contractId, mode, problems);
  const previous = [...versions].reverse().find((v) => v.version < record.version);
  const rules = previous ? rulesDiff(previous.rules, record.rules) : undefined;
  const rulesChanged =
    rules && rules.added.length + rules.removed.length + rules.changed.length > 0 ? rules : null;
  const kind = record.kind === 'event' ? 'event' : 'contract';
  return {
    insert: record,
    ...(subject
      ? {}
      : {
          subject: {
            subject: record.subject,
            mode,
            updatedAt: record.registeredAt,
            updatedBy: principal,
          },
        }),
    audit: [
      draft(
        record.registeredAt,
        principal,
        'catalog.register',
        `${kind}:${record.contractId}`,
        { fingerprint: record.fingerprint, mode },
        'ok',
        { checked: record.jsonSchema !== null, rulesChanged, pii: [...record.piiPaths] },
      ),
    ],
  };
}

function compatibilityProblems(
  record: CatalogVersionRecord,
  mode: CompatibilityMode,
  versions: readonly CatalogVersionRecord[],
): CompatibilityProblem[] {
  const earlier = versions.filter((v) => v.version < record.version);
  const later = versions.filter((v) => v.version > record.version);
  const out: CompatibilityProblem[] = [];
  for (const v of earlier) {
    if (v.jsonSchema === null) {
      out.push({
        path: '#/',
        change: 'EARLIER_VERSION_UNCHECKED',
        version: v.version,
        direction: 'backward',
      });
    }
  }
  const schemaOf = (v: CatalogVersionRecord) => v.jsonSchema as JsonSchema;
  const checkedEarlier = earlier.filter((v) => v.jsonSchema !== null);
  const r = checkCompatibility(checkedEarlier.map(schemaOf), record.jsonSchema as JsonSchema, mode);
  for (const p of r.problems) out.push({ ...p, version: checkedEarlier[p.version - 1]!.version });
  // Registered out of order (a later version exists): each later one must still be compatible.
  let history = [...checkedEarlier, record];
  for (const v of later) {
    if (v.jsonSchema === null) continue;
    const lr = checkCompatibility(history.map(schemaOf), schemaOf(v), mode);
    for (const p of lr.problems) {
      if (history[p.version - 1] === record) out.push({ ...p, version: v.version });
    }
    history = [...history, v];
  }
  return out;
}

function draft(
  at: number,
  principal: string,
  action: string,
  securable: string,
  params: Json,
  result: AuditDraft['result'],
  detail: Json,
): AuditDraft {
  return { at, principal, action, securable, params, result, detail };
}

function refusal(def: CatalogDefinition, at: number, principal: string, e: unknown): AuditDraft {
  const err = e as { code: string; message: string; problems?: readonly CompatibilityProblem[] };
  return draft(
    at,
    principal,
    'catalog.register',
    `${def.kind === 'event' ? 'event' : 'contract'}:${def.id}`,
    { fingerprint: fingerprintOf(def) },
    'error',
    {
      code: err.code,
      message: err.message,
      problems: (err.problems ?? []).map((p) => ({ path: p.path, change: p.change })),
    },
  );
}

function verdict(id: string, mode: CompatibilityMode, e: unknown): CatalogCheck {
  if (isContractIncompatibleError(e)) {
    return {
      id,
      outcome: 'incompatible',
      mode,
      problems: e.problems as CompatibilityProblem[],
      message: e.message,
    };
  }
  if (isContractMismatchError(e))
    return { id, outcome: 'mismatch', mode, problems: [], message: e.message };
  if (isInvalidDefinitionError(e))
    return { id, outcome: 'invalid', mode, problems: [], message: e.message };
  throw e;
}
