/** Cross-checks of end points: no address or identity claimed twice, none of the router's own addresses. */
import type { ConfigProblem } from './config-error.js';
import type { KeySegment } from './key-path.js';
import { certificateKey } from './routes-config.js';
import { where, type Located, type MergedRoutes, type RawEndpoint } from './routes-merge.js';
import { problemAt } from './yaml-source.js';

/** End point ids the router uses for itself (resolveAddress answers `locator` / `router`). */
export const RESERVED_ENDPOINT_IDS: ReadonlySet<string> = new Set(['locator', 'router']);

interface Claim {
  readonly id: string;
  readonly at: Located<unknown>;
}

/**
 * Checks every end point's id, addresses, identities and certificates against the others and the
 * router's, and its web-service delivery URL (https:// only).
 */
export function checkEndpointClaims(merged: MergedRoutes, routerAddress: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const locatorAddress = merged.careplans?.value.locatorAddress;
  if (merged.careplans !== undefined && locatorAddress === routerAddress) {
    const { source, path } = merged.careplans;
    problems.push(
      problemAt(
        source,
        [...path, 'locatorAddress'],
        `must differ from the router's own address (router.address)`,
      ),
    );
  }
  const addresses = new Map<string, Claim>();
  const identities = new Map<string, Claim>();
  const certificates = new Map<string, Claim>();
  for (const [id, endpoint] of merged.endpoints) {
    const at = (sub: KeySegment[], message: string, onKey = false): void => {
      problems.push(problemAt(endpoint.source, [...endpoint.path, ...sub], message, onKey));
    };
    if (RESERVED_ENDPOINT_IDS.has(id)) {
      at([], `end point id "${id}" is reserved for the router`, true);
    }
    endpoint.value.addresses.forEach((address, index) => {
      const path = ['addresses', index];
      if (address === routerAddress) {
        at(path, `"${address}" is the router's own address (router.address)`);
      }
      if (address === locatorAddress) {
        at(path, `"${address}" is the care-plan locator address (careplans.locatorAddress)`);
      }
      const clash = claim(addresses, address, id, {
        ...endpoint,
        path: [...endpoint.path, ...path],
      });
      if (clash !== undefined) at(path, `address "${address}" is already claimed by ${clash}`);
    });
    endpoint.value.identities.forEach((identity, index) => {
      const path = ['identities', index];
      const clash = claim(identities, identity, id, {
        ...endpoint,
        path: [...endpoint.path, ...path],
      });
      if (clash !== undefined) at(path, `identity "${identity}" is already listed by ${clash}`);
    });
    endpoint.value.certificates.forEach((certificate, index) => {
      const path = ['certificates', index];
      const clash = claim(certificates, certificateKey(certificate), id, {
        ...endpoint,
        path: [...endpoint.path, ...path],
      });
      if (clash !== undefined)
        at(path, `certificate "${certificate}" is already listed by ${clash}`);
    });
    problems.push(...checkDelivery(endpoint));
  }
  return problems;
}

/** A delivery URL is https:// (there is no plain-HTTP mode); a client certificate comes with its key. */
function checkDelivery(endpoint: Located<RawEndpoint>): ConfigProblem[] {
  const delivery = endpoint.value.delivery;
  if (!delivery) return [];
  const problems: ConfigProblem[] = [];
  const at = (sub: KeySegment[], message: string) =>
    problems.push(problemAt(endpoint.source, [...endpoint.path, 'delivery', ...sub], message));
  let url: URL | undefined;
  try {
    url = new URL(delivery.url);
  } catch {
    at(['url'], `"${delivery.url}" is not a URL`);
  }
  if (url && url.protocol !== 'https:') {
    at(
      ['url'],
      `must be an https:// URL (web services have no plain-HTTP mode), got "${delivery.url}"`,
    );
  }
  const tls = delivery.tls;
  if (tls && (tls.cert === undefined) !== (tls.key === undefined))
    at(
      ['tls', tls.cert === undefined ? 'key' : 'cert'],
      'a client certificate needs both cert and key',
    );
  return problems;
}

/** Records a claim; on a clash, says who claimed it first and where. */
function claim(
  claims: Map<string, Claim>,
  value: string,
  id: string,
  at: Located<unknown>,
): string | undefined {
  const first = claims.get(value);
  if (first === undefined) {
    claims.set(value, { id, at });
    return undefined;
  }
  const who = first.id === id ? 'this end point' : `end point "${first.id}"`;
  return `${who} at ${where(first.at)}`;
}
