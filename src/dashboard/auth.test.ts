import { describe, expect, it } from 'vitest';
import { isInvalidArgumentError } from '../index.js';
import { createDashboardToken, csrfToken, roleAllows, verifyDashboardToken } from './auth.js';

const SECRET = 'a-secret-of-sixteen-chars';

describe('dashboard tokens', () => {
  it('carry their role and verify only under their secret', () => {
    const t = createDashboardToken(SECRET, { role: 'operator' });
    expect(verifyDashboardToken(SECRET, t)?.role).toBe('operator');
    expect(verifyDashboardToken('another-secret-of-16', t)).toBeUndefined();
  });

  it('refuse a token whose role was edited, a malformed one, and an expired one', () => {
    const t = createDashboardToken(SECRET, { role: 'viewer' });
    expect(verifyDashboardToken(SECRET, t.replace('.viewer.', '.admin.'))).toBeUndefined();
    expect(verifyDashboardToken(SECRET, 'nonsense')).toBeUndefined();
    expect(verifyDashboardToken(SECRET, undefined)).toBeUndefined();
    const short = createDashboardToken(SECRET, { role: 'admin', ttlMs: 1_000, now: 10_000 });
    expect(verifyDashboardToken(SECRET, short, 10_500)?.role).toBe('admin');
    expect(verifyDashboardToken(SECRET, short, 11_000)).toBeUndefined();
  });

  it('refuse bad minting input with a typed error', () => {
    const errors = [
      () => createDashboardToken('short', { role: 'viewer' }),
      () => createDashboardToken(SECRET, { role: 'root' as never }),
      () => createDashboardToken(SECRET, { role: 'viewer', ttlMs: -1 }),
    ].map((f) => {
      try {
        f();
        return undefined;
      } catch (e) {
        return e;
      }
    });
    expect(errors.every(isInvalidArgumentError)).toBe(true);
  });

  it('derive a CSRF token per session and order the roles', () => {
    expect(csrfToken(SECRET, 'a')).not.toBe(csrfToken(SECRET, 'b'));
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('viewer', 'operator')).toBe(false);
  });
});
