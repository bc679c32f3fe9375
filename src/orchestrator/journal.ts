/**
 * Builders for journal entries and system marker versions, shared by the driver, signals and
 * lease upkeep.
 */
import { sealJson } from '../ledger/json.js';
import type { JournalEntry, VersionRecord } from '../ledger/types.js';
import { buildVersionFromPayload } from '../ledger/versions.js';

/** A journal entry with every optional field defaulted to null. */
export function journalEntry(
  runId: string,
  type: JournalEntry['type'],
  step: string | null,
  at: number,
  extra: Partial<Omit<JournalEntry, 'runId' | 'type' | 'step' | 'at'>> = {},
): JournalEntry {
  return {
    runId,
    type,
    step,
    attempt: extra.attempt ?? null,
    at,
    durationMs: extra.durationMs ?? null,
    inputVersion: extra.inputVersion ?? null,
    version: extra.version ?? null,
    error: extra.error ?? null,
    detail: extra.detail ?? null,
  };
}

/** The version a cancellation appends (it fences every other writer by compare-and-append). */
export function cancelMarker(
  runId: string,
  version: number,
  prevHash: string,
  now: number,
): VersionRecord {
  return buildVersionFromPayload(
    {
      runId,
      version,
      step: '$cancelled',
      createdBy: 'system',
      inputVersion: version - 1,
      contract: null,
      tag: 'cancelled',
      createdAt: now,
      prevHash,
    },
    sealJson({ cancelled: true }).encoded,
    Number.POSITIVE_INFINITY,
  );
}
