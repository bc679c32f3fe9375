import { postgresStore } from '../../src/backends/postgres/index.js';
import { validateBatonSaver } from '../langgraph/validation-suite.js';
import { describeWithPostgres, dropSchema, POSTGRES_URL, uniqueSchema } from './server.js';

describeWithPostgres('BatonSaver on PostgreSQL: LangGraph validation suite', () => {
  validateBatonSaver('postgres', async () => {
    const schema = uniqueSchema('langgraph');
    return {
      store: postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 2 }),
      cleanup: () => dropSchema(schema),
    };
  });
});
