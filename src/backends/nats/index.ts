/**
 * `baton-runtime/nats`: choreography events over NATS JetStream. Needs `@nats-io/jetstream` and
 * `@nats-io/transport-node` installed next to Baton.
 */

export {
  type IngressEventType,
  type IngressTarget,
  type IngressWorkflow,
  type NatsIngress,
  type NatsIngressOptions,
  natsIngress,
} from './ingress.js';
export {
  type NatsBusOptions,
  natsBus,
  type ResolvedNatsBusOptions,
  resolveNatsBusOptions,
} from './nats-bus.js';
