/**
 * Creating a run: validate the input (before anything is written), build version 1 and write
 * the run and its first version atomically, owned (leased) by the starting runtime.
 */
import { InvalidArgumentError, toError } from '../errors.js';
import { GENESIS_HASH } from '../ledger/hash.js';
import { deepFreeze, type Json } from '../ledger/json.js';
import type { SearchAttributes } from '../ledger/observe.js';
import { checkAttributes } from '../ledger/observe-rules.js';
import type { RunRecord, StateData, VersionRecord } from '../ledger/types.js';
import { buildVersion } from '../ledger/versions.js';
import type { StartOptions } from './run-types.js';
import type { RuntimeCore } from './runtime-core.js';
import { assertSameStart } from './start-conflict.js';
import type { Workflow } from './workflow.js';

/** The created (or, for a repeated idempotency key, existing) run. */
export interface CreatedRun {
  readonly run: RunRecord;
  readonly firstVersion: VersionRecord;
  readonly created: boolean;
  /** The state at version 1 (the sealed input in its slot), so the driver need not decode it. */
  readonly data: StateData;
}

/**
 * Validates and writes a new run.
 * @throws ContractViolationError when the input violates the workflow's input contract.
 * @throws InvalidArgumentError for a malformed runId or idempotencyKey.
 * @throws IdempotencyConflictError when the runId or idempotencyKey names a run of another
 *   workflow, version or input.
 */
export async function createRun(
  core: RuntimeCore,
  wf: Workflow,
  input: unknown,
  opts: StartOptions,
  newId: () => string,
  /** Take the lease (drive it here) or leave it for any worker to claim (submit). */
  leased = true,
): Promise<CreatedRun> {
  if (typeof opts !== 'object' || opts === null)
    throw new InvalidArgumentError('start options must be an object', 'options');
  for (const key of ['runId', 'idempotencyKey'] as const) {
    const v = opts[key];
    if (v !== undefined && (typeof v !== 'string' || v.length === 0 || v.length > 200)) {
      throw new InvalidArgumentError(
        `options.${key} must be a non-empty string of at most 200 characters`,
        key,
      );
    }
  }
  const parsed = wf.input.parse(input, { boundary: 'workflow-input' });
  const attributes = searchAttributes(wf, parsed, opts.tags);
  const runId = opts.runId ?? newId();
  // Personal fields are stored encrypted: the version's hash covers the ciphertext.
  const stored = core.pii
    ? await core.pii.sealSlot(wf, runId, parsed as Json, 'input', parsed as Json)
    : parsed;
  if (stored !== parsed) deepFreeze(parsed);
  const now = core.clock.now();
  const firstVersion = buildVersion(
    {
      runId,
      version: 1,
      step: 'input',
      createdBy: 'system',
      inputVersion: null,
      contract: wf.input.id,
      createdAt: now,
      prevHash: GENESIS_HASH,
    },
    stored,
    core.maxSlotBytes,
  );
  const result = await core.creator.submit({
    run: {
      runId,
      workflow: wf.name,
      workflowVersion: wf.version,
      // A run driven here from the start is running; a queued one waits for a worker.
      status: leased ? 'running' : 'pending',
      idempotencyKey: opts.idempotencyKey ?? null,
      createdAt: now,
      updatedAt: now,
      output: null,
      error: null,
      waitingFor: null,
      leaseOwner: leased ? core.owner : null,
      leaseExpiresAt: leased ? now + core.leaseMs : null,
      parentRunId: null,
      parentVersion: null,
    },
    firstVersion,
    ...(attributes ? { attributes } : {}),
    journal: [
      {
        runId,
        type: 'run.started',
        step: null,
        attempt: null,
        at: now,
        durationMs: null,
        inputVersion: null,
        version: 1,
        error: null,
        detail: { workflow: wf.name, workflowVersion: wf.version },
      },
    ],
  });
  if (result instanceof Error) throw result;
  if (!result.created) await assertSameStart(core, result.run, wf, firstVersion, opts);
  // buildVersion sealed (deep-froze) `parsed` in place: it is the slot value as stored.
  const data = Object.freeze({ input: parsed as Json }) as StateData;
  return { run: result.run, firstVersion, created: result.created, data };
}

/**
 * A run's search attributes: what the workflow's `searchable` derives from the parsed input, then
 * the start's tags. Values become strings; null and undefined are left out.
 * @throws InvalidArgumentError when `searchable` throws or an attribute is malformed.
 */
function searchAttributes(
  wf: Workflow,
  input: unknown,
  tags: StartOptions['tags'],
): SearchAttributes | undefined {
  if (!wf.searchable && tags === undefined) return undefined;
  const out: Record<string, string> = {};
  if (wf.searchable) {
    let derived: Readonly<Record<string, unknown>>;
    try {
      derived = (wf.searchable as (i: unknown) => Readonly<Record<string, unknown>>)(input);
    } catch (e) {
      throw new InvalidArgumentError(
        `searchable of workflow '${wf.name}' threw: ${toError(e).message}`,
        'searchable',
      );
    }
    if (typeof derived !== 'object' || derived === null) {
      throw new InvalidArgumentError(
        `searchable of workflow '${wf.name}' must return an object`,
        'searchable',
      );
    }
    for (const [k, v] of Object.entries(derived)) {
      if (v === null || v === undefined) continue;
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new InvalidArgumentError(
          `searchable of workflow '${wf.name}' gave ${k} = ${typeof v}; use a string, number or boolean`,
          k,
        );
      }
      out[k] = String(v);
    }
  }
  if (tags !== undefined) Object.assign(out, checkAttributes(tags, 'tags'));
  const entries = Object.keys(out).length;
  return entries === 0 ? undefined : checkAttributes(out, 'search attributes');
}
