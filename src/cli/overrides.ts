/**
 * `--override <step>=<module>#<export>`: another agent for a step of a replayed run, taken from
 * a module's named export (`.js`, or `.ts` through tsx).
 */
import { InvalidArgumentError } from '../errors.js';
import type { AgentLike } from '../index.js';
import { importUserModule } from './load-module.js';

/** One parsed `--override`. */
export interface OverrideSpec {
  readonly step: string;
  readonly module: string;
  /** The export to take; when absent, the module must export exactly one agent. */
  readonly exportName: string | undefined;
}

/**
 * Parses `<step>=<module>#<export>` (the `#<export>` part is optional).
 * @throws InvalidArgumentError naming the malformed value.
 */
export function parseOverride(value: string): OverrideSpec {
  const eq = value.indexOf('=');
  const step = value.slice(0, eq);
  const target = value.slice(eq + 1);
  const hash = target.lastIndexOf('#');
  const module = hash === -1 ? target : target.slice(0, hash);
  const exportName = hash === -1 ? undefined : target.slice(hash + 1);
  if (eq < 1 || module.length === 0 || exportName === '') {
    throw new InvalidArgumentError(
      `--override '${value}' is not <step>=<module>#<export> (for example risk=./risk-v2.ts#riskV2)`,
      'override',
    );
  }
  return { step, module, exportName };
}

/**
 * Loads each override's agent, keyed by step.
 * @throws InvalidArgumentError when a module cannot be loaded, lacks the export, or the export is
 *   not an agent; or when two overrides name the same step.
 */
export async function loadOverrides(
  specs: readonly OverrideSpec[],
): Promise<Record<string, AgentLike>> {
  const out: Record<string, AgentLike> = {};
  for (const spec of specs) {
    if (Object.hasOwn(out, spec.step))
      throw new InvalidArgumentError(`step '${spec.step}' is overridden twice`, 'override');
    out[spec.step] = pickAgent(await importUserModule(spec.module, 'override'), spec);
  }
  return out;
}

/** An agent made with `agent()` (the same check as the root's `isAgent`, without loading it). */
const isAgent = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'agent';

function pickAgent(mod: Record<string, unknown>, spec: OverrideSpec): AgentLike {
  const where = `--override ${spec.step}=${spec.module}`;
  if (spec.exportName === undefined) {
    const agents = Object.entries(mod).filter(([, v]) => isAgent(v));
    if (agents.length !== 1) {
      const names = agents.map(([k]) => k).join(', ') || 'none';
      throw new InvalidArgumentError(
        `${where}: name the agent to use with #<export> (agents exported: ${names})`,
        'override',
      );
    }
    return agents[0]![1] as AgentLike;
  }
  const value = mod[spec.exportName];
  if (!isAgent(value)) {
    throw new InvalidArgumentError(
      `${where}#${spec.exportName}: ${value === undefined ? 'no such export' : 'the export is not an agent made with agent()'}`,
      'override',
    );
  }
  return value as AgentLike;
}
