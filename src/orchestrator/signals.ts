/**
 * Signals: delivering a payload to a parked step (a durable wait, or a step in human review).
 *
 * Invariants:
 * - The payload is validated before anything is written; a bad payload leaves the run waiting.
 * - The payload becomes the step's slot in a new version, appended with compare-and-append, and
 *   the run is taken (leased) by the delivering runtime in the same write; two racing signals
 *   cannot both land.
 */
import type { Contract } from '../contracts/contract.js';
import { InvalidArgumentError, NotFoundError, VersionConflictError } from '../errors.js';
import { decodeJson, type Json, type JsonObject, sealJson } from '../ledger/json.js';
import type { RunRecord } from '../ledger/types.js';
import { buildVersionFromPayload } from '../ledger/versions.js';
import { journalEntry } from './journal.js';
import { parkedSteps, serializeParked } from './parked.js';
import type { RuntimeCore } from './runtime-core.js';
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
