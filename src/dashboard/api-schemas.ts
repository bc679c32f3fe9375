/**
 * The JSON API's schemas: each validates requests and, through `z.toJSONSchema`, becomes part
 * of the OpenAPI document, so the document cannot drift from what the server accepts.
 */
import { z } from 'zod';
import { RUN_STATUSES } from '../index.js';

/** `{ error: { code, message } }`, the body of every failed request. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export const RunId = z.object({ runId: z.string().min(1).max(200) });
export const RunVersion = RunId.extend({ version: z.coerce.number().int().min(1) });
export const Correlation = z.object({ correlationId: z.string().min(1).max(200) });
export const EventId = z.object({ eventId: z.string().min(1).max(200) });

const WherePair = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}=.{0,256}$/, 'where takes key=value');

/** Query of the runs list. */
export const RunsQuery = z.object({
  status: z.enum(RUN_STATUSES as [string, ...string[]]).optional(),
  workflow: z.string().min(1).max(200).optional(),
  where: z.union([WherePair, z.array(WherePair)]).optional(),
  createdAfter: z.coerce.number().int().optional(),
  createdBefore: z.coerce.number().int().optional(),
  cursor: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const DiffQuery = z.object({
  a: z.coerce.number().int().min(1),
  b: z.coerce.number().int().min(1),
});

export const StreamQuery = z.object({
  run: z.string().min(1).max(200).optional(),
  workflow: z.string().min(1).max(200).optional(),
  where: z.union([WherePair, z.array(WherePair)]).optional(),
  after: z.string().min(1).max(100).optional(),
});

export const SignalBody = z.object({
  name: z.string().min(1).max(200),
  payload: z.unknown(),
});

export const ReplayBody = z.object({
  fromVersion: z.number().int().min(1),
  /** An edited workflow input for the fork, checked against the input contract. */
  input: z.unknown().optional(),
});

export const RedeliverBody = z.object({ reactor: z.string().min(1).max(200).optional() });

export const Run = z.object({
  runId: z.string(),
  workflow: z.string(),
  workflowVersion: z.number(),
  status: z.enum(RUN_STATUSES as [string, ...string[]]),
  headVersion: z.number(),
  idempotencyKey: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  output: z.unknown(),
  error: z.unknown(),
  waitingFor: z.string().nullable(),
  leaseOwner: z.string().nullable(),
  leaseExpiresAt: z.number().nullable(),
  parentRunId: z.string().nullable(),
  parentVersion: z.number().nullable(),
});

export const RunsPage = z.object({ runs: z.array(Run), nextCursor: z.string().nullable() });
export const Counts = z.object({
  counts: z.record(z.string(), z.number()),
  /** Statuses whose count reached the cap: the true count is at least the number shown. */
  capped: z.array(z.string()),
});
const Loose = z.record(z.string(), z.unknown());
/** A child run's parent: the run and the step that started it. */
export const RunLink = z.object({ runId: z.string(), step: z.string() });
/** One child run of a run. */
export const ChildLink = z.object({
  runId: z.string(),
  step: z.string(),
  workflow: z.string(),
  status: z.string(),
});
export const RunDetail = z.object({
  run: Run,
  attributes: z.record(z.string(), z.string()),
  shape: Loose.nullable(),
  steps: z.array(Loose),
  parent: RunLink.nullable(),
  children: z.array(ChildLink),
});
export const Versions = z.object({ versions: z.array(Loose) });
export const WaitsQuery = z.object({ reason: z.enum(['timer', 'signal', 'review']).optional() });
export const Waits = z.object({
  waits: z.array(
    z.object({
      runId: z.string(),
      workflow: z.string(),
      step: z.string(),
      reason: z.enum(['timer', 'signal', 'review']),
      since: z.number(),
      dueAt: z.number().nullable(),
    }),
  ),
});
export const Snapshot = Loose;
export const Diff = z.object({
  runId: z.string(),
  from: z.number(),
  to: z.number(),
  changes: z.array(Loose),
});
export const Verify = Loose;
export const Journal = z.object({ entries: z.array(Loose) });
export const Trace = z.object({ spans: z.array(Loose), total: z.number(), truncated: z.boolean() });
export const Workflows = z.object({ workflows: z.array(Loose) });
export const Breakers = z.object({ breakers: z.array(Loose) });
export const EventTree = Loose;
export const DeadLetters = z.object({ deadLetters: z.array(Loose) });
export const Ok = z.object({ ok: z.literal(true) }).catchall(z.unknown());
