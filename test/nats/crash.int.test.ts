import { natsBus } from '../../src/backends/nats/index.js';
import { describeReactorCrashCase } from '../events/crash-case.js';
import { deleteStream, describeWithNats, NATS_URL, uniqueStream } from './server.js';

describeWithNats('choreography over NATS JetStream with a consumer process killed', () => {
  describeReactorCrashCase('NATS JetStream', async () => {
    const names = uniqueStream('crash');
    return {
      args: [NATS_URL, names.stream, names.subjectPrefix],
      makeBus: async () => ({ bus: natsBus({ servers: NATS_URL, ...names, ackWaitMs: 400 }) }),
      cleanup: () => deleteStream(names.stream),
    };
  });
});
