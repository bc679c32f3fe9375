/**
 * Completions: finished steps waiting to be committed, and how they become versions.
 *
 * Invariants:
 * - A completion holds its slot value sealed (frozen) and encoded once; the version's hash is
 *   computed from that encoding, never from a re-encoding.
 * - `versionsFor` numbers completions contiguously after the head and chains their hashes.
 */
import type { Agent } from '../agents/agent.js';
import type { ErrorInfo } from '../errors.js';
import { sha256 } from '../ledger/hash.js';
import { sealJson } from '../ledger/json.js';
import type { AuxRecord, JournalEntry, VersionRecord } from '../ledger/types.js';
import { buildVersionFromPayload } from '../ledger/versions.js';
import type { StepOutcome, StepScope } from '../tracing/telemetry.js';
import { journalEntry } from './journal.js';
import type { StepSuccess } from './step-runner.js';

/** A finished step waiting to be committed. */
export interface Completion {
  readonly step: string;
  readonly value: unknown;
  readonly encoded: string;
  readonly createdBy: string;
  readonly contract: string | null;
  readonly inputVersion: number;
  readonly tag: string | null;
  readonly journal: JournalEntry;
  /** Entries that take the version this completion becomes (its attempt's `ctx.note`s). */
  readonly notes?: readonly JournalEntry[];
  readonly records?: readonly AuxRecord[];
  /** Ended (with the version written) once the completion is committed. */
  readonly scope?: StepScope;
  readonly outcome: StepOutcome;
}

/** When and how long a step ran. */
export interface StepTiming {
  readonly inputVersion: number;
  readonly durationMs: number;
  readonly attempt: number;
}

/** The durable result-cache key: agent id and the canonical hash of its input. */
export function cacheKey(agentId: string, encodedInput: string): string {
  return `${agentId}:${sha256(encodedInput)}`;
}

/** A step that succeeded (and, for `onFailure: 'cached'` agents, the cache entry it leaves). */
export function succeeded(
  runId: string,
  agent: Agent,
  step: string,
  result: StepSuccess,
  timing: StepTiming,
  now: number,
  scope: StepScope,
): Completion {
  const cache =
    result.onFailure === 'cached' && result.encodedInput !== null
      ? [
          {
            kind: 'cache' as const,
            key: cacheKey(agent.id, result.encodedInput),
            runId,
            at: now,
            body: result.value as never,
          },
        ]
      : undefined;
  return {
    step,
    value: result.value,
    encoded: result.encoded,
    createdBy: agent.id,
    contract: agent.output.id,
    inputVersion: timing.inputVersion,
    tag: null,
    journal: journalEntry(runId, 'step.succeeded', step, now, timing),
    ...(result.notes.length > 0 ? { notes: result.notes } : {}),
    ...(cache ? { records: cache } : {}),
    scope,
    outcome: 'succeeded',
  };
}

/** A failed step that fell back to a cached output. */
export function cached(
  runId: string,
  agent: Agent,
  step: string,
  body: unknown,
  timing: StepTiming,
  now: number,
  error: ErrorInfo,
  scope: StepScope,
): Completion {
  const sealed = sealJson(body, `$.${step}`);
  return {
    step,
    value: sealed.value,
    encoded: sealed.encoded,
    createdBy: agent.id,
    contract: agent.output.id,
    inputVersion: timing.inputVersion,
    tag: 'cached',
    journal: journalEntry(runId, 'step.cached', step, now, { ...timing, error }),
    scope,
    outcome: 'cached',
  };
}

/** A step that did not run (condition false, onFailure 'skip', a wait that timed out). */
export function skipped(
  runId: string,
  step: string,
  reason: string,
  inputVersion: number,
  now: number,
  scope: StepScope,
  error: ErrorInfo | null = null,
  timing: StepTiming | null = null,
): Completion {
  const value = Object.freeze({ skipped: true as const, reason });
  return {
    step,
    value,
    encoded: sealJson(value).encoded,
    createdBy: 'system',
    contract: null,
    inputVersion,
    tag: 'skipped',
    journal: journalEntry(runId, 'step.skipped', step, now, {
      inputVersion,
      ...(timing ?? {}),
      error,
      detail: { reason },
    }),
    scope,
    outcome: 'skipped',
  };
}

/**
 * Numbers, hashes and journals completions as the versions after `head`: appends the versions
 * to `versions`, their journal entries to `journal` and their records to `records`, and returns
 * the last hash. (Appending into the caller's arrays: this runs on every commit of every run.)
 */
export function versionsFor(
  runId: string,
  completions: readonly Completion[],
  head: number,
  prevHash: string,
  now: number,
  out: { versions: VersionRecord[]; journal: JournalEntry[]; records: AuxRecord[] },
): string {
  let hash = prevHash;
  let version = head;
  for (const c of completions) {
    version++;
    const v = buildVersionFromPayload(
      {
        runId,
        version,
        step: c.step,
        createdBy: c.createdBy,
        inputVersion: c.inputVersion,
        contract: c.contract,
        tag: c.tag,
        createdAt: now,
        prevHash: hash,
        traceId: c.scope?.traceId ?? null,
      },
      c.encoded,
      Number.POSITIVE_INFINITY,
    );
    out.versions.push(v);
    hash = v.hash;
    if (c.notes) for (const n of c.notes) out.journal.push(withVersion(n, version));
    out.journal.push(withVersion(c.journal, version));
    if (c.records) for (const r of c.records) out.records.push(r);
  }
  return hash;
}

/** A journal entry with the version its step wrote (one literal: see state/records.ts). */
function withVersion(j: JournalEntry, version: number): JournalEntry {
  return {
    runId: j.runId,
    type: j.type,
    step: j.step,
    attempt: j.attempt,
    at: j.at,
    durationMs: j.durationMs,
    inputVersion: j.inputVersion,
    version,
    error: j.error,
    detail: j.detail,
  };
}
