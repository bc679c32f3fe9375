/**
 * How error messages show a value the caller passed: strings quoted (so `'2'` and `2` differ),
 * long text cut, objects by their kind. Never throws, whatever the value.
 */

const MAX_SHOWN = 60;

/** A short, unambiguous rendering of any value for an error message. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
      return JSON.stringify(shown);
    }
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return typeof value === 'bigint' ? `${value}n` : String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return 'a function';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return `an array of ${value.length}`;
      return 'an object';
  }
}
