/** Pure look-ups of addresses and identities in a route table. */
import type { Endpoint } from '../01-config/routes-config.js';
import type { RouteTable } from './route-table.js';

/** Where an address leads: an end point id, the router's locator, the router itself. */
export type AddressTarget = string | 'locator' | 'router';

/** The end point a broker user (AMQP `user_id`) may send as, if any. */
export function endpointForIdentity(table: RouteTable, brokerUser: string): Endpoint | undefined {
  const id = table.identities.get(brokerUser);
  return id === undefined ? undefined : table.endpoints.get(id);
}

/**
 * Whether an end point claims an address: one of its exact addresses, or an address under a
 * subtree (`…:*`) it claims, whoever else claims something more specific.
 */
export function endpointClaimsAddress(
  table: RouteTable,
  endpointId: string,
  address: string,
): boolean {
  const endpoint = table.endpoints.get(endpointId);
  if (endpoint === undefined) return false;
  return endpoint.addresses.some((claimed) =>
    claimed.endsWith(':*') ? isUnder(address, claimed.slice(0, -1)) : claimed === address,
  );
}

/**
 * Resolves one address: `locator` for the care-plan locator's address, `router` for the router's
 * own, else the end point claiming it exactly, else the one with the longest subtree holding it.
 * Undefined when nothing claims it.
 */
export function resolveAddress(table: RouteTable, address: string): AddressTarget | undefined {
  if (address === table.locatorAddress) return 'locator';
  if (address === table.routerAddress) return 'router';
  const exact = table.exactAddresses.get(address);
  if (exact !== undefined) return exact;
  return table.subtrees.find((claim) => isUnder(address, claim.prefix))?.endpointId;
}

/** Every subscriber to a plan type's notifications, as end point ids. */
export function subscribersFor(table: RouteTable, planType: string): readonly string[] {
  return table.subscribers.get(planType) ?? NONE;
}

const NONE: readonly string[] = Object.freeze([]);

/** `prefix` ends with `:`; the subtree holds what is strictly below it. */
function isUnder(address: string, prefix: string): boolean {
  return address.length > prefix.length && address.startsWith(prefix);
}
