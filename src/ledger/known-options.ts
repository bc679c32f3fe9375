/**
 * Refusing unknown option names: a typo (`compensat`, `workflow` for `workflows`) would otherwise
 * be dropped silently and the caller would run without what they meant to configure.
 */
import { InvalidArgumentError, InvalidDefinitionError } from '../errors.js';

/**
 * Throws when `options` has an own key not in `known`, listing the known ones.
 * @param subject what the options belong to, for the message (`createRuntime`, `agent 'x@1'`).
 * @param kind 'argument' (InvalidArgumentError) or 'definition' (InvalidDefinitionError).
 */
export function assertKnownOptions(
  options: object,
  known: readonly string[],
  subject: string,
  kind: 'argument' | 'definition' = 'argument',
): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const message = `${subject}: unknown option '${key}'; known options are ${known.map((k) => `'${k}'`).join(', ')}`;
    throw kind === 'argument'
      ? new InvalidArgumentError(message, key)
      : new InvalidDefinitionError(message, subject);
  }
}

/**
 * A compile-time check that a list of option names covers every key of an options type:
 * `true` when it does, else the keys left out (so `const x: EveryKeyListed<…> = true` fails to
 * compile, naming them, until a new option is listed and thereby accepted at run time).
 */
export type EveryKeyListed<T, Keys extends readonly PropertyKey[]> = [
  Exclude<keyof T, Keys[number]>,
] extends [never]
  ? true
  : Exclude<keyof T, Keys[number]>;
