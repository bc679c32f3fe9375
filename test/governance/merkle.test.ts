import { describe, expect, it } from 'vitest';
import { leafHash, merkleRoot } from '../../src/governance/merkle.js';

// Certificate Transparency's reference leaves and tree heads for sizes 0..8 (RFC 6962 hashing).
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('RFC 6962 Merkle tree hashing', () => {
  it('gives the reference tree head for every size from 0 to 8', () => {
    const hashes = LEAVES.map((l) => leafHash(l));
    for (let n = 0; n <= 8; n++) {
      expect(merkleRoot(hashes.slice(0, n)).toString('hex'), `size ${n}`).toBe(ROOTS[n]);
    }
  });

  it('changes the root when any leaf changes or two leaves swap', () => {
    const hashes = Array.from({ length: 37 }, (_, i) => leafHash(`entry ${i}`));
    const root = merkleRoot(hashes).toString('hex');
    const edited = [...hashes];
    edited[20] = leafHash('entry 20 (edited)');
    expect(merkleRoot(edited).toString('hex')).not.toBe(root);
    const swapped = [...hashes];
    [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    expect(merkleRoot(swapped).toString('hex')).not.toBe(root);
  });
});
