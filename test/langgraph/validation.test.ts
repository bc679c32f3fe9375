import { memoryStore, sqliteStore } from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { validateBatonSaver } from './validation-suite.js';

validateBatonSaver('memory', async () => ({ store: memoryStore(), cleanup: async () => {} }));

validateBatonSaver('sqlite', async () => {
  const db = tempDbPath('langgraph-validation');
  return { store: sqliteStore(db.path), cleanup: db.remove };
});
