/**
 * `baton-runtime/langgraph`: Baton's ledger as a LangGraph.js checkpointer. This entry point is the only
 * one that loads `@langchain/langgraph-checkpoint`.
 */
export { BatonSaver } from './baton-saver.js';
export { CheckpointConflictError, isCheckpointConflictError } from './errors.js';
export type { BatonSaverOptions } from './saver-options.js';
export {
  type GraphBuilderLike,
  type NodeContracts,
  type NodeFunction,
  withContracts,
} from './with-contracts.js';
