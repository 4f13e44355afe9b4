/**
 * A pack's roles bound to the end points of the routes under test: the pack's defaults, or
 * `--role role=endpoint-id`. Which end points the harness plays: all of them for a router pack;
 * all but the supplier's for a supplier pack.
 */
import { randomBytes } from 'node:crypto';
import type { Endpoint } from '../../router/01-config/index.js';
import { resolveAddress } from '../../router/05-routing/index.js';
import { HarnessError } from './harness-error.js';
import type { Pack } from './model.js';
import type { Target } from './target.js';

/** What a case may say about an end point: `{{ep.<role>.address}}` and the rest. */
export interface EndpointView {
  readonly id: string;
  readonly name: string;
  /** An address that resolves to it: its first exact one, else one under a subtree it claims. */
  readonly address: string;
  /** Its ITK identity, derived from that address (`urn:nhs-uk:identity:…`). */
  readonly identity: string;
  /** The broker user the harness sends as (its first identity). */
  readonly user: string;
  readonly queue: string;
  readonly acks: 'endpoint' | 'router';
  /** Its `delivery.url`: the router calls it by web service (the harness listens there). */
  readonly url?: string;
}

export interface Bindings {
  readonly roles: ReadonlyMap<string, EndpointView>;
  /** The end point under test (a supplier pack's `supplier`), if any. */
  readonly underTest?: EndpointView;
  /** Every end point the harness plays: it consumes their queues. */
  readonly played: readonly EndpointView[];
  /** Every end point the router calls by web service (`delivery.url`): the harness serves them. */
  readonly servedOverHttps: readonly EndpointView[];
}

/** An address of `endpoint` that the routes resolve to it. */
export function addressOf(target: Target, endpoint: Endpoint): string {
  const exact = endpoint.addresses.find((a) => !a.endsWith(':*'));
  if (exact) return exact;
  for (const claim of endpoint.addresses) {
    const candidate = `${claim.slice(0, -1)}HARNESS`;
    if (resolveAddress(target.table, candidate) === endpoint.id) return candidate;
  }
  throw new HarnessError(`end point ${endpoint.id} has no address the harness can send to`);
}

export const identityFor = (address: string): string =>
  address.replace(/^urn:nhs-uk:addressing:/, 'urn:nhs-uk:identity:');

export function endpointView(target: Target, endpoint: Endpoint): EndpointView {
  const address = addressOf(target, endpoint);
  const user = endpoint.identities[0] ?? '';
  return {
    id: endpoint.id,
    name: endpoint.name,
    address,
    identity: identityFor(address),
    user,
    queue: target.names.endpointQueue(endpoint.id),
    acks: endpoint.acks,
    ...(endpoint.delivery ? { url: endpoint.delivery.url } : {}),
  };
}

/** A new address under the ITK scheme that no end point claims (for DE0003 cases). */
export function unknownAddress(target: Target): string {
  for (;;) {
    const candidate = `urn:nhs-uk:addressing:ods:HARNESSNOWHERE${randomBytes(4).toString('hex').toUpperCase()}`;
    if (resolveAddress(target.table, candidate) === undefined) return candidate;
  }
}

export function bindRoles(
  pack: Pack,
  target: Target,
  overrides: Readonly<Record<string, string>> = {},
): Bindings {
  const roles = new Map<string, EndpointView>();
  for (const [role, fallback] of Object.entries(pack.roles)) {
    const id = overrides[role] ?? fallback;
    const endpoint = target.table.endpoints.get(id);
    if (!endpoint)
      throw new HarnessError(
        `pack ${pack.name}: role ${role} is end point ${id}, which the routes in ${target.routes.folder} do not define (give --role ${role}=<end point id>)`,
      );
    roles.set(role, endpointView(target, endpoint));
  }
  const underTest = pack.target === 'supplier' ? roles.get('supplier') : undefined;
  for (const [role, view] of roles)
    if (underTest && role !== 'supplier' && view.id === underTest.id)
      throw new HarnessError(
        `pack ${pack.name}: role ${role} is the supplier's own end point ${view.id}`,
      );
  const others = [...target.table.endpoints.values()].filter((e) => e.id !== underTest?.id);
  // an end point with delivery.url is served on web services: its queue is the router's to drain
  const played = others
    .filter((e) => e.identities.length > 0 && !e.delivery)
    .map((e) => endpointView(target, e));
  const servedOverHttps = others.filter((e) => e.delivery).map((e) => endpointView(target, e));
  return { roles, ...(underTest ? { underTest } : {}), played, servedOverHttps };
}
