/**
 * `baton catalog list | show <id> | check <module>`: the store's contract catalog.
 * `check` is for deploy pipelines: would the contracts a module exports register cleanly
 * against the store's catalog? Exit code 1, with every breaking change, if not. It writes
 * nothing.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import type { CatalogDefinition, CatalogEntry, Workflow } from '../../index.js';
import { type CliContext, globalOptions } from '../context.js';
import { library } from '../library.js';
import { formatTime, paint, printJson, renderFields, renderTable } from '../output.js';
import { withStore } from './governance-session.js';

/** Registers `baton catalog`. */
export function registerCatalog(program: Command, ctx: CliContext): void {
  const catalog = program
    .command('catalog')
    .description("the store's contract catalog: versions, modes, compatibility checks");

  catalog
    .command('list')
    .description('every registered contract and event type version (unchecked ones flagged)')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const entries = await withStore(
        g,
        async (store) => (await library()).storeCatalog(store).list(),
        'read',
      );
      if (g.json) return printJson(ctx.io, { entries: entries.map(summary) });
      const rows = entries.map((e) => [
        e.contractId,
        e.kind,
        e.mode,
        e.checked ? 'yes' : { text: 'UNCHECKED', style: 'yellow' as const },
        e.fingerprint.slice(0, 12),
        e.piiPaths.join(', ') || '-',
        formatTime(e.registeredAt),
        e.registeredBy,
      ]);
      ctx.io.out(
        `${renderTable(['ID', 'KIND', 'MODE', 'CHECKED', 'FINGERPRINT', 'PII', 'REGISTERED', 'BY'], rows, ctx.io.color)}\n`,
      );
    });

  catalog
    .command('show')
    .description('one version (name@version) or every version of a subject, with its JSON Schema')
    .argument('<id>', 'contract id (credit.score@2) or subject (credit.score)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const entries = await withStore(
        g,
        async (store) => (await library()).storeCatalog(store).get(id),
        'read',
      );
      if (entries.length === 0) throw new NotFoundError('contract', id);
      if (g.json) return printJson(ctx.io, { entries });
      for (const e of entries) {
        ctx.io.out(
          `${renderFields(
            [
              ['id', e.contractId],
              ['kind', e.kind],
              ['mode', e.mode],
              ['checked', e.checked ? 'yes' : 'no (no JSON Schema: registered under NONE)'],
              ['fingerprint', e.fingerprint],
              ['pii', e.piiPaths.join(', ') || '-'],
              [
                'rules',
                Object.entries(e.rules)
                  .map(([n, v]) => `${n}@${v}`)
                  .join(', ') || '-',
              ],
              ['registered', `${formatTime(e.registeredAt)} by ${e.registeredBy}`],
            ],
            ctx.io.color,
          )}\n${JSON.stringify(e.jsonSchema, null, 2)}\n\n`,
        );
      }
    });

  catalog
    .command('check')
    .description('would the contracts a module exports register cleanly? (exit code 1 if not)')
    .argument('<module>', 'a module exporting workflows, contracts, event types or reactors')
    .action(async (modulePath: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const defs = await loadDefinitions(modulePath);
      const checks = await withStore(
        g,
        async (store) => (await library()).storeCatalog(store).check(defs),
        'read',
      );
      const failed = checks.filter((c) => c.outcome !== 'registered' && c.outcome !== 'new');
      if (failed.length > 0) ctx.exitCode = 1;
      if (g.json) return printJson(ctx.io, { ok: failed.length === 0, checks });
      for (const c of checks) {
        const ok = c.outcome === 'registered' || c.outcome === 'new';
        const mark = paint(ok ? 'ok' : 'BREAKS', ok ? 'green' : 'red', ctx.io.color);
        ctx.io.out(`${mark} ${c.id} (${c.outcome}, ${c.mode})\n`);
        for (const p of c.problems) {
          const vs = p.version !== undefined ? ` vs @${p.version} (${p.direction})` : '';
          ctx.io.out(`    ${p.change} at ${p.path}${vs}${p.detail ? `: ${p.detail}` : ''}\n`);
        }
        if (!ok && c.problems.length === 0 && c.message) ctx.io.out(`    ${c.message}\n`);
      }
    });
}

function summary(e: CatalogEntry) {
  const { jsonSchema: _schema, ...rest } = e;
  return rest;
}

/**
 * The catalog definitions a module exports: contracts, event types, and those used by exported
 * workflows and reactors (directly or in exported arrays).
 * @throws InvalidArgumentError when the module cannot be loaded or exports none.
 */
export async function loadDefinitions(modulePath: string): Promise<CatalogDefinition[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(modulePath)).href)) as Record<string, unknown>;
  } catch (e) {
    throw new InvalidArgumentError(
      `cannot load module '${modulePath}': ${(e as Error).message ?? String(e)}`,
      'module',
    );
  }
  const { reactorEvents, workflowContracts } = await import('../../governance/runtime-catalog.js');
  const { isContract, isEventType, isReactor, isWorkflow } = await library();
  const found: CatalogDefinition[] = [];
  for (const value of Object.values(mod)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (isWorkflow(item)) found.push(...workflowContracts(item as Workflow));
      else if (isReactor(item)) found.push(...reactorEvents(item));
      else if (isContract(item) || isEventType(item)) found.push(item as CatalogDefinition);
    }
  }
  if (found.length === 0) {
    throw new InvalidArgumentError(
      `module '${modulePath}' exports no contract, event type, workflow or reactor`,
      'module',
    );
  }
  return found;
}
