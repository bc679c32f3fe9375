/**
 * A form generated from a contract's JSON Schema, so a human answers a wait with typed fields
 * (no raw JSON): enums become selects, booleans a yes/no choice, numbers number inputs with
 * their bounds, strings text inputs with their length and pattern, nested objects fieldsets.
 * The browser checks these constraints before sending; the server checks the contract again.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

type Schema = Readonly<Record<string, unknown>>;

function field(
  name: string,
  label: string,
  s: Schema,
  required: boolean,
  depth: number,
): HtmlEscapedString {
  const type = s.type;
  const req = required ? 'required' : '';
  if (Array.isArray(s.enum)) {
    return html`<label>${label}<select name="${name}" data-type="${typeof s.enum[0] === 'number' ? 'number' : 'string'}" ${req}>
${required ? '' : html`<option value=""></option>`}${(s.enum as unknown[]).map((v) => html`<option value="${String(v)}">${String(v)}</option>`)}
</select></label>` as HtmlEscapedString;
  }
  if (type === 'boolean') {
    return html`<label>${label}<select name="${name}" data-type="boolean" ${req}><option value=""></option><option value="true">yes</option><option value="false">no</option></select></label>` as HtmlEscapedString;
  }
  if (type === 'number' || type === 'integer') {
    const min = s.minimum ?? s.exclusiveMinimum;
    const max = s.maximum ?? s.exclusiveMaximum;
    return html`<label>${label}<input type="number" name="${name}" data-type="number" step="${type === 'integer' ? '1' : 'any'}" ${min !== undefined ? html`min="${String(min)}"` : ''} ${max !== undefined ? html`max="${String(max)}"` : ''} ${req}></label>` as HtmlEscapedString;
  }
  if (type === 'object' && depth < 3) {
    return html`<fieldset><legend>${label}</legend>${objectFields(name, s, depth + 1)}</fieldset>` as HtmlEscapedString;
  }
  if (type === 'string') {
    return html`<label>${label}<input type="text" name="${name}" data-type="string" ${s.minLength !== undefined ? html`minlength="${String(s.minLength)}"` : ''} ${s.maxLength !== undefined ? html`maxlength="${String(s.maxLength)}"` : ''} ${typeof s.pattern === 'string' ? html`pattern="${s.pattern}"` : ''} ${req}></label>` as HtmlEscapedString;
  }
  // Anything else (arrays, unions): JSON, checked by the server.
  return html`<label>${label} (JSON)<textarea name="${name}" data-type="json" ${req}></textarea></label>` as HtmlEscapedString;
}

function objectFields(prefix: string, s: Schema, depth: number): HtmlEscapedString[] {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(props).map(([k, sub]) =>
    field(prefix ? `${prefix}.${k}` : k, k, sub, required.has(k), depth),
  );
}

/** The signal form of one parked step of a run. */
export function signalForm(
  runId: string,
  step: string,
  schema: Schema | null | undefined,
  allowed: boolean,
): HtmlEscapedString {
  if (!allowed) {
    return html`<p class="muted">Your role may not answer this wait.</p>` as HtmlEscapedString;
  }
  const body =
    schema && schema.type === 'object'
      ? objectFields('', schema, 0)
      : [field('value', 'value', schema ?? {}, true, 0)];
  return html`<form class="signal" data-island="signal" data-run="${runId}" data-name="${step}" data-root="${schema && schema.type === 'object' ? 'object' : 'value'}" novalidate>
${body}
<button type="submit">Send ${step}</button>
<p class="error" data-error role="alert"></p>
<p class="ok" data-ok></p>
</form>` as HtmlEscapedString;
}
