/**
 * The credit workflow, ready for the CLI's `--workflows` (the system's workflow is a factory
 * over its faults and ledger; this module builds it once, without injected faults):
 *
 *   npx baton replay <run> --from 4 --workflows ./examples/credit-decisioning/workflows.ts
 *
 * Also for `signal` (sign off a referral), `rollback` and `worker`. The lender's tables live in
 * the demo's store file, `CREDIT_LEDGER` (default `./baton.db`), opened at the first booking or
 * notification, so loading this module writes nothing.
 */

import { loadExplainer } from './system/explain.js';
import { createFaults, FAULT_PRESETS } from './system/faults.js';
import { type Ledger, openLedger } from './system/ledger.js';
import { creditWorkflow } from './system/workflow.js';

/** The ledger file: the demo's store, unless `CREDIT_LEDGER` names another. */
const LEDGER_PATH = process.env.CREDIT_LEDGER ?? './baton.db';

/** A ledger that opens its file on first use. */
function lazyLedger(path: string): Ledger {
  let open: Ledger | undefined;
  const ledger = (): Ledger => {
    open ??= openLedger(path);
    return open;
  };
  return {
    book: (line) => ledger().book(line),
    voidLine: (key) => ledger().voidLine(key),
    notify: (n) => ledger().notify(n),
    lines: () => ledger().lines(),
    notifications: () => ledger().notifications(),
    close: () => open?.close(),
  };
}

/** `credit-decision@1`, with the demo's agents and no injected faults. */
export const creditDecision = creditWorkflow({
  faults: createFaults(FAULT_PRESETS.off, 1),
  ledger: lazyLedger(LEDGER_PATH),
  explainer: await loadExplainer(process.env),
});
