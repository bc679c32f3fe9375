/**
 * Guards: checks around a model call that the runtime enforces, not the prompt. An input guard
 * sees the prompt text before it leaves the process (and may redact it); an output guard sees
 * the contract-valid output. A refusal fails the step with `GuardViolationError`, routed by the
 * step's `onFailure` like any failure, or, for an output guard with `onViolation: 'reask'`, is
 * told to the model as one more re-ask.
 *
 * Invariants:
 * - Guards run in list order; an input guard's redaction is what the next guard and the model see.
 * - Patterns are used without their global flag for tests, so a guard has no hidden state
 *   between calls.
 */
import { type DeepReadonly, InvalidArgumentError } from '../index.js';

/** Where a guard is applied (tool guards are a deny-list, see {@link irreversibleTools}). */
export type GuardStage = 'input' | 'output';

/** What a guard knows about the call. */
export interface GuardContext<I> {
  readonly input: DeepReadonly<I>;
  /** `name@version` of the agent. */
  readonly agent: string;
  readonly runId: string;
  readonly step: string;
}

/** A guard's verdict: pass (optionally with redacted text, input guards only) or refuse. */
export type GuardVerdict =
  | { readonly ok: true; readonly text?: string }
  | { readonly ok: false; readonly reason: string };

/** Checks (and may redact) the prompt text before it reaches the model. */
export interface InputGuard<I = unknown> {
  readonly name: string;
  readonly stage: 'input';
  checkPrompt(text: string, ctx: GuardContext<I>): GuardVerdict | Promise<GuardVerdict>;
}

/** Checks a contract-valid output. */
export interface OutputGuard<I = unknown, O = unknown> {
  readonly name: string;
  readonly stage: 'output';
  /** 'fail' (default) fails the step; 'reask' tells the model why and asks again. */
  readonly onViolation?: 'fail' | 'reask';
  checkOutput(output: DeepReadonly<O>, ctx: GuardContext<I>): GuardVerdict | Promise<GuardVerdict>;
}

/** A deny-list of irreversible tools: none of them may ever run without a human's approval. */
export interface ToolGuard {
  readonly name: string;
  readonly stage: 'tool';
  /** Tool names (keys of the agent's `tools`). */
  readonly irreversible: readonly string[];
}

/** Any guard. */
export type Guard<I = unknown, O = unknown> = InputGuard<I> | OutputGuard<I, O> | ToolGuard;

/** Defines a guard of your own (typed against the agent's input and output). */
export function guard<I = unknown>(g: InputGuard<I>): InputGuard<I>;
export function guard<I = unknown, O = unknown>(g: OutputGuard<I, O>): OutputGuard<I, O>;
export function guard<I, O>(g: Guard<I, O>): Guard<I, O> {
  return Object.freeze({ ...g });
}

/**
 * Marks tools irreversible: the agent is refused at definition unless each has `needsApproval`,
 * and a call that would run one without a human's approval fails with `GuardViolationError`.
 * @example
 * llmAgent({ ..., tools: { refund: { agent: refund, needsApproval: true } },
 *   guards: [irreversibleTools(['refund'])] });
 */
export function irreversibleTools(names: readonly string[]): ToolGuard {
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n.length === 0))
    throw new InvalidArgumentError('irreversibleTools takes an array of tool names', 'names');
  return Object.freeze({
    name: 'irreversible-tools',
    stage: 'tool' as const,
    irreversible: Object.freeze([...names]),
  });
}

/** Kinds of personal data the PII guard knows. */
export type PiiKind = 'email' | 'phone' | 'ssn' | 'card';

const PII: Readonly<Record<PiiKind, RegExp>> = {
  email: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  // International or North American numbers with separators; bare short digit runs are left alone.
  phone: /(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g,
  ssn: /\b\d{3}-\d{2}-\d{4}\b/g,
  card: /\b(?:\d[ -]?){13,19}\b/g,
};

/** Options of {@link piiGuard}. */
export interface PiiGuardOptions {
  /** Kinds to look for (default all). */
  readonly kinds?: readonly PiiKind[];
  /** More patterns, by name. */
  readonly patterns?: Readonly<Record<string, RegExp>>;
  /** 'redact' (default) replaces matches with `[kind]` in the prompt; 'block' refuses it. */
  readonly action?: 'redact' | 'block';
}

/**
 * Keeps personal data out of prompts: redacts (default) or refuses prompts that contain it.
 * @example
 * llmAgent({ ..., guards: [piiGuard({ kinds: ['email', 'ssn'] })] });
 */
export function piiGuard(options: PiiGuardOptions = {}): InputGuard {
  const kinds = options.kinds ?? (Object.keys(PII) as PiiKind[]);
  const patterns: [string, RegExp][] = [
    ...kinds.map((k): [string, RegExp] => [k, PII[k]]),
    ...Object.entries(options.patterns ?? {}).map(([k, p]): [string, RegExp] => [k, global(p)]),
  ];
  const action = options.action ?? 'redact';
  return guard({
    name: 'pii',
    stage: 'input',
    checkPrompt(text) {
      let out = text;
      for (const [kind, pattern] of patterns) {
        if (!once(pattern).test(out)) continue;
        if (action === 'block') return { ok: false, reason: `the prompt contains a ${kind}` };
        out = out.replace(pattern, `[${kind}]`);
      }
      return { ok: true, text: out };
    },
  });
}

/** Options of {@link regexGuard}. */
export interface RegexGuardOptions {
  readonly name: string;
  readonly pattern: RegExp;
  readonly stage: GuardStage;
  /** What the refusal says (default: the pattern matched). */
  readonly reason?: string;
  readonly onViolation?: 'fail' | 'reask';
}

/** Refuses a prompt, or an output (as JSON), that matches `pattern`. */
export function regexGuard(options: RegexGuardOptions): Guard {
  const test = once(options.pattern);
  const refuse = (s: string): GuardVerdict =>
    test.test(s)
      ? { ok: false, reason: options.reason ?? `matches ${String(options.pattern)}` }
      : { ok: true };
  if (options.stage === 'input')
    return guard({ name: options.name, stage: 'input', checkPrompt: refuse });
  return guard({
    name: options.name,
    stage: 'output',
    ...(options.onViolation ? { onViolation: options.onViolation } : {}),
    checkOutput: (output) => refuse(JSON.stringify(output)),
  });
}

/** Refuses a prompt, or an output (as JSON), longer than `maxChars`. */
export function maxLengthGuard(options: {
  readonly maxChars: number;
  readonly stage: GuardStage;
  readonly onViolation?: 'fail' | 'reask';
}): Guard {
  const { maxChars } = options;
  const refuse = (s: string): GuardVerdict =>
    s.length > maxChars
      ? { ok: false, reason: `${s.length} characters, over the maximum of ${maxChars}` }
      : { ok: true };
  const name = `max-length-${options.stage}`;
  if (options.stage === 'input') return guard({ name, stage: 'input', checkPrompt: refuse });
  return guard({
    name,
    stage: 'output',
    ...(options.onViolation ? { onViolation: options.onViolation } : {}),
    checkOutput: (output) => refuse(JSON.stringify(output)),
  });
}

/** Options of {@link groundedGuard}. */
export interface GroundedGuardOptions<I, O> {
  readonly name?: string;
  /** The entities the output names (product ids, risk factors, citations, ...). */
  readonly values: (output: DeepReadonly<O>) => Iterable<string>;
  /**
   * What they must come from: a set of allowed values, or a function of the input returning one
   * (default: each value must appear, case-insensitively, in the input's JSON).
   */
  readonly allowed?: Iterable<string> | ((input: DeepReadonly<I>) => Iterable<string>);
  readonly onViolation?: 'fail' | 'reask';
}

/**
 * Refuses an output that names anything not grounded in the input or an allow-list: the
 * hallucinated-product case.
 * @example
 * groundedGuard({ values: (o) => o.reasons, allowed: (app) => app.riskFactors })
 */
export function groundedGuard<I, O>(options: GroundedGuardOptions<I, O>): OutputGuard<I, O> {
  const fixed =
    options.allowed !== undefined && typeof options.allowed !== 'function'
      ? new Set(options.allowed)
      : undefined;
  const from = typeof options.allowed === 'function' ? options.allowed : undefined;
  return {
    name: options.name ?? 'grounded',
    stage: 'output',
    ...(options.onViolation ? { onViolation: options.onViolation } : {}),
    checkOutput(output, ctx) {
      const allowed = fixed ?? (from ? new Set(from(ctx.input)) : undefined);
      const haystack = allowed ? '' : JSON.stringify(ctx.input).toLowerCase();
      const invented = [...options.values(output)].filter((v) =>
        allowed ? !allowed.has(v) : !haystack.includes(v.toLowerCase()),
      );
      if (invented.length === 0) return { ok: true };
      const list = invented.map((v) => JSON.stringify(v)).join(', ');
      return {
        ok: false,
        reason: `not grounded in ${allowed ? 'the allowed set' : 'the input'}: ${list}`,
      };
    },
  };
}

/** The pattern with its global flag (for replace). */
function global(p: RegExp): RegExp {
  return p.flags.includes('g') ? p : new RegExp(p.source, `${p.flags}g`);
}

/** The pattern without its global or sticky flag (for a stateless test). */
function once(p: RegExp): RegExp {
  return new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
}
