/**
 * `baton-runtime/testing`: what users need to test their agents and their own store backends.
 */

export { describeEventStoreContract } from './event-store-contract.js';
export { FakeClock } from './fake-clock.js';
export { describeStateStoreContract, type StoreUnderTest } from './state-store-contract.js';
export {
  appendWithRetry,
  journalEntry,
  nextVersion,
  type SampleRunOptions,
  sampleRun,
} from './state-store-fixtures.js';
