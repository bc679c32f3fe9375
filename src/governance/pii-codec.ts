/**
 * Crypto-shredding: personal fields (tagged `.meta({ pii: true })` in a contract) are stored
 * encrypted under their data subject's key; erasing the subject destroys the key, so the values
 * can no longer be read while every version, and so every hash chain, stays as it was.
 *
 * Invariants:
 * - The store holds only wrapped data keys (`pii_keys`, outside every chain) and ciphertexts.
 * - An erased subject's values read as {@link ERASED}; a key that does not unwrap (another KEK,
 *   an edited row) is an EncryptionKeyError, never read as erased.
 * - Unwrapped keys are kept in memory for `keyCacheMs`: an erasure by another process takes
 *   effect here within that time (at once in the erasing runtime).
 */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import type { PiiKeyRecord } from '../ledger/governance-store.js';
import { deepFreeze, type Json } from '../ledger/json.js';
import type { StateStore } from '../ledger/store.js';
import type { StateData } from '../ledger/types.js';
import type { PiiSealer } from '../orchestrator/pii-sealer.js';
import type { Workflow } from '../orchestrator/workflow.js';
import {
  decryptValue,
  encryptValue,
  envelopeKeyId,
  type KeyEncryptionKey,
  type KeyWrapper,
  newDataKey,
  toKeyWrapper,
} from './pii-crypto.js';
import { slotPii } from './pii-mask.js';

/** What an erased personal value reads as. */
export const ERASED = '[erased]';

/** `createRuntime({ piiEncryption })`. */
export interface PiiEncryptionOptions {
  /** The key-encryption key: 32 bytes (raw, base64 or hex), or `{ wrap, unwrap }` for a KMS. */
  readonly kek: KeyEncryptionKey;
  /**
   * The data subject a run's personal data belongs to, from its (parsed) input; default: the
   * run id (then `erase(runId)` shreds that run). A string of 1 to 200 characters.
   */
  readonly subjectOf?: (input: Json, run: { runId: string; workflow: string }) => string;
  /** How long an unwrapped data key stays in memory, ms (default 60 000). */
  readonly keyCacheMs?: number;
}

/** Options of `rt.erase`. */
export interface EraseOptions {
  /** Report what would be erased, and change nothing. */
  readonly dryRun?: boolean;
}

/** What `rt.erase` did (or, with `dryRun`, would do). */
export interface EraseResult {
  readonly subject: string;
  readonly keyId: string;
  /** When the subject's key was created. */
  readonly createdAt: number;
  /** True when this call destroyed the key. */
  readonly erased: boolean;
  readonly dryRun: boolean;
  /** Set when the subject had been erased before (nothing was left to destroy). */
  readonly erasedAt: number | null;
}

interface CachedKey {
  readonly key: Buffer | null;
  readonly at: number;
}

/** The engine's {@link PiiSealer} over a store's `pii_keys`, plus erasure. */
export class PiiCodec implements PiiSealer {
  private readonly wrapper: KeyWrapper;
  private readonly bySubject = new Map<string, CachedKey & { keyId: string }>();
  private readonly byKeyId = new Map<string, CachedKey>();
  private readonly paths = new WeakMap<Workflow, Map<string, string[]>>();
  private readonly ttl: number;

  constructor(
    private readonly store: StateStore,
    private readonly options: PiiEncryptionOptions,
    private readonly now: () => number,
  ) {
    this.wrapper = toKeyWrapper(options.kek);
    const ttl = options.keyCacheMs ?? 60_000;
    if (!(typeof ttl === 'number' && ttl >= 0)) {
      throw new InvalidArgumentError(
        'piiEncryption.keyCacheMs must be a number >= 0',
        'keyCacheMs',
      );
    }
    this.ttl = ttl;
  }

  async sealSlot(
    wf: Workflow,
    runId: string,
    input: Json,
    slot: string,
    value: Json,
  ): Promise<Json> {
    const paths = this.slotPaths(wf).get(slot);
    if (!paths) return value;
    const subject = await this.subjectFor(input, runId, wf.name);
    const { keyId, key } = await this.keyFor(subject);
    let out = value;
    for (const p of paths) {
      out = mapAt(out, segments(p), (v) =>
        envelopeKeyId(v) === undefined ? encryptValue(keyId, key, v) : v,
      );
    }
    return out;
  }

  async open<T extends Json | StateData>(value: T): Promise<T> {
    const ids = new Set<string>();
    collectKeyIds(value as Json, ids);
    if (ids.size === 0) return value;
    const keys = new Map<string, Buffer | null>();
    for (const id of ids) keys.set(id, await this.keyById(id));
    return deepFreeze(openAll(value as Json, keys)) as T;
  }

  /** Destroys a subject's data key (see {@link eraseSubject}) and forgets it here at once. */
  async erase(subject: string, opts: EraseOptions = {}): Promise<EraseResult> {
    const result = await eraseSubject(this.store, subject, opts, this.now());
    if (result.erased) {
      this.bySubject.delete(subject);
      this.byKeyId.set(result.keyId, { key: null, at: this.now() });
    }
    return result;
  }

  private slotPaths(wf: Workflow): Map<string, string[]> {
    let m = this.paths.get(wf);
    if (!m) {
      m = slotPii(wf);
      this.paths.set(wf, m);
    }
    return m;
  }

  /**
   * The run's subject: the one its stored input is already encrypted for (so a runtime without
   * the application's `subjectOf`, such as the CLI, seals a signal for the right subject), else
   * `subjectOf(input)`.
   */
  private async subjectFor(input: Json, runId: string, workflow: string): Promise<string> {
    const ids = new Set<string>();
    collectKeyIds(input, ids);
    for (const id of ids) {
      const record = await this.store.governance.readPiiKeyById(id);
      if (record) return record.subject;
    }
    return this.subjectOf(input, runId, workflow);
  }

  private subjectOf(input: Json, runId: string, workflow: string): string {
    const s = this.options.subjectOf ? this.options.subjectOf(input, { runId, workflow }) : runId;
    return checkSubject(s);
  }

  private fresh(c: CachedKey | undefined): boolean {
    return c !== undefined && this.now() - c.at <= this.ttl;
  }

  /** The subject's live key, created (and wrapped into the store) on first use. */
  private async keyFor(subject: string): Promise<{ keyId: string; key: Buffer }> {
    const hit = this.bySubject.get(subject);
    if (hit?.key && this.fresh(hit)) return { keyId: hit.keyId, key: hit.key };
    let record = await this.store.governance.readPiiKey(subject);
    let key: Buffer | undefined;
    if (!record || record.wrappedKey === null) {
      const keyId = randomUUID();
      key = newDataKey();
      const mine: PiiKeyRecord = {
        subject,
        keyId,
        wrappedKey: await this.wrapper.wrap(key, keyId),
        createdAt: this.now(),
        erasedAt: null,
      };
      record = await this.store.governance.createPiiKey(mine);
      // Another process created the subject's key first: use the winner's.
      if (record.keyId !== keyId) key = undefined;
    }
    key ??= await this.unwrap(record);
    const at = this.now();
    this.bySubject.set(subject, { keyId: record.keyId, key, at });
    this.byKeyId.set(record.keyId, { key, at });
    return { keyId: record.keyId, key };
  }

  /** A key by id: null when its subject was erased (or the key is unknown here). */
  private async keyById(keyId: string): Promise<Buffer | null> {
    const hit = this.byKeyId.get(keyId);
    if (this.fresh(hit)) return hit!.key;
    const record = await this.store.governance.readPiiKeyById(keyId);
    const key = record && record.wrappedKey !== null ? await this.unwrap(record) : null;
    this.byKeyId.set(keyId, { key, at: this.now() });
    return key;
  }

  private async unwrap(record: PiiKeyRecord): Promise<Buffer> {
    return Buffer.from(await this.wrapper.unwrap(record.wrappedKey!, record.keyId));
  }
}

/**
 * Destroys a subject's data key, audited as `pii.erase` in the same transaction. Needs no
 * key-encryption key: destroying a wrapped key does not unwrap it.
 * @throws NotFoundError for a subject that never had a key; InvalidArgumentError for a bad one
 */
export async function eraseSubject(
  store: StateStore,
  subject: string,
  opts: EraseOptions,
  at: number,
): Promise<EraseResult> {
  checkSubject(subject);
  if (typeof opts !== 'object' || opts === null)
    throw new InvalidArgumentError('erase options must be an object', 'options');
  const record = await store.governance.readPiiKey(subject);
  if (!record) throw new NotFoundError('subject', subject);
  const dryRun = opts.dryRun === true;
  const result = (erased: boolean, erasedAt: number | null): EraseResult =>
    Object.freeze({
      subject,
      keyId: record.keyId,
      createdAt: record.createdAt,
      erased,
      dryRun,
      erasedAt,
    });
  if (record.wrappedKey === null || dryRun) return result(false, record.erasedAt);
  const erased = await store.governance.erasePiiKey(subject, at, {
    at,
    principal: 'owner',
    action: 'pii.erase',
    // The key id, not the subject: the audit chain never holds the subject's identifier.
    securable: `subject:${record.keyId}`,
    params: { keyId: record.keyId },
    result: 'ok',
    detail: { createdAt: record.createdAt },
  });
  return result(erased, erased ? null : at);
}

function checkSubject(s: unknown): string {
  if (typeof s !== 'string' || s.length === 0 || s.length > 200) {
    throw new InvalidArgumentError(
      `a data subject must be a string of 1 to 200 characters, got ${JSON.stringify(s)?.slice(0, 80)}`,
      'subject',
    );
  }
  return s;
}

const segments = (path: string) => path.split('/').filter((s) => s.length > 0);

/** `value` with `fn` applied at the path (`*` = any key or index); never mutates. */
function mapAt(value: Json, segs: readonly string[], fn: (v: Json) => Json): Json {
  if (value === undefined) return value;
  if (segs.length === 0) return fn(value);
  if (typeof value !== 'object' || value === null) return value;
  const [head, ...rest] = segs;
  if (Array.isArray(value)) {
    return value.map((v, i) => (head === '*' || head === String(i) ? mapAt(v, rest, fn) : v));
  }
  const obj = value as Record<string, Json>;
  const copy: Record<string, Json> = { ...obj };
  for (const k of Object.keys(obj)) {
    if (head === '*' || head === k) copy[k] = mapAt(obj[k] as Json, rest, fn);
  }
  return copy;
}

function collectKeyIds(value: Json, out: Set<string>): void {
  if (typeof value !== 'object' || value === null) return;
  const id = envelopeKeyId(value);
  if (id !== undefined) {
    out.add(id);
    return;
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) collectKeyIds(v, out);
}

function openAll(value: Json, keys: ReadonlyMap<string, Buffer | null>): Json {
  if (typeof value !== 'object' || value === null) return value;
  const id = envelopeKeyId(value);
  if (id !== undefined) {
    const key = keys.get(id);
    return key ? decryptValue(value, key) : ERASED;
  }
  if (Array.isArray(value)) return value.map((v) => openAll(v, keys));
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) out[k] = openAll(v, keys);
  return out;
}
