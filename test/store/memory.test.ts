import { memoryStore } from '../../src/backends/memory/memory-store.js';
import { describeStateStoreContract } from '../../src/testing/state-store-contract.js';

describeStateStoreContract('memory', async () => ({ store: memoryStore() }));
