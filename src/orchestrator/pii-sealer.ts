/**
 * What the engine asks of crypto-shredding (implemented in src/governance/pii-codec.ts, plugged
 * in by the runtime when `piiEncryption` is configured): personal fields are encrypted before a
 * version is built, so a version's hash covers the ciphertext and never the plaintext, and
 * opened wherever a state is materialized for agents or readers.
 */
import type { Json } from '../ledger/json.js';
import type { StateData } from '../ledger/types.js';
import type { Workflow } from './workflow.js';

/** Seals and opens personal fields. */
export interface PiiSealer {
  /**
   * `value` of `slot` as it is stored: the fields its contract tags as personal encrypted under
   * the key of the run's data subject (derived from the run's `input`, plaintext or as stored:
   * the key an encrypted input names decides). Returns
   * `value` itself (the same reference) when the slot holds no personal field.
   */
  sealSlot(wf: Workflow, runId: string, input: Json, slot: string, value: Json): Promise<Json>;
  /** A value with every encrypted field decrypted, or the erased marker where its key is gone. */
  open<T extends Json | StateData>(value: T): Promise<T>;
}
