import { postgresStore } from '../../src/backends/postgres/index.js';
import { describeEventStoreContract } from '../../src/testing/event-store-contract.js';
import { describeWithPostgres, dropSchema, POSTGRES_URL, uniqueSchema } from './server.js';

describeWithPostgres('postgresStore event store', () => {
  describeEventStoreContract('postgres', async () => {
    const schema = uniqueSchema('events');
    return {
      store: postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 4 }),
      cleanup: () => dropSchema(schema),
    };
  });
});
