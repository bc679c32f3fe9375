/**
 * The governance commands, registered together: `catalog`, `audit`, `grant`/`revoke`/`grants`, `lineage`, `erase`.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerAudit } from './audit.js';
import { registerCatalog } from './catalog.js';
import { registerErase } from './erase.js';
import { registerGrants } from './grants.js';
import { registerLineage } from './lineage.js';

/** Registers every governance command. */
export function registerGovernance(program: Command, ctx: CliContext): void {
  registerCatalog(program, ctx);
  registerAudit(program, ctx);
  registerGrants(program, ctx);
  registerLineage(program, ctx);
  registerErase(program, ctx);
}
