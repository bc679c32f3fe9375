/**
 * One conformance suite for the governance tables, run against every backend (memory and
 * SQLite in test/governance, PostgreSQL in test/postgres).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { auditHash } from '../../src/governance/audit-hash.js';
import type { AuditDraft, CatalogVersionRecord, StateStore } from '../../src/index.js';
import { GENESIS_HASH } from '../../src/index.js';

/** A fresh, migrated store and how to dispose of it. */
export type GovernanceFactory = () => Promise<{ store: StateStore; cleanup?: () => Promise<void> }>;

const draft = (i: number, extra: Partial<AuditDraft> = {}): AuditDraft => ({
  at: 1_000 + i,
  principal: 'ana',
  action: 'run.start',
  securable: `workflow:w${i}@1`,
  params: { i, nested: { list: [1, 'two'] } },
  result: 'ok',
  detail: null,
  ...extra,
});

const version = (v: number, fingerprint = `fp${v}`): CatalogVersionRecord => ({
  contractId: `s.x@${v}`,
  subject: 's.x',
  version: v,
  kind: 'contract',
  fingerprint,
  jsonSchema: { type: 'object', properties: { a: { type: 'string' } } },
  rules: { r: 1 },
  piiPaths: ['/a'],
  registeredAt: 5,
  registeredBy: 'ana',
});

/** Registers the governance conformance cases for one backend. */
export function describeGovernanceStoreContract(name: string, factory: GovernanceFactory): void {
  describe(`governance store: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });
    const open = async () => {
      const { store, cleanup } = await factory();
      await store.migrate();
      cleanups.push(async () => {
        await store.close();
        await cleanup?.();
      });
      if (!store.governance) throw new Error(`${name} has no governance tables`);
      return store.governance;
    };

    it('chains audit entries: contiguous seq from 1, each hash over the previous one', async () => {
      const g = await open();
      await g.appendAudit([draft(1), draft(2)]);
      await g.appendAudit([draft(3, { result: 'denied', detail: { code: 'ACCESS_DENIED' } })]);
      const all = await g.readAudit();
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3]);
      let prev = GENESIS_HASH;
      for (const e of all) {
        expect(e.prevHash).toBe(prev);
        expect(e.hash).toBe(auditHash(prev, e.seq, e));
        prev = e.hash;
      }
      expect(all[2]).toMatchObject({ result: 'denied', detail: { code: 'ACCESS_DENIED' } });
      expect(all[0]!.params).toEqual({ i: 1, nested: { list: [1, 'two'] } });
      expect(await g.readAudit(2, 1)).toEqual([all[1]]);
    });

    it('keeps one unforked chain under concurrent appends', async () => {
      const g = await open();
      await Promise.all(Array.from({ length: 20 }, (_, i) => g.appendAudit([draft(i)])));
      const all = await g.readAudit();
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);
    });

    it('registers catalog versions through decide, atomically with their audit entries', async () => {
      const g = await open();
      const first = await g.registerCatalog('s.x', (subject, versions) => {
        expect(subject).toBeUndefined();
        expect(versions).toEqual([]);
        return {
          insert: version(1),
          subject: { subject: 's.x', mode: 'FULL', updatedAt: 5, updatedBy: 'ana' },
          audit: [draft(1, { action: 'catalog.register' })],
        };
      });
      expect(first.insert?.contractId).toBe('s.x@1');
      await g.registerCatalog('s.x', (subject, versions) => {
        expect(subject?.mode).toBe('FULL');
        expect(versions.map((v) => v.version)).toEqual([1]);
        return { insert: version(2), audit: [] };
      });
      // A refusal writes nothing, not even its audit entries.
      await expect(
        g.registerCatalog('s.x', () => {
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      const listed = await g.listCatalog('s.x');
      expect(listed).toEqual([version(1), version(2)]);
      expect(await g.listCatalog()).toEqual(listed);
      expect(await g.listSubjects()).toEqual([
        { subject: 's.x', mode: 'FULL', updatedAt: 5, updatedBy: 'ana' },
      ]);
      expect((await g.readAudit()).map((e) => e.action)).toEqual(['catalog.register']);
      await g.putSubject(
        { subject: 's.x', mode: 'NONE', updatedAt: 9, updatedBy: 'bo' },
        draft(9, { action: 'catalog.mode' }),
      );
      expect((await g.listSubjects())[0]).toMatchObject({ mode: 'NONE', updatedBy: 'bo' });
    });

    it('adds and removes grants idempotently, auditing each call', async () => {
      const g = await open();
      const grant = {
        principal: 'ana',
        privilege: 'READ',
        securable: 'workflow:*',
        grantedAt: 7,
        grantedBy: 'owner',
      };
      expect(await g.addGrant(grant, draft(1, { action: 'grant' }))).toBe(true);
      expect(await g.addGrant(grant, draft(2, { action: 'grant' }))).toBe(false);
      expect(await g.listGrants()).toEqual([grant]);
      expect(await g.removeGrant(grant, draft(3, { action: 'revoke' }))).toBe(true);
      expect(await g.removeGrant(grant, draft(4, { action: 'revoke' }))).toBe(false);
      expect(await g.listGrants()).toEqual([]);
      expect((await g.readAudit()).map((e) => e.action)).toEqual([
        'grant',
        'grant',
        'revoke',
        'revoke',
      ]);
    });

    it('keeps principals and checkpoints', async () => {
      const g = await open();
      const p = { principal: 'ana', publicKey: 'PEM', createdAt: 1, createdBy: 'owner' };
      await g.putPrincipal(p, draft(1, { action: 'principal.put' }));
      await g.putPrincipal({ ...p, publicKey: null }, draft(2, { action: 'principal.put' }));
      expect(await g.listPrincipals()).toEqual([{ ...p, publicKey: null }]);
      await g.saveCheckpoint({ auditSize: 2, at: 10, body: '{"a":1}' });
      await g.saveCheckpoint({ auditSize: 3, at: 11, body: '{"a":2}' });
      expect(await g.listCheckpoints(1)).toEqual([{ auditSize: 3, at: 11, body: '{"a":2}' }]);
      expect((await g.listCheckpoints()).map((c) => c.auditSize)).toEqual([3, 2]);
    });

    it('keeps one live key per data subject; erasure clears it with its audit entry', async () => {
      const g = await open();
      const key = (keyId: string, wrappedKey: string) => ({
        subject: 'cust-1',
        keyId,
        wrappedKey,
        createdAt: 7,
        erasedAt: null,
      });
      expect(await g.createPiiKey(key('k1', 'w1'))).toEqual(key('k1', 'w1'));
      // A second creator (a racing process) gets the live key, not its own.
      expect(await g.createPiiKey(key('k2', 'w2'))).toEqual(key('k1', 'w1'));
      expect(await g.readPiiKeyById('k2')).toBeUndefined();
      expect(await g.erasePiiKey('cust-1', 9, draft(1, { action: 'pii.erase' }))).toBe(true);
      expect(await g.readPiiKey('cust-1')).toEqual({
        ...key('k1', 'w1'),
        wrappedKey: null,
        erasedAt: 9,
      });
      expect(await g.erasePiiKey('cust-1', 10, draft(2, { action: 'pii.erase' }))).toBe(false);
      expect(await g.erasePiiKey('nobody', 10, draft(3, { action: 'pii.erase' }))).toBe(false);
      expect((await g.readAudit()).map((e) => e.action)).toEqual(['pii.erase']);
      // An erased subject gets a new key; the old key id is gone with it.
      expect(await g.createPiiKey(key('k3', 'w3'))).toEqual(key('k3', 'w3'));
      expect(await g.readPiiKeyById('k1')).toBeUndefined();
      expect(await g.readPiiKeyById('k3')).toEqual(key('k3', 'w3'));
    });
  });
}
