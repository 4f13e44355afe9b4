/**
 * The least-privilege permission regexes of the broker accounts, built from the contract names
 * (src/router/02-transport/names.ts). RabbitMQ checks three regexes per user and vhost: configure (declare,
 * delete), write (publish to an exchange; bind a queue) and read (consume or get from a queue;
 * bind from an exchange). The default exchange is checked as `amq.default`.
 */
import type { TopologyNames } from '../../router/02-transport/names.js';

/** The three permission regexes of one user in one vhost. */
export interface Permissions {
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

/** Matches no resource name: RabbitMQ's way to grant nothing. */
export const NOTHING = '^$';

/** The name the broker checks permissions on when a client uses the default exchange (`''`). */
export const DEFAULT_EXCHANGE = 'amq.default';

/** `text` as a regex that matches exactly it. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An anchored regex matching exactly one of `names`. */
function exactly(...names: string[]): string {
  const alternatives = names.map(escapeRegex);
  return alternatives.length === 1 ? `^${alternatives[0]}$` : `^(${alternatives.join('|')})$`;
}

/**
 * An end point's broker user: publish only to the inbound exchange, read only its own queue,
 * declare nothing. It cannot reach `itk.deliver`, the default exchange, another end point's queue
 * or the router's queues.
 */
export function endpointPermissions(names: TopologyNames, endpointId: string): Permissions {
  return {
    configure: NOTHING,
    write: exactly(names.inboundExchange),
    read: exactly(names.endpointQueue(endpointId)),
  };
}

/** What a router with web services (docs/web-services.md) needs on the broker besides. */
export interface RouterWebServices {
  /** The gateway is on: it publishes the calls it accepts to the inbound exchange. */
  readonly gateway: boolean;
  /** End points with `delivery.url`: the delivery workers consume their queues. */
  readonly deliveryEndpoints: readonly string[];
}

/**
 * The router's broker user, for what `start` does and nothing more:
 * - configure: declare the two exchanges, its two queues and every end point queue;
 * - write: publish to the deliver exchange and, for the quarantine, the default exchange (also
 *   the inbound queue's dead-letter exchange); bind its inbound queue and the end point queues;
 * - read: consume its inbound queue and the quarantine queue (the quarantine commands); bind from
 *   the two exchanges (a binding needs read on the exchange); declare the inbound queue with a
 *   dead-letter exchange (the broker checks read on that queue).
 * With web services, also: publish to the inbound exchange when the gateway is on (its
 * publications carry the router's user_id, which the pipeline trusts), and consume the queues of
 * the end points it calls. Otherwise it cannot publish to the inbound exchange nor read an end
 * point's queue.
 */
export function routerPermissions(
  names: TopologyNames,
  web: RouterWebServices = { gateway: false, deliveryEndpoints: [] },
): Permissions {
  const own = [
    names.inboundExchange,
    names.deliverExchange,
    names.routerInboundQueue,
    names.quarantineQueue,
  ];
  const endpointQueues = endpointQueuePattern(names);
  const anyOf = (literals: string[]) =>
    `^(${[...literals.map(escapeRegex), endpointQueues].join('|')})$`;
  const write = [DEFAULT_EXCHANGE, names.deliverExchange, names.routerInboundQueue];
  if (web.gateway) write.push(names.inboundExchange);
  const called = web.deliveryEndpoints.map((id) => names.endpointQueue(id));
  return {
    configure: anyOf(own),
    write: anyOf(write),
    read: exactly(...own, ...called),
  };
}

/** A regex (unanchored) for the queue of any end point: the queue name of an id, any valid id. */
function endpointQueuePattern(names: TopologyNames): string {
  const sample = 'x';
  const queue = names.endpointQueue(sample);
  return `${escapeRegex(queue.slice(0, -sample.length))}[a-z0-9-]+`;
}
