/**
 * Architecture rules checked by `npm run check:deps` (part of `npm test`). Type-only imports
 * count: a cycle of types is a cycle of concepts. The layers, bottom up:
 *   errors → ledger (records, store interface, ledger rules) → backends (memory, sqlite,
 *   postgres, nats) · contracts, agents, resilience, tracing → orchestrator (the engine) →
 *   patterns (saga, time-travel, choreography) → runtime (the facade) → cli.
 */
const layer = (name, from, forbidden) => ({
  name,
  severity: 'error',
  from: { path: from },
  to: { path: forbidden },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles anywhere in src/, type-only imports included.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    layer(
      'ledger-is-the-bottom',
      '^src/ledger/',
      '^src/(backends|orchestrator|saga|time-travel|choreography|runtime|cli|tracing|resilience|agents|contracts|governance|llm|langgraph|dashboard|testing|schedules|retention)/',
    ),
    layer(
      'backends-implement-the-ledger-only',
      '^src/backends/',
      '^src/(orchestrator|saga|time-travel|runtime|cli|testing)/',
    ),
    layer(
      'only-nats-implements-the-bus',
      '^src/backends/(memory|sqlite|postgres|sql)/',
      '^src/choreography/',
    ),
    layer(
      'the-engine-knows-no-pattern',
      '^src/orchestrator/',
      '^src/(saga|time-travel|choreography|runtime|cli|backends)/',
    ),
    layer(
      'patterns-sit-below-the-facade',
      '^src/(saga|time-travel|choreography|schedules|retention)/',
      '^src/(runtime|cli|backends)/',
    ),
    layer(
      'building-blocks-know-no-engine',
      '^src/(contracts|agents|resilience|tracing)/',
      '^src/(orchestrator|saga|time-travel|choreography|runtime|cli|backends)/',
    ),
    layer('nothing-imports-the-cli', '^src/(?!cli/)', '^src/cli/'),
    layer('governance-sits-beside-the-facade', '^src/governance/', '^src/(cli|backends)/'),
    layer('the-core-never-loads-llm-agents', '^src/(?!llm/|cli/)', '^src/llm/'),
    layer('the-core-never-loads-langgraph', '^src/(?!langgraph/)', '^src/langgraph/'),
    layer(
      'the-dashboard-uses-the-public-api',
      '^src/dashboard/',
      '^src/(?!index\\.ts$|dashboard/)',
    ),
    layer('only-the-cli-loads-the-dashboard', '^src/(?!cli/|dashboard/)', '^src/dashboard/'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
