/**
 * Evaluation events: written under the GenAI conventions' name (`gen_ai.evaluation.result`),
 * and still read under the name stores written before it hold (`baton.evaluation`).
 */
import { describe, expect, it } from 'vitest';
import { renderWaterfall, TRACE_NAMES, type TraceSpan } from '../../src/index.js';

/** An attempt span carrying one evaluation event. */
function attemptWith(name: string, attributes: TraceSpan['attributes']): TraceSpan {
  return {
    traceId: 't'.repeat(32),
    spanId: 's'.repeat(16),
    parentSpanId: null,
    runId: 'run-1',
    kind: 'attempt',
    name: 'attempt explain #1',
    start: 0,
    end: 5,
    status: 'ok',
    attributes: {},
    events: [{ name, at: 1, attributes }],
    depth: 0,
  };
}

describe('evaluation events', () => {
  it('are named by the GenAI semantic conventions', () => {
    expect(TRACE_NAMES.evaluation).toBe('gen_ai.evaluation.result');
    expect(TRACE_NAMES.legacyEvaluation).toBe('baton.evaluation');
  });

  it('render in the waterfall under the GenAI name', () => {
    const text = renderWaterfall([
      attemptWith('gen_ai.evaluation.result', {
        'gen_ai.evaluation.name': 'faithful',
        'gen_ai.evaluation.score.value': 0.4,
        'baton.evaluation.passed': false,
        'baton.evaluation.min_score': 0.7,
      }),
    ]);
    expect(text).toContain('evaluation faithful: 0.4 (min 0.7) REJECTED');
  });

  it('render in the waterfall from a store written before, under the old name', () => {
    const text = renderWaterfall([
      attemptWith('baton.evaluation', {
        'baton.evaluator': 'faithful',
        'baton.evaluation.score': 0.9,
        'baton.evaluation.passed': true,
      }),
    ]);
    expect(text).toContain('evaluation faithful: 0.9 passed');
  });
});
