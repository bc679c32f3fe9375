import { memoryStore } from '../../src/state/memory-store.js';
import { sqliteStore } from '../../src/state/sqlite/sqlite-store.js';
import { describeEventStoreContract } from '../../src/testing/event-store-contract.js';

describeEventStoreContract('memory', async () => ({ store: memoryStore() }));
describeEventStoreContract('sqlite (:memory:)', async () => ({ store: sqliteStore(':memory:') }));
