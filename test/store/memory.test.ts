import { memoryStore } from '../../src/state/memory-store.js';
import { describeStateStoreContract } from '../../src/testing/state-store-contract.js';

describeStateStoreContract('memory', async () => ({ store: memoryStore() }));
