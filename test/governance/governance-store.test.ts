import { memoryStore, sqliteStore } from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { describeGovernanceStoreContract } from './governance-store-cases.js';

describeGovernanceStoreContract('memory', async () => ({ store: memoryStore() }));

describeGovernanceStoreContract('sqlite file', async () => {
  const t = tempDbPath('governance');
  return { store: sqliteStore(t.path), cleanup: t.remove };
});
