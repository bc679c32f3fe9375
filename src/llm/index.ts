/**
 * `baton-runtime/llm`: agents backed by language models through the Vercel AI SDK (`ai@^6`, an optional
 * peer dependency), guards, budgets, a model gateway, an LLM judge and usage queries. Nothing
 * in the package root imports this subpath, so plain agents never load the SDK.
 */

export {
  readUsage,
  type UsageGroupBy,
  type UsageQuery,
  type UsageReport,
  type UsageRow,
} from '../tracing/usage.js';
export {
  APPROVAL_PAYLOAD_SCHEMA,
  type ApprovalCheckpoint,
  type ApprovalDecision,
  type ApprovalRequest,
  approvalKey,
} from './approvals.js';
export type { Budget, Spent } from './budget.js';
export {
  type EvalCase,
  type EvalCaseResult,
  type EvalOptions,
  type EvalReport,
  parseDataset,
  runEval,
} from './eval.js';
export {
  createModelGateway,
  type GatewayModel,
  type GatewayModelOptions,
  isGatewayModel,
  type ModelGateway,
  type ModelGatewayOptions,
} from './gateway.js';
export type { LlmCallSettings } from './generate.js';
export {
  type GroundedGuardOptions,
  type Guard,
  type GuardContext,
  type GuardStage,
  type GuardVerdict,
  groundedGuard,
  guard,
  type InputGuard,
  irreversibleTools,
  maxLengthGuard,
  type OutputGuard,
  type PiiGuardOptions,
  type PiiKind,
  piiGuard,
  type RegexGuardOptions,
  regexGuard,
  type ToolGuard,
} from './guards.js';
export { JudgeVerdict, type LlmJudgeOptions, llmJudge } from './judge.js';
export { type LlmAgentOptions, llmAgent } from './llm-agent.js';
export type {
  InvokedCall,
  ModelCallRequest,
  ModelCallResult,
  ModelInvoker,
  ResolvedModel,
} from './model-call.js';
export type { LaneStats, ModelBreakerOptions } from './model-lane.js';
export { costOf, type ModelPrice, type PriceTable, type TokenCount } from './pricing.js';
export type { ToolAgent, ToolOptions } from './schema.js';
