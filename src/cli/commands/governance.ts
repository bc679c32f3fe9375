/**
 * The governance commands, registered together: `catalog`, `audit`.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerAudit } from './audit.js';
import { registerCatalog } from './catalog.js';

/** Registers every governance command. */
export function registerGovernance(program: Command, ctx: CliContext): void {
  registerCatalog(program, ctx);
  registerAudit(program, ctx);
}
