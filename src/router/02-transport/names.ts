/**
 * The AMQP contract names (docs/contract.md, "AMQP contract"), derived from one prefix.
 *
 * Quarantine: the router publishes quarantined messages to the `<prefix>.router.quarantine`
 * queue through the default exchange (routing key = queue name). No extra exchange is declared,
 * so the contract gains no name, and a publish with confirms reaches the queue or fails.
 */

/** A prefix or end point id: lower-case letters, digits and hyphens (dots separate parts). */
const NAME_PART = /^[a-z0-9-]+$/;

/** Every broker name the router uses. Immutable; build it with {@link topologyNames}. */
export interface TopologyNames {
  /** The prefix every name starts with (default `itk`). */
  readonly prefix: string;
  /** Fanout, durable exchange that suppliers publish to (`itk.inbound`). */
  readonly inboundExchange: string;
  /** Quorum queue bound to the inbound exchange; the router consumes it (`itk.router.inbound`). */
  readonly routerInboundQueue: string;
  /** Direct, durable exchange the router delivers through; routing key = end point id (`itk.deliver`). */
  readonly deliverExchange: string;
  /** Quorum queue for messages that could not be processed (`itk.router.quarantine`). */
  readonly quarantineQueue: string;
  /** Exchange to publish quarantined messages to: `''`, the default exchange. */
  readonly quarantineExchange: string;
  /** Routing key that reaches the quarantine queue through {@link quarantineExchange}. */
  readonly quarantineRoutingKey: string;
  /** The queue of end point `id` (`itk.endpoint.<id>`). */
  endpointQueue(endpointId: string): string;
  /** The routing key on the deliver exchange for end point `id` (the id itself). */
  endpointRoutingKey(endpointId: string): string;
}

/** Throws unless `id` is a valid end point id (`[a-z0-9-]+`). */
export function assertEndpointId(id: string): void {
  if (!NAME_PART.test(id))
    throw new RangeError(`invalid end point id ${JSON.stringify(id)}: use [a-z0-9-]+`);
}

/** The contract names for `prefix` (default `itk`); a prefix may hold dots (`acme.itk`). */
export function topologyNames(prefix = 'itk'): TopologyNames {
  if (!prefix.split('.').every((part) => NAME_PART.test(part))) {
    throw new RangeError(
      `invalid name prefix ${JSON.stringify(prefix)}: use [a-z0-9-]+ parts joined by dots`,
    );
  }
  const quarantineQueue = `${prefix}.router.quarantine`;
  return Object.freeze({
    prefix,
    inboundExchange: `${prefix}.inbound`,
    routerInboundQueue: `${prefix}.router.inbound`,
    deliverExchange: `${prefix}.deliver`,
    quarantineQueue,
    quarantineExchange: '',
    quarantineRoutingKey: quarantineQueue,
    endpointQueue(endpointId: string): string {
      assertEndpointId(endpointId);
      return `${prefix}.endpoint.${endpointId}`;
    },
    endpointRoutingKey(endpointId: string): string {
      assertEndpointId(endpointId);
      return endpointId;
    },
  });
}
