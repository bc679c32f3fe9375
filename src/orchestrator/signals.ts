/**
 * Signals: delivering a payload to a parked step (a durable wait, a step in human review, or an
 * agent suspended on its own wait: suspensions.ts).
 *
 * Invariants:
 * - The payload is validated before anything is written; a bad payload leaves the run waiting.
 * - The payload becomes the step's slot in a new version, appended with compare-and-append, and
 *   the run is taken (leased) by the delivering runtime in the same write; two racing signals
 *   cannot both land.
 */
import { z } from 'zod';
import { type Contract, contract } from '../contracts/contract.js';
import { InvalidArgumentError, NotFoundError, VersionConflictError } from '../errors.js';
import { decodeJson, type Json, type JsonObject, sealJson } from '../ledger/json.js';
import type { RunRecord } from '../ledger/types.js';
import { buildVersionFromPayload } from '../ledger/versions.js';
import { journalEntry } from './journal.js';
import { parkedSteps, serializeParked } from './parked.js';
import type { RuntimeCore } from './runtime-core.js';
import { agentWaitEntry, isAgentWait, stepOfWait } from './suspensions.js';
import type { Workflow } from './workflow.js';

/**
 * Validates and commits a signal; returns the run, now leased by this runtime, to drive on.
 * @throws NotFoundError, InvalidArgumentError (not waiting for that name), ContractViolationError.
 */
export async function deliverSignal(
  core: RuntimeCore,
  runId: string,
  name: string,
  payload: unknown,
  workflowOf: (run: RunRecord) => Workflow | undefined,
  /** The contract of step `name` when this runtime lacks the workflow (from its recorded shape). */
  recordedContract?: (run: RunRecord, name: string) => Contract | undefined,
): Promise<RunRecord> {
  if (typeof name !== 'string' || name.length === 0)
    throw new InvalidArgumentError('signal name must be a non-empty string', 'name');
  for (let attempt = 0; ; attempt++) {
    const run = await core.store.getRun(runId);
    if (!run) throw new NotFoundError('run', runId);
    const parked = parkedSteps(run.waitingFor);
    if (run.status !== 'waiting' || !parked.includes(name)) {
      throw new InvalidArgumentError(
        `run ${runId} is not waiting for '${name}' (status ${run.status}${parked.length ? `, waiting for ${parked.join(', ')}` : ''})`,
        'name',
      );
    }
    if (isAgentWait(name)) {
      const resumed = await resumeAgentWait(core, run, name, payload);
      if (resumed) return resumed;
      if (attempt >= 5) throw new Error('commit failed');
      continue;
    }
    const wf = workflowOf(run);
    const spec = wf?.steps.find((s) => s.name === name);
    const contract = wf
      ? spec?.kind === 'wait'
        ? spec.contract
        : spec?.agent?.output
      : recordedContract?.(run, name);
    if (!contract)
      throw new InvalidArgumentError(`workflow '${run.workflow}' has no step '${name}'`, 'name');
    const value = contract.parse(payload, { boundary: 'signal', step: name });
    const stored =
      core.pii && wf
        ? await core.pii.sealSlot(wf, runId, await runInput(core, runId), name, value as Json)
        : value;
    const { encoded } = sealJson(stored, `$.${name}`);
    const [last] = await core.store.readVersions(runId, run.headVersion, run.headVersion);
    if (!last) throw new NotFoundError('version', `${runId}@${run.headVersion}`);
    const now = core.clock.now();
    const version = buildVersionFromPayload(
      {
        runId,
        version: run.headVersion + 1,
        step: name,
        createdBy: 'signal',
        inputVersion: run.headVersion,
        contract: contract.id,
        tag: 'signal',
        createdAt: now,
        prevHash: last.hash,
      },
      encoded,
      core.maxSlotBytes,
    );
    const remaining = serializeParked(parked.filter((p) => p !== name));
    const lease = { owner: core.owner, expiresAt: now + core.leaseMs };
    const [outcome] = await core.store.commit([
      {
        runId,
        expectedVersion: run.headVersion,
        versions: [version],
        journal: [
          journalEntry(runId, 'signal.received', name, now, {
            version: version.version,
            inputVersion: run.headVersion,
          }),
        ],
        run: { status: 'running', waitingFor: remaining, lease, updatedAt: now },
      },
    ]);
    if (outcome?.ok) {
      return {
        ...run,
        status: 'running',
        waitingFor: remaining,
        headVersion: version.version,
        leaseOwner: lease.owner,
        leaseExpiresAt: lease.expiresAt,
        updatedAt: now,
      };
    }
    // Another writer moved the run (another signal, a timeout, a cancel): re-read and re-check.
    if (!(outcome?.error instanceof VersionConflictError) || attempt >= 5)
      throw outcome?.error ?? new Error('commit failed');
  }
}

/**
 * Delivers a signal to an agent wait: the payload, checked against the schema the agent gave,
 * is journaled (no version: the step's slot stays empty until the agent, executed again,
 * returns) and the run taken. Undefined when another writer moved the run first.
 */
async function resumeAgentWait(
  core: RuntimeCore,
  run: RunRecord,
  name: string,
  payload: unknown,
): Promise<RunRecord | undefined> {
  const runId = run.runId;
  const saved = agentWaitEntry(await core.store.readJournal(runId), name);
  if (!saved) throw new InvalidArgumentError(`run ${runId} has no agent wait '${name}'`, 'name');
  const checked = checkPayload(saved.accepts, payload, name);
  const now = core.clock.now();
  const remaining = serializeParked(parkedSteps(run.waitingFor).filter((p) => p !== name));
  const lease = { owner: core.owner, expiresAt: now + core.leaseMs };
  const [outcome] = await core.store.commit([
    {
      runId,
      expectedVersion: run.headVersion,
      journal: [
        journalEntry(runId, 'signal.received', stepOfWait(name), now, {
          inputVersion: run.headVersion,
          detail: { wait: name, payload: checked },
        }),
      ],
      run: { status: 'running', waitingFor: remaining, lease, updatedAt: now },
    },
  ]);
  if (outcome?.ok) {
    return {
      ...run,
      status: 'running',
      waitingFor: remaining,
      leaseOwner: lease.owner,
      leaseExpiresAt: lease.expiresAt,
      updatedAt: now,
    };
  }
  if (outcome?.error instanceof VersionConflictError) return undefined;
  throw outcome?.error ?? new Error('commit failed');
}

/** The payload as JSON, checked against the agent's JSON Schema (when it gave one). */
function checkPayload(accepts: unknown, payload: unknown, name: string): Json {
  const value = sealJson(payload, `$.${name}`).value as Json;
  if (typeof accepts !== 'object' || accepts === null) return value;
  let schema: Contract;
  try {
    schema = contract('agent-wait.payload@1', z.fromJSONSchema(accepts as never)) as Contract;
  } catch {
    return value; // A schema zod cannot rebuild: only JSON is required then.
  }
  return schema.parse(value, { boundary: 'signal', step: name }) as Json;
}

/**
 * A run's input as stored (the data subject is derived from it: the key its encrypted fields
 * name, so a runtime without the application's `subjectOf` still finds the right subject).
 */
async function runInput(core: RuntimeCore, runId: string): Promise<Json> {
  const [first] = await core.store.readVersions(runId, 1, 1);
  if (!first) throw new NotFoundError('version', `${runId}@1`);
  const value = decodeJson(first.payload);
  // A replay fork's first version is a whole state (a reset).
  return first.kind === 'reset' ? ((value as JsonObject).input ?? null) : value;
}
