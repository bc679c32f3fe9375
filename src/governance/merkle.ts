/**
 * Merkle tree hashing as RFC 6962 (Certificate Transparency) defines it: a leaf is
 * `SHA-256(0x00 || data)`, an interior node `SHA-256(0x01 || left || right)`, the tree over n
 * leaves splits at the largest power of two below n, and the empty tree hashes to SHA-256("").
 * The distinct prefixes keep a leaf from ever passing for a node.
 */
import { createHash } from 'node:crypto';

/** The hash of one leaf. */
export function leafHash(data: string | Uint8Array): Buffer {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(data)
    .digest();
}

/** The hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();
}

/** The Merkle tree hash of leaf hashes `leaves` (recursion depth is log2 of their count). */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  return subtree(leaves, 0, leaves.length);
}

function subtree(leaves: readonly Uint8Array[], from: number, to: number): Buffer {
  const n = to - from;
  if (n === 1) return Buffer.from(leaves[from]!);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(subtree(leaves, from, from + k), subtree(leaves, from + k, to));
}
