/**
 * Signed audit checkpoints: a Merkle root (RFC 6962) over the audit chain's entries and one over
 * every run's chain head, signed with Ed25519, exportable as a JSON file kept outside the
 * database. A checkpoint lets a verifier detect what a hash chain alone cannot: a rewrite of a
 * whole chain (an edited version with its run's hashes recomputed, an audit chain recomputed
 * after an edit) and a truncated tail.
 *
 * Invariants:
 * - The signature covers the canonical JSON of every field but `signature` and `runs` (the run
 *   head list is covered through `runsRoot`, recomputed from it by the verifier).
 * - A checkpoint names its signing key (`keyId` = first 16 bytes of SHA-256 of the SPKI DER).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { CheckpointInvalidError } from '../errors.js';
import type { AuditEntry } from '../ledger/governance-store.js';
import { canonicalJson } from '../ledger/json.js';
import { leafHash, merkleRoot, nodeHash } from './merkle.js';

/** The file format tag. */
export const CHECKPOINT_FORMAT = 'baton-audit-checkpoint/1';

/** One run's chain head as checkpointed: `[runId, version, hash]`. */
export type RunHead = readonly [runId: string, version: number, hash: string];

/** A signed checkpoint, as exported. */
export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly at: number;
  /** Audit entries covered: seq 1..auditSize. */
  readonly auditSize: number;
  /** Hash of entry `auditSize` (the chain's head then). */
  readonly auditHead: string;
  readonly auditRoot: string;
  readonly runCount: number;
  readonly runsRoot: string;
  /** `node(auditRoot, runsRoot)`: the one value the signature is about. */
  readonly root: string;
  /** Ed25519 public key, SPKI PEM. */
  readonly publicKey: string;
  readonly keyId: string;
  /** Base64 Ed25519 signature. */
  readonly signature: string;
  /** Every run's head, sorted by run id. */
  readonly runs: readonly RunHead[];
}

/** The RFC 6962 leaf of an audit entry. */
export const auditLeaf = (e: Pick<AuditEntry, 'seq' | 'hash'>): Buffer =>
  leafHash(`audit\n${e.seq}\n${e.hash}`);

/** The RFC 6962 leaf of a run head. */
export const runLeaf = ([runId, version, hash]: RunHead): Buffer =>
  leafHash(`run\n${runId}\n${version}\n${hash}`);

/** The key id of a public key: hex of the first 16 bytes of SHA-256 of its SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 32);
}

function signedPart(c: Omit<Checkpoint, 'signature' | 'runs'>): string {
  return canonicalJson({
    format: c.format,
    at: c.at,
    auditSize: c.auditSize,
    auditHead: c.auditHead,
    auditRoot: c.auditRoot,
    runCount: c.runCount,
    runsRoot: c.runsRoot,
    root: c.root,
    publicKey: c.publicKey,
    keyId: c.keyId,
  });
}

/** Loads an Ed25519 private key (PEM text or KeyObject). @throws CheckpointInvalidError */
export function loadPrivateKey(key: string | KeyObject): KeyObject {
  try {
    const k = typeof key === 'string' ? createPrivateKey(key) : key;
    if (k.asymmetricKeyType !== 'ed25519') throw new Error(`a ${k.asymmetricKeyType} key`);
    return k;
  } catch (e) {
    throw new CheckpointInvalidError(
      `signing key is not an Ed25519 private key (${(e as Error).message})`,
      'key',
    );
  }
}

/** Builds and signs a checkpoint over `entries` (the whole chain) and `runs`. */
export function signCheckpoint(
  entries: readonly AuditEntry[],
  runs: readonly RunHead[],
  at: number,
  privateKey: string | KeyObject,
): Checkpoint {
  const key = loadPrivateKey(privateKey);
  const pub = createPublicKey(key);
  const sorted = [...runs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const auditRoot = merkleRoot(entries.map(auditLeaf));
  const runsRoot = merkleRoot(sorted.map(runLeaf));
  const body = {
    format: CHECKPOINT_FORMAT,
    at,
    auditSize: entries.length,
    auditHead: entries.at(-1)?.hash ?? '',
    auditRoot: auditRoot.toString('hex'),
    runCount: sorted.length,
    runsRoot: runsRoot.toString('hex'),
    root: nodeHash(auditRoot, runsRoot).toString('hex'),
    publicKey: pub.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(pub),
  } as const;
  const signature = sign(null, Buffer.from(signedPart(body)), key).toString('base64');
  return { ...body, signature, runs: sorted };
}

/**
 * Parses a checkpoint and checks its signature, its run list against `runsRoot`, and — when
 * `trustedKey` is given — that it was signed by that key.
 * @throws CheckpointInvalidError naming what is wrong (malformed, another key, bad signature).
 */
export function openCheckpoint(
  input: string | Checkpoint,
  source: string,
  trustedKey?: string,
): Checkpoint {
  let c: Checkpoint;
  try {
    c = typeof input === 'string' ? (JSON.parse(input) as Checkpoint) : input;
  } catch (e) {
    throw new CheckpointInvalidError(`not JSON (${(e as Error).message})`, source);
  }
  if (
    c?.format !== CHECKPOINT_FORMAT ||
    !Array.isArray(c.runs) ||
    typeof c.signature !== 'string'
  ) {
    throw new CheckpointInvalidError(`not a ${CHECKPOINT_FORMAT} file`, source);
  }
  let pub: KeyObject;
  try {
    pub = createPublicKey(c.publicKey);
  } catch {
    throw new CheckpointInvalidError('its public key does not parse', source);
  }
  if (keyIdOf(pub) !== c.keyId)
    throw new CheckpointInvalidError('keyId does not match its key', source);
  if (trustedKey !== undefined) {
    let trusted: KeyObject;
    try {
      trusted = createPublicKey(trustedKey);
    } catch {
      throw new CheckpointInvalidError('the trusted public key does not parse', source);
    }
    if (keyIdOf(trusted) !== c.keyId) {
      throw new CheckpointInvalidError(
        `signed by another key (${c.keyId}, expected ${keyIdOf(trusted)})`,
        source,
      );
    }
  }
  let valid = false;
  try {
    valid = verify(null, Buffer.from(signedPart(c)), pub, Buffer.from(c.signature, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) throw new CheckpointInvalidError('signature does not verify (edited?)', source);
  const runsRoot = merkleRoot(c.runs.map(runLeaf)).toString('hex');
  if (runsRoot !== c.runsRoot || c.runs.length !== c.runCount) {
    throw new CheckpointInvalidError('its run list does not match the signed runs root', source);
  }
  return c;
}
