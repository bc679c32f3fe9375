/**
 * Building, verifying and materializing versions.
 *
 * Invariants:
 * - A version stores only its slot (or the whole state for a reset) plus its hash.
 * - The state at version v is the fold of versions 1..v; it depends on nothing else, so it can
 *   be cached forever under (runId, v).
 */
import { PayloadTooLargeError } from '../errors.js';
import { GENESIS_HASH, hashVersion } from './hash.js';
import { decodeJson, type JsonObject, sealJson } from './json.js';
import type { StateData, StateSnapshot, VersionKind, VersionRecord } from './types.js';

/** Default maximum encoded size of one slot: 1 MiB. */
export const DEFAULT_MAX_SLOT_BYTES = 1024 * 1024;

/** What a caller supplies to build a version. */
export interface VersionDraft {
  readonly runId: string;
  readonly version: number;
  readonly step: string;
  readonly kind?: VersionKind;
  readonly createdBy: string;
  readonly inputVersion: number | null;
  readonly contract: string | null;
  readonly tag?: string | null;
  readonly createdAt: number;
  readonly traceId?: string | null;
  readonly prevHash: string;
}

/**
 * Seals a value (validates JSON, deep-freezes, encodes once) and builds the hashed version.
 * @throws NonJsonValueError when the value is not plain JSON.
 * @throws PayloadTooLargeError when the encoding exceeds `maxSlotBytes`.
 */
export function buildVersion(
  draft: VersionDraft,
  value: unknown,
  maxSlotBytes = DEFAULT_MAX_SLOT_BYTES,
): VersionRecord {
  const { encoded } = sealJson(value, `$.${draft.step}`);
  return buildVersionFromPayload(draft, encoded, maxSlotBytes);
}

/** Builds a version from an already-encoded canonical payload. */
export function buildVersionFromPayload(
  draft: VersionDraft,
  payload: string,
  maxSlotBytes = DEFAULT_MAX_SLOT_BYTES,
): VersionRecord {
  // Length in UTF-16 units is a lower bound on UTF-8 bytes; only measure exactly when close.
  if (payload.length * 3 > maxSlotBytes) {
    const bytes = Buffer.byteLength(payload, 'utf8');
    if (bytes > maxSlotBytes) throw new PayloadTooLargeError(draft.step, bytes, maxSlotBytes);
  }
  // One object, built once and frozen: this runs for every version of every run.
  const v = {
    runId: draft.runId,
    version: draft.version,
    step: draft.step,
    kind: draft.kind ?? 'slot',
    payload,
    createdBy: draft.createdBy,
    inputVersion: draft.inputVersion,
    contract: draft.contract,
    tag: draft.tag ?? null,
    createdAt: draft.createdAt,
    traceId: draft.traceId ?? null,
    hash: '',
    prevHash: draft.prevHash,
  };
  v.hash = hashVersion(v);
  return Object.freeze(v);
}

/** Result of verifying a run's chain. */
export type VerifyResult =
  | { readonly ok: true; readonly versions: number; readonly headHash: string }
  | {
      readonly ok: false;
      readonly versions: number;
      /** The first version that does not verify. */
      readonly brokenAt: number;
      readonly reason: string;
    };

/**
 * Checks that versions are contiguous from 1, that each hash matches its content and that each
 * prevHash matches its predecessor. `expectedHead` (the run's recorded head) catches a removed tail.
 */
export function verifyChain(
  versions: readonly VersionRecord[],
  expectedHead?: number,
): VerifyResult {
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i]!;
    const expected = i + 1;
    if (v.version !== expected) {
      return fail(
        versions.length,
        expected,
        `version ${expected} is missing or out of order (found ${v.version})`,
      );
    }
    if (v.prevHash !== prevHash) {
      return fail(
        versions.length,
        expected,
        'prevHash does not match the previous version (removed or reordered)',
      );
    }
    if (hashVersion(v) !== v.hash) {
      return fail(versions.length, expected, 'hash does not match the content (edited)');
    }
    prevHash = v.hash;
  }
  if (expectedHead !== undefined && versions.length !== expectedHead) {
    return fail(
      versions.length,
      Math.min(versions.length, expectedHead) + 1,
      `run head is version ${expectedHead} but ${versions.length} versions are stored`,
    );
  }
  return { ok: true, versions: versions.length, headHash: prevHash };
}

function fail(count: number, brokenAt: number, reason: string): VerifyResult {
  return { ok: false, versions: count, brokenAt, reason };
}

/** Applies one version to the previous state, sharing every untouched slot (structural sharing). */
export function applyVersion(prev: StateData, v: VersionRecord): StateData {
  const value = decodeJson(v.payload);
  if (v.kind === 'reset') return value as JsonObject;
  return Object.freeze({ ...prev, [v.step]: value });
}

/** Folds versions 1..n into the state at n. */
export function materialize(versions: readonly VersionRecord[]): StateData {
  let state: StateData = Object.freeze({});
  for (const v of versions) state = applyVersion(state, v);
  return state;
}

/** A snapshot from a version and the materialized data at it. */
export function toSnapshot<D = StateData>(v: VersionRecord, data: D): StateSnapshot<D> {
  return Object.freeze({
    runId: v.runId,
    version: v.version,
    data,
    step: v.step,
    createdBy: v.createdBy,
    inputVersion: v.inputVersion,
    contract: v.contract,
    tag: v.tag,
    hash: v.hash,
    prevHash: v.prevHash,
    createdAt: v.createdAt,
    traceId: v.traceId,
  });
}
