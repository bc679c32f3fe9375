/**
 * `--as <principal>` for the CLI: the commands that read or act on runs go through
 * `rt.as(principal)`, so the principal's privileges are checked, its actions audited and
 * personal data masked without READ_PII.
 *
 * How the CLI authenticates a principal: a principal recorded with a public key
 * (`storeGovernance(store).addPrincipal(name, { publicKey })`) must prove it holds the private
 * key (`--principal-key <file>` or $BATON_PRINCIPAL_KEY): the CLI signs a random challenge and
 * checks it against the stored key, so naming the principal alone is refused. A principal
 * without a key is taken at its word — anyone who can open an embedded store's file is its
 * owner anyway; keys matter where the store is shared (PostgreSQL) and the CLI's database
 * role cannot write the principals table.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AccessDeniedError, InvalidArgumentError } from '../errors.js';
import type { GovernedRuntime, Runtime, StateStore } from '../index.js';
import { library } from './library.js';

/** The environment variables standing in for `--as` and `--principal-key`. */
export const PRINCIPAL_ENV = 'BATON_PRINCIPAL';
export const PRINCIPAL_KEY_ENV = 'BATON_PRINCIPAL_KEY';

/**
 * Checks that the CLI may act as `principal`.
 * @throws AccessDeniedError when the principal has a key and none (or another) is given.
 */
export async function authenticate(
  store: StateStore,
  principal: string,
  keyFile: string | undefined,
): Promise<void> {
  const { storeGovernance } = await library();
  const record = (await storeGovernance(store).principals()).find((p) => p.principal === principal);
  if (!record?.publicKey) return;
  const action = 'act from the CLI without its key';
  if (!keyFile) throw new AccessDeniedError(principal, action);
  let pem: string;
  try {
    pem = readFileSync(keyFile, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(
      `cannot read principal key '${keyFile}': ${(e as Error).message}`,
      'principal-key',
    );
  }
  const challenge = randomBytes(32);
  let ok = false;
  try {
    const signature = sign(null, challenge, createPrivateKey(pem));
    ok = verify(null, challenge, createPublicKey(record.publicKey), signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new AccessDeniedError(principal, 'act from the CLI with another key');
}

/**
 * The governed view as the `Runtime` the commands expect. Worker-only methods are refused:
 * `baton worker` drives runs as the store's owner.
 */
export function asSessionRuntime(view: GovernedRuntime): Runtime {
  const refuse = (): never => {
    throw new InvalidArgumentError('this command cannot run with --as', 'as');
  };
  return { ...view, startWorker: refuse, breakers: refuse, as: refuse } as unknown as Runtime;
}
