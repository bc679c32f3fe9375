import { natsBus } from '../../src/backends/nats/index.js';
import { describeEventBusCases } from '../events/cases.js';
import { deleteStream, describeWithNats, NATS_URL, uniqueStream } from './server.js';

describeWithNats('the shared choreography cases over NATS JetStream', () => {
  describeEventBusCases('NATS JetStream', async () => {
    const names = uniqueStream('cases');
    return {
      bus: natsBus({ servers: NATS_URL, ...names, ackWaitMs: 2000 }),
      cleanup: () => deleteStream(names.stream),
    };
  });
});
