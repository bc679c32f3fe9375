import { describe, expect, it } from 'vitest';
import { isInvalidArgumentError } from '../../errors.js';
import { natsBus, resolveNatsBusOptions } from './nats-bus.js';
import { consumerFilter, eventSubject, token } from './setup.js';

describe('natsBus options', () => {
  it('fills the defaults: stream BATON_EVENTS, prefix baton.events, 30 s ack wait, unbounded deliveries', () => {
    expect(resolveNatsBusOptions({ servers: 'nats://h:4222' })).toMatchObject({
      servers: ['nats://h:4222'],
      stream: 'BATON_EVENTS',
      subjectPrefix: 'baton.events',
      ackWaitMs: 30_000,
      maxDeliver: -1,
    });
  });

  it.each([
    [{}, 'servers'],
    [{ servers: [''] }, 'servers'],
    [{ servers: 'n', stream: 'a.b' }, 'stream'],
    [{ servers: 'n', subjectPrefix: 'a.*' }, 'subjectPrefix'],
    [{ servers: 'n', subjectPrefix: 'a..b' }, 'subjectPrefix'],
    [{ servers: 'n', ackWaitMs: 0 }, 'ackWaitMs'],
    [{ servers: 'n', ackWaitMs: 1.5 }, 'ackWaitMs'],
    [{ servers: 'n', maxDeliver: 0 }, 'maxDeliver'],
  ])('refuses %j, naming %s', (options, argument) => {
    let caught: unknown;
    try {
      natsBus(options);
    } catch (e) {
      caught = e;
    }
    expect(isInvalidArgumentError(caught)).toBe(true);
    expect(caught).toMatchObject({ argument });
  });
});

describe('JetStream names', () => {
  it('encodes names as single tokens, injectively', () => {
    const names = ['a.b@1', 'a_b@1', 'a-b@1', 'researcher@1.0.0', '$compensator', 'x@1.0.0+b.2'];
    const tokens = names.map(token);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9@+~_-]+$/);
    expect(new Set(tokens).size).toBe(names.length);
    expect(token('research.requested@1')).toBe('research~requested@1');
  });

  it('puts failure events where both their reactors and the compensator see them', () => {
    const subject = eventSubject('p.q', 'flow.failed@1', true);
    expect(subject).toBe('p.q.flow~failed@1.f');
    const reactor = consumerFilter('p.q', {
      name: 'r@1.0.0',
      match: { types: ['flow.failed@1'] },
      concurrency: 1,
    });
    const compensator = consumerFilter('p.q', {
      name: '$compensator',
      match: { failures: true },
      concurrency: 1,
    });
    expect(reactor).toEqual({ filter: 'p.q.flow~failed@1.*', local: null });
    expect(compensator).toEqual({ filter: 'p.q.*.f', local: null });
    // Several types need a broad filter and a local check.
    const several = consumerFilter('p.q', {
      name: 'r@1.0.0',
      match: { types: ['a@1', 'b@1'] },
      concurrency: 1,
    });
    expect(several.filter).toBe('p.q.>');
    expect([...(several.local ?? [])]).toEqual(['a@1', 'b@1']);
  });
});
