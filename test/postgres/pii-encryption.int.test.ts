/**
 * Crypto-shredding on PostgreSQL: personal fields stored as ciphertext, read in clear by another
 * runtime with the key, erased for every runtime on the schema while the chain still verifies.
 */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { createRuntime, ERASED } from '../../src/index.js';
import { APPLICATION, quickLoan } from '../governance/fixtures/loan.js';
import {
  adminQuery,
  describeWithPostgres,
  dropSchema,
  POSTGRES_URL,
  uniqueSchema,
} from './server.js';

describeWithPostgres('crypto-shredding on PostgreSQL', () => {
  it('encrypts at append, reads with the key, and erases for every runtime', async () => {
    const schema = uniqueSchema('pii');
    const kek = randomBytes(32);
    const open = () =>
      createRuntime({
        store: postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 2 }),
        workflows: [quickLoan],
        resume: false,
        piiEncryption: { kek, subjectOf: () => 'cust-9', keyCacheMs: 0 },
      });
    const a = open();
    const b = open();
    try {
      const run = await a.start(quickLoan, APPLICATION);
      await run.result();
      const rows = await adminQuery<{ payload: string }>(
        `SELECT payload FROM "${schema}".versions WHERE run_id = $1 ORDER BY version`,
        [run.id],
      );
      expect(rows.map((r) => r.payload).join('\n')).not.toContain(APPLICATION.applicant.ssn);
      const before = await b.state(run.id, 1);
      expect(before.data).toMatchObject({ input: { applicant: APPLICATION.applicant } });
      expect((await a.erase('cust-9')).erased).toBe(true);
      // Another runtime (keyCacheMs 0) sees the erasure on its next read.
      const after = await b.state(run.id, 1);
      expect(after.data).toMatchObject({ input: { applicant: { name: ERASED, ssn: ERASED } } });
      expect((await b.verify(run.id)).ok).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await dropSchema(schema);
    }
  });
});
