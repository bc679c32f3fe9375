import { describe, expect, it } from 'vitest';
import type { JournalEntry, WorkflowShape } from '../index.js';
import { layers } from './pages/dag.js';
import { stepViews } from './run-view.js';

const shape: WorkflowShape = {
  name: 'w',
  version: 1,
  input: 'in@1',
  order: ['a', 'b', 'c', 'review'],
  contracts: {},
  registeredAt: 0,
  steps: [
    { name: 'a', kind: 'agent', needs: [], agent: 'a@1' },
    { name: 'b', kind: 'agent', needs: [], agent: 'b@1' },
    { name: 'c', kind: 'agent', needs: ['a', 'b'], agent: 'c@2' },
    { name: 'review', kind: 'wait', needs: ['c'], contract: 'r@1' },
  ],
};

function j(
  type: JournalEntry['type'],
  step: string | null,
  extra: Partial<JournalEntry> = {},
): JournalEntry {
  return {
    runId: 'r',
    type,
    step,
    attempt: null,
    at: 100,
    durationMs: null,
    inputVersion: null,
    version: null,
    error: null,
    detail: null,
    ...extra,
  };
}

describe('step views', () => {
  it('start every declared step pending and follow the journal forward', () => {
    const views = stepViews(shape, [
      j('run.started', null),
      j('attempt.failed', 'a', { attempt: 1 }),
      j('step.succeeded', 'a', {
        attempt: 2,
        durationMs: 30,
        at: 200,
        inputVersion: 1,
        version: 2,
      }),
      j('step.started', 'b', { at: 150 }),
      j('wait.started', 'review'),
    ]);
    expect(views.map((v) => [v.name, v.status, v.attempts])).toEqual([
      ['a', 'succeeded', 2],
      ['b', 'running', 0],
      ['c', 'pending', 0],
      ['review', 'waiting', 0],
    ]);
    expect(views[0]).toMatchObject({
      startedAt: 170,
      durationMs: 30,
      inputVersion: 1,
      version: 2,
      agent: 'a@1',
    });
  });

  it('lay parallel steps in one column and a step after its deepest need', () => {
    const cols = layers(stepViews(shape, []));
    expect(Object.fromEntries(cols)).toEqual({ a: 0, b: 0, c: 1, review: 2 });
  });
});
