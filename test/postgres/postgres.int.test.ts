import { postgresStore } from '../../src/backends/postgres/index.js';
import { describeStateStoreContract } from '../../src/testing/state-store-contract.js';
import { describeWithPostgres, dropSchema, POSTGRES_URL, uniqueSchema } from './server.js';

describeWithPostgres('postgresStore conformance', () => {
  describeStateStoreContract('postgres', async () => {
    const schema = uniqueSchema('contract');
    return {
      store: postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 4 }),
      cleanup: () => dropSchema(schema),
    };
  });
});
