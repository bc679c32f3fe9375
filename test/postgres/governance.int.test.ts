import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  contract,
  createRuntime,
  isContractIncompatibleError,
  storeCatalog,
} from '../../src/index.js';
import { postgresStore } from '../../src/postgres/index.js';
import { APPLICATION, loan, quickLoan } from '../governance/fixtures/loan.js';
import { describeGovernanceStoreContract } from '../governance/governance-store-cases.js';
import { describeWithPostgres, dropSchema, POSTGRES_URL, uniqueSchema } from './server.js';

describeWithPostgres('governance on PostgreSQL', () => {
  describeGovernanceStoreContract('postgres', async () => {
    const schema = uniqueSchema('gov');
    return {
      store: postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 4 }),
      cleanup: () => dropSchema(schema),
    };
  });

  describe('the catalog on a shared PostgreSQL store', () => {
    it("registers a runtime's contracts and refuses an incompatible version from another runtime", async () => {
      const schema = uniqueSchema('govcat');
      const store = () => postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 2 });
      try {
        const a = createRuntime({ store: store(), workflows: [loan, quickLoan], resume: false });
        const run = await a.start(quickLoan, APPLICATION);
        expect(await run.result()).toEqual({ score: 742 });
        await a.close();
        const s = store();
        await s.migrate();
        const entries = await storeCatalog(s).list();
        expect(entries.map((e) => e.contractId)).toEqual([
          'loan.application@1',
          'loan.review@1',
          'loan.score@1',
        ]);
        const bad = contract('loan.score@2', z.object({ score: z.string() }));
        const checks = await storeCatalog(s).check([bad]);
        expect(checks[0]).toMatchObject({ outcome: 'incompatible' });
        const e = await storeCatalog(s)
          .register([bad])
          .catch((x: unknown) => x);
        expect(isContractIncompatibleError(e)).toBe(true);
        expect((await s.governance!.readAudit()).at(-1)).toMatchObject({
          securable: 'contract:loan.score@2',
          result: 'error',
        });
        await s.close();
      } finally {
        await dropSchema(schema);
      }
    });
  });
});
