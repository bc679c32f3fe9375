import { sqliteStore } from '../../src/backends/sqlite/sqlite-store.js';
import { describeEventStoreContract } from '../../src/testing/event-store-contract.js';
import { tempDbPath } from '../support/temp-db.js';

describeEventStoreContract('sqlite (file, synchronous=FULL)', async () => {
  const { path, remove } = tempDbPath('events');
  return { store: sqliteStore(path), cleanup: remove };
});
