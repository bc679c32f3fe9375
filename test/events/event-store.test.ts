import { memoryStore } from '../../src/backends/memory/memory-store.js';
import { sqliteStore } from '../../src/backends/sqlite/sqlite-store.js';
import { describeEventStoreContract } from '../../src/testing/event-store-contract.js';

describeEventStoreContract('memory', async () => ({ store: memoryStore() }));
describeEventStoreContract('sqlite (:memory:)', async () => ({ store: sqliteStore(':memory:') }));
