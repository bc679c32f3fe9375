/**
 * Privileges and securables, a small mirror of Unity Catalog's model.
 *
 * - A securable is `kind:name@version` (`workflow:credit-decision@1`, `contract:credit.score@2`),
 *   or a collective one naming every securable of a kind (`event:*`).
 * - A grant names a pattern: `*` matches any characters (`workflow:credit-*`, `*`); a pattern
 *   without `@` covers every version (`workflow:credit-decision`).
 * - Privileges do not imply one another: READ_PII adds unmasked personal data to READ, it does
 *   not replace it; MANAGE administers, it does not read.
 */
import { InvalidArgumentError } from '../errors.js';

/** Every privilege. */
export const PRIVILEGES = [
  'EXECUTE',
  'SIGNAL',
  'CANCEL',
  'READ',
  'READ_PII',
  'REPLAY',
  'MANAGE',
] as const;

/** A privilege. */
export type Privilege = (typeof PRIVILEGES)[number];

/** Every kind of securable. */
export const SECURABLE_KINDS = [
  'workflow',
  'agent',
  'contract',
  'event',
  'model',
  'schedule',
  'catalog',
] as const;

/** A kind of securable. */
export type SecurableKind = (typeof SECURABLE_KINDS)[number];

/** The principal of a store without grants: whoever holds the store (today's single owner). */
export const OWNER = 'owner';

const NAME = /^[A-Za-z0-9*][A-Za-z0-9._:@*/-]*$/;

/** True when `value` is a privilege. */
export function isPrivilege(value: unknown): value is Privilege {
  return (PRIVILEGES as readonly unknown[]).includes(value);
}

/** @throws InvalidArgumentError naming an unknown privilege. */
export function checkPrivilege(value: unknown): Privilege {
  if (!isPrivilege(value)) {
    throw new InvalidArgumentError(
      `unknown privilege ${JSON.stringify(value)}; one of ${PRIVILEGES.join(', ')}`,
      'privilege',
    );
  }
  return value;
}

/** @throws InvalidArgumentError for an empty or malformed principal name. */
export function checkPrincipal(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200 || !NAME.test(value)) {
    throw new InvalidArgumentError(
      `principal must be a name of letters, digits and . _ : @ / -, got ${JSON.stringify(value)}`,
      'principal',
    );
  }
  return value;
}

/**
 * Parses a grant pattern (`*`, `kind:*`, `kind:name`, `kind:name@version`, with `*` wildcards).
 * @throws InvalidArgumentError naming an unknown kind or a malformed pattern.
 */
export function checkSecurablePattern(value: unknown): { kind: SecurableKind | '*'; name: string } {
  if (value === '*') return { kind: '*', name: '*' };
  if (typeof value !== 'string' || !value.includes(':')) {
    throw new InvalidArgumentError(
      `securable must be 'kind:name[@version]' (kinds: ${SECURABLE_KINDS.join(', ')}) or '*', got ${JSON.stringify(value)}`,
      'securable',
    );
  }
  const kind = value.slice(0, value.indexOf(':'));
  const name = value.slice(value.indexOf(':') + 1);
  if (!(SECURABLE_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidArgumentError(
      `unknown securable kind '${kind}' in ${JSON.stringify(value)}; one of ${SECURABLE_KINDS.join(', ')}`,
      'securable',
    );
  }
  if (name.length === 0 || !NAME.test(name)) {
    throw new InvalidArgumentError(
      `malformed securable name in ${JSON.stringify(value)}`,
      'securable',
    );
  }
  return { kind: kind as SecurableKind, name };
}

/** True when a grant pattern covers a securable (which may itself be collective, `event:*`). */
export function covers(pattern: string, securable: string): boolean {
  if (pattern === '*') return true;
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  const anyVersion = !pattern.includes('@') && !pattern.endsWith('*') ? '(@.*)?' : '';
  return new RegExp(`^${escaped}${anyVersion}$`).test(securable);
}

/** The securable of a workflow version. */
export const workflowSecurable = (name: string, version: number): string =>
  `workflow:${name}@${version}`;
