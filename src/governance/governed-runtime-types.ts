/**
 * The public interface of the governed runtime view (`rt.as(principal)`).
 */

import type { Runtime, Worker, WorkerOptions } from '../orchestrator/runtime-types.js';
import type { BreakerSnapshot } from '../resilience/circuit-breaker.js';
import type { GrantRecord } from './governance-store.js';
import type { Privilege } from './privileges.js';

/**
 * A runtime acting as one principal: the same methods as {@link Runtime}, each checking the
 * principal's privilege first (see `RUNTIME_PRIVILEGES`), plus grant administration. Methods
 * that are synchronous on the runtime return promises here (the check reads the store).
 */
export interface GovernedRuntime extends Omit<Runtime, 'startWorker' | 'breakers' | 'as'> {
  /** Who this view acts as. */
  readonly principal: string;
  /** `single-owner` while the store has no grants (everything allowed), `enforced` after. */
  mode(): Promise<'single-owner' | 'enforced'>;
  startWorker(options?: WorkerOptions): Promise<Worker>;
  breakers(): Promise<BreakerSnapshot[]>;
  /** A view acting as another principal (needs MANAGE on `catalog:*`; audited). */
  as(principal: string): Promise<GovernedRuntime>;
  /**
   * Grants a privilege on securables matching a pattern (needs MANAGE on it; audited).
   * @throws InvalidArgumentError for an unknown privilege or malformed securable; NotFoundError
   * for a securable that does not exist; AccessDeniedError without MANAGE.
   */
  grant(principal: string, privilege: Privilege, securable: string): Promise<boolean>;
  /** Revokes a grant (needs MANAGE; audited). False when there was none. */
  revoke(principal: string, privilege: Privilege, securable: string): Promise<boolean>;
  /** Every grant of the store. */
  grants(): Promise<GrantRecord[]>;
}
