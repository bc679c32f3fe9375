/**
 * PII helpers on the public surface, for readers that shape run data themselves (the
 * dashboard masks what it shows from the workflow shapes recorded in the store).
 */
export { piiPaths } from './contract-facts.js';
export { maskChanges, maskState } from './pii-mask.js';
