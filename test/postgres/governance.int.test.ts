import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { postgresStore } from '../../src/backends/postgres/index.js';
import {
  auditLog,
  contract,
  createRuntime,
  hashVersion,
  isContractIncompatibleError,
  storeCatalog,
} from '../../src/index.js';
import { APPLICATION, loan, quickLoan } from '../governance/fixtures/loan.js';
import { describeGovernanceStoreContract } from '../governance/governance-store-cases.js';
import {
  adminQuery,
  describeWithPostgres,
  dropSchema,
  POSTGRES_URL,
  uniqueSchema,
} from './server.js';

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

  describe('the audit chain on PostgreSQL', () => {
    it('refuses updates, and a checkpoint detects a run rewritten with its chain recomputed', async () => {
      const schema = uniqueSchema('govaud');
      const store = () => postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 2 });
      try {
        const rt = createRuntime({ store: store(), workflows: [quickLoan] });
        await rt.as('admin').grant('admin', 'MANAGE', '*');
        await rt.as('admin').grant('ana', 'EXECUTE', 'workflow:quick-loan');
        const run = await rt.as('ana').start(quickLoan, APPLICATION);
        await run.result();
        await rt.close();
        await expect(
          adminQuery(`UPDATE ${schema}.audit SET principal = 'eve' WHERE seq = 1`),
        ).rejects.toThrow(/append-only/);
        const s = store();
        await s.migrate();
        const { privateKey } = generateKeyPairSync('ed25519');
        const cp = await auditLog(s).checkpoint(privateKey);
        expect(await auditLog(s).verify({ checkpoint: cp })).toMatchObject({ ok: true, runs: 1 });
        // The attacker edits version 1 and recomputes the run's chain.
        const rows = (await adminQuery(
          `SELECT * FROM ${schema}.versions WHERE run_id = $1 ORDER BY version`,
          [run.id],
        )) as Record<string, string | number | null>[];
        let prev = '0'.repeat(64);
        for (const v of rows) {
          const payload =
            Number(v.version) === 1
              ? String(v.payload).replace('12000', '99000')
              : String(v.payload);
          const hash = hashVersion({
            runId: run.id,
            version: Number(v.version),
            step: String(v.step),
            kind: String(v.kind),
            createdBy: String(v.created_by),
            inputVersion: v.input_version === null ? null : Number(v.input_version),
            contract: v.contract === null ? null : String(v.contract),
            tag: v.tag === null ? null : String(v.tag),
            createdAt: Number(v.created_at),
            payload,
            prevHash: prev,
          });
          await adminQuery(
            `UPDATE ${schema}.versions SET payload = $1, prev_hash = $2, hash = $3 WHERE run_id = $4 AND version = $5`,
            [payload, prev, hash, run.id, v.version],
          );
          prev = hash;
        }
        const report = await auditLog(s).verify({ checkpoint: JSON.stringify(cp) });
        expect(report.problems).toEqual([expect.objectContaining({ kind: 'run', runId: run.id })]);
        await s.close();
      } finally {
        await dropSchema(schema);
      }
    });
  });
});
