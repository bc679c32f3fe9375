/**
 * Values through LangGraph's serializer and into the ledger: JSON where the serializer produced
 * JSON (so Baton's CLI reads it), `{ $serde, base64 }` otherwise (opaque bytes, kept exactly).
 */
import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { canonicalJson, type Json } from '../index.js';
import type { StoredValue, ValueForm } from './ledger-layout.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Serializes a value with LangGraph's serializer and chooses its ledger form. */
export async function encodeValue(serde: SerializerProtocol, value: unknown): Promise<StoredValue> {
  const [type, bytes] = await serde.dumpsTyped(value);
  if (type === 'json') {
    const json = parseJson(bytes);
    if (json !== undefined) return { serde: type, form: 'json', value: json };
  }
  return {
    serde: type,
    form: 'base64',
    value: { $serde: type, base64: Buffer.from(bytes).toString('base64') },
  };
}

/**
 * The serializer's JSON as a plain JSON value, or undefined when it is not UTF-8 JSON. What
 * JSON.parse returns is always plain JSON, so the ledger can hold it as such.
 */
function parseJson(bytes: Uint8Array): Json | undefined {
  try {
    return JSON.parse(decoder.decode(bytes)) as Json;
  } catch {
    return undefined;
  }
}

/**
 * Loads a stored value back through the serializer, from the slot's payload text (`text`, the
 * canonical JSON of the stored value) or from the stored value itself.
 */
export async function decodeValue(
  serde: SerializerProtocol,
  stored: { readonly serde: string; readonly form: ValueForm },
  source: { readonly text: string } | { readonly value: Json },
): Promise<unknown> {
  if (stored.form === 'json') {
    return serde.loadsTyped(
      stored.serde,
      'text' in source ? source.text : canonicalJson(source.value),
    );
  }
  const value = 'text' in source ? (JSON.parse(source.text) as Json) : source.value;
  const base64 = (value as { base64?: unknown } | null)?.base64;
  if (typeof base64 !== 'string') {
    throw new TypeError(`opaque value is not { $serde, base64 } (serializer type ${stored.serde})`);
  }
  return serde.loadsTyped(stored.serde, new Uint8Array(Buffer.from(base64, 'base64')));
}
