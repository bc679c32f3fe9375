/**
 * The contract catalog: one per runtime (no module-global registry). A published id can never
 * change shape: registering it again with another schema throws, the same schema is a no-op.
 */
import { ContractMismatchError, InvalidArgumentError } from '../errors.js';
import { type Contract, isContract } from './contract.js';
import { schemaDifferences } from './schema-differences.js';

/** A registry of contracts by id. */
export interface Catalog {
  /** Registers a contract. @throws ContractMismatchError when the id exists with another schema. */
  register(contract: Contract): void;
  get(id: string): Contract | undefined;
  list(): Contract[];
}

/** Creates an empty catalog. */
export function createCatalog(initial: readonly Contract[] = []): Catalog {
  const byId = new Map<string, Contract>();
  const catalog: Catalog = {
    register(c) {
      if (!isContract(c))
        throw new InvalidArgumentError('catalog.register expects a contract', 'contract');
      const existing = byId.get(c.id);
      if (existing === undefined) {
        byId.set(c.id, c);
        return;
      }
      if (existing === c || existing.fingerprint === c.fingerprint) return;
      throw new ContractMismatchError(
        c.id,
        existing.fingerprint,
        c.fingerprint,
        schemaDifferences(existing.jsonSchema, c.jsonSchema),
      );
    },
    get: (id) => byId.get(id),
    list: () => [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
  for (const c of initial) catalog.register(c);
  return catalog;
}
