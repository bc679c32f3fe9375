/**
 * Who may do what: grants stored in the store, checked for a principal, with every change and
 * every denial on the audit chain.
 *
 * Invariants:
 * - A store with no grants has a single owner (today's behaviour): every check passes, and
 *   `mode()` says `single-owner`. The first grant switches the store to `enforced`, for every
 *   runtime and CLI on it.
 * - `owner` is not a magic principal name: once grants exist, a view `rt.as('owner')` needs
 *   grants like anyone else. The owner is the code holding the store itself (the plain runtime,
 *   `storeGovernance(store)` without a principal, the CLI without `--as`).
 * - A denial is audited before `AccessDeniedError` is thrown, and changes nothing else.
 */
import { AccessDeniedError, InvalidArgumentError, NotFoundError } from '../errors.js';
import type {
  AuditDraft,
  GovernanceStore,
  GrantRecord,
  PrincipalRecord,
} from '../ledger/governance-store.js';
import type { Json } from '../ledger/json.js';
import type { StateStore } from '../ledger/store.js';
import { type ContractCatalog, governanceOf, storeCatalog } from './catalog.js';
import {
  checkPrincipal,
  checkPrivilege,
  checkSecurablePattern,
  covers,
  OWNER,
  type Privilege,
} from './privileges.js';

/**
 * Checks privileges against a store's grants. Grants are read from the store on every check
 * (one read per call), so a grant or revocation by any process applies to the next call.
 */
export class AccessControl {
  constructor(
    readonly store: GovernanceStore,
    private readonly now: () => number,
  ) {}

  /** The store's grants, as of now. */
  grants(): Promise<readonly GrantRecord[]> {
    return this.store.listGrants();
  }

  /** `single-owner` while the store has no grants, `enforced` once it has one. */
  async mode(): Promise<'single-owner' | 'enforced'> {
    return (await this.grants()).length === 0 ? 'single-owner' : 'enforced';
  }

  /** Whether `principal` holds `privilege` on `securable` (always, in single-owner mode). */
  async allowed(principal: string, privilege: Privilege, securable: string): Promise<boolean> {
    return holds(await this.grants(), principal, privilege, securable);
  }

  /**
   * Passes, or audits the denial and throws.
   * @throws AccessDeniedError naming principal, privilege and securable.
   */
  async require(
    principal: string,
    privilege: Privilege,
    securable: string,
    action: string,
    params: Json,
    grants?: readonly GrantRecord[],
  ): Promise<void> {
    if (holds(grants ?? (await this.grants()), principal, privilege, securable)) return;
    await this.store.appendAudit([
      {
        at: this.now(),
        principal,
        action,
        securable,
        params,
        result: 'denied',
        detail: { privilege },
      },
    ]);
    throw new AccessDeniedError(principal, action, privilege, securable);
  }
}

/**
 * Whether grants give `principal` `privilege` on `securable`; `securable` undefined asks for
 * the privilege on anything at all (row-filtered listings). No grants: a single owner, yes.
 */
export function holds(
  grants: readonly GrantRecord[],
  principal: string,
  privilege: Privilege,
  securable: string | undefined,
): boolean {
  if (grants.length === 0) return true;
  return grants.some(
    (g) =>
      g.principal === principal &&
      g.privilege === privilege &&
      (securable === undefined || covers(g.securable, securable)),
  );
}

/** Answers whether a securable named in a grant exists (patterns with `*` are not checked). */
export type SecurableExists = (kind: string, name: string) => Promise<boolean>;

/** Options of {@link storeGovernance}. */
export interface GovernanceOptions {
  /** Who acts (default: the store's owner, who may do anything). */
  readonly principal?: string;
  readonly now?: () => number;
  /** Extra knowledge of what exists (the runtime's registered workflows). */
  readonly exists?: SecurableExists;
}

/** Administration of a store's governance: grants, principals, the catalog. */
export interface Governance {
  /** Who acts. */
  readonly principal: string;
  /** `single-owner` while no grant exists, `enforced` after. */
  mode(): Promise<'single-owner' | 'enforced'>;
  /**
   * Grants a privilege on securables matching a pattern (audited; MANAGE on it required).
   * @throws InvalidArgumentError for an unknown privilege or malformed securable.
   * @throws NotFoundError for a securable that does not exist.
   * @throws AccessDeniedError without MANAGE.
   */
  grant(principal: string, privilege: Privilege, securable: string): Promise<boolean>;
  /** Revokes a grant (audited; MANAGE required). Returns false when there was none. */
  revoke(principal: string, privilege: Privilege, securable: string): Promise<boolean>;
  grants(): Promise<GrantRecord[]>;
  /**
   * Records a principal, with an Ed25519 public key (SPKI PEM) when entry points that can ask
   * for proof (the CLI's `--as`) must require its private key.
   */
  addPrincipal(principal: string, options?: { readonly publicKey?: string }): Promise<void>;
  principals(): Promise<PrincipalRecord[]>;
  /** The catalog, registering as this principal. */
  readonly catalog: ContractCatalog;
  /** The access checks (shared with the governed runtime view). */
  readonly access: AccessControl;
}

/**
 * Opens the governance of a migrated store.
 * @throws InvalidArgumentError for a store without governance tables or a malformed principal.
 * @example
 * const gov = storeGovernance(store);
 * await gov.grant('ana', 'READ', 'workflow:credit-decision');
 */
export function storeGovernance(store: StateStore, options: GovernanceOptions = {}): Governance {
  const g = governanceOf(store);
  const principal = options.principal === undefined ? OWNER : checkPrincipal(options.principal);
  const now = options.now ?? Date.now;
  const access = new AccessControl(g, now);
  const isOwner = options.principal === undefined;
  const exists = async (kind: string, name: string): Promise<boolean> => {
    if (name.includes('*')) return true;
    if (options.exists && (await options.exists(kind, name))) return true;
    if (kind === 'contract' || kind === 'event') {
      const at = name.lastIndexOf('@');
      const subject = at > 0 ? name.slice(0, at) : name;
      const versions = await g.listCatalog(subject);
      return at > 0 ? versions.some((v) => v.contractId === name) : versions.length > 0;
    }
    if (kind === 'workflow') {
      const wf = name.includes('@') ? name.slice(0, name.lastIndexOf('@')) : name;
      return (await store.listRuns({ workflow: wf, limit: 1 })).length > 0;
    }
    return true;
  };
  const manage = async (securable: string, action: string, params: Json) => {
    if (!isOwner) await access.require(principal, 'MANAGE', securable, action, params);
  };
  const draft = (action: string, securable: string, params: Json, detail: Json): AuditDraft => ({
    at: now(),
    principal,
    action,
    securable,
    params,
    result: 'ok',
    detail,
  });

  return {
    principal,
    access,
    mode: () => access.mode(),
    catalog: storeCatalog(store, { principal, now }),
    async grant(to, privilege, securable) {
      checkPrincipal(to);
      checkPrivilege(privilege);
      const { kind, name } = checkSecurablePattern(securable);
      const params = { principal: to, privilege, securable };
      await manage(securable, 'grant', params);
      if (kind !== '*' && !(await exists(kind, name))) throw new NotFoundError(kind, name);
      const added = await g.addGrant(
        { principal: to, privilege, securable, grantedAt: now(), grantedBy: principal },
        draft('grant', securable, params, { added: null }),
      );
      return added;
    },
    async revoke(from, privilege, securable) {
      checkPrincipal(from);
      checkPrivilege(privilege);
      checkSecurablePattern(securable);
      const params = { principal: from, privilege, securable };
      await manage(securable, 'revoke', params);
      const removed = await g.removeGrant(
        { principal: from, privilege, securable },
        draft('revoke', securable, params, null),
      );
      return removed;
    },
    async grants() {
      return [...(await g.listGrants())];
    },
    async addPrincipal(name, opts = {}) {
      checkPrincipal(name);
      const publicKey = opts.publicKey ?? null;
      if (publicKey !== null && !publicKey.includes('BEGIN PUBLIC KEY')) {
        throw new InvalidArgumentError('publicKey must be an SPKI PEM public key', 'publicKey');
      }
      await manage('catalog:*', 'principal.add', { principal: name });
      await g.putPrincipal(
        { principal: name, publicKey, createdAt: now(), createdBy: principal },
        draft(
          'principal.add',
          `catalog:principals`,
          { principal: name },
          { key: publicKey !== null },
        ),
      );
    },
    async principals() {
      return g.listPrincipals();
    },
  };
}
