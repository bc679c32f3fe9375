/** Row 6 on a real PostgreSQL: the same tampering as on SQLite, edited with plain SQL. */
import { postgresStore } from '../../src/backends/postgres/index.js';
import { runSealCases } from '../robustness/run-seal-cases.js';
import {
  adminQuery,
  describeWithPostgres,
  dropSchema,
  POSTGRES_URL,
  uniqueSchema,
} from './server.js';

let schema = '';

describeWithPostgres('run end seals on PostgreSQL', () => {
  runSealCases({
    store: () => postgresStore({ connectionString: POSTGRES_URL, schema }),
    raw: async (sql, params) => {
      let n = 0;
      const text = sql.replace(/\?/g, () => `$${++n}`);
      // The store's tables live in the test's schema; qualify them for this one connection.
      return adminQuery(
        text.replace(/\b(runs|versions|journal)\b/g, (t) => `${schema}.${t}`),
        params,
      );
    },
    setup: async () => {
      schema = uniqueSchema('seal');
    },
    teardown: () => dropSchema(schema),
  });
});
