import { sqliteStore } from '../../src/backends/sqlite/sqlite-store.js';
import { describeStateStoreContract } from '../../src/testing/state-store-contract.js';
import { tempDbPath } from '../support/temp-db.js';

describeStateStoreContract('sqlite (file, synchronous=FULL)', async () => {
  const { path, remove } = tempDbPath('contract');
  return { store: sqliteStore(path), cleanup: remove };
});

describeStateStoreContract('sqlite (:memory:)', async () => ({ store: sqliteStore(':memory:') }));
