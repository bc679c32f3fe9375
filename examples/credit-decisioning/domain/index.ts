/**
 * The credit-decisioning domain: contracts, the five agents' pure logic, the oracle and the
 * seeded generator. Nothing here depends on the orchestrator; the Baton workflow wires it.
 */
export * from './contracts.js';
export { generateApplications } from './generate.js';
export * from './logic.js';
export { createRng, type Rng } from './prng.js';
export * from './rules.js';
export { type ApplicationPatch, sampleApplication } from './sample.js';
