/**
 * The one place the credit-decisioning domain imports Baton from. The example uses Baton only
 * through its public package name, exactly as a user would; switching the import source (for
 * instance to a built `dist/`) is a one-line change here.
 */
export { type Contract, type ContractType, contract, type DeepReadonly } from 'baton-runtime';
