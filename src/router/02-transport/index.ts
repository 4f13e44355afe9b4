/** The transport adapter: connection, topology, consumer and confirm publisher over amqplib. */
export { BrokerConnection } from './connection.js';
export type {
  BackoffOptions,
  BrokerConnectionOptions,
  ConnectionState,
  SetupTask,
} from './connection-options.js';
export { QueueConsumer } from './consumer.js';
export type { ConsumerOptions, MessageHandler, Settlement } from './consumer-options.js';
export type { InboundMessage, InboundProperties } from './inbound-message.js';
export { assertEndpointId, topologyNames, type TopologyNames } from './names.js';
export type { PublishProperties } from './publish-properties.js';
export { ConfirmPublisher, type PublisherOptions } from './publisher.js';
export {
  declareTopology,
  declareTopologyTask,
  declareEndpointQueues,
  type TopologyOptions,
} from './topology.js';
export { TransportError, type TransportErrorCode } from './transport-error.js';
export type { TransportLogger } from './transport-logger.js';
