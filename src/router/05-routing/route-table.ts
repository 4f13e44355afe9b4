/** The routes, compiled once into lookup tables that the pure routing functions read. */
import {
  certificateKey,
  type Endpoint,
  type RouteConditions,
  type Routes,
} from '../01-config/routes-config.js';
import { frozenMap } from '../00-common/frozen-map.js';
import { compileGlobs } from '../00-common/glob.js';

/** A route rule with its glob conditions compiled. */
export interface CompiledRule {
  readonly name: string;
  /** One expression per condition given; a condition that is absent always holds. */
  readonly conditions: Readonly<Partial<Record<keyof RouteConditions, RegExp>>>;
  /** End point ids that also receive matching messages (empty for a reject). */
  readonly copyTo: readonly string[];
  readonly reject?: { readonly code: string; readonly text: string };
}

/** An end point's claim on every address under `prefix` (its configured address without the `*`). */
export interface SubtreeClaim {
  /** e.g. `urn:nhs-uk:addressing:ods:RDE01:` for `urn:nhs-uk:addressing:ods:RDE01:*`. */
  readonly prefix: string;
  readonly endpointId: string;
}

/** Immutable routing table built from checked routes. */
export interface RouteTable {
  /** The router's own address: resolves to `router`. */
  readonly routerAddress: string;
  /** The care-plan locator's address: resolves to `locator`. */
  readonly locatorAddress?: string;
  readonly endpoints: ReadonlyMap<string, Endpoint>;
  /** Exact address → end point id. */
  readonly exactAddresses: ReadonlyMap<string, string>;
  /** Subtree claims, longest (most specific) prefix first. */
  readonly subtrees: readonly SubtreeClaim[];
  /** Broker user → end point id. */
  readonly identities: ReadonlyMap<string, string>;
  /** Web-service client certificate (`certificateKey` form: CN, or `sha256:` lower hex) → end point id. */
  readonly certificates: ReadonlyMap<string, string>;
  /** Rules in evaluation order. */
  readonly rules: readonly CompiledRule[];
  readonly planTypes: readonly string[];
  /** Plan type → subscribed end point ids, in subscription order. */
  readonly subscribers: ReadonlyMap<string, readonly string[]>;
}

/** The router's own addresses, from the router configuration. */
export interface RouteTableOptions {
  readonly routerAddress: string;
  /** Default: the routes' `careplans.locatorAddress`. */
  readonly locatorAddress?: string;
}

const SUBTREE = ':*';

/**
 * Builds the table. The routes must have been checked by `loadRoutes` (no address or identity
 * claimed twice); if one is claimed twice anyway, the first end point keeps it.
 */
export function buildRouteTable(routes: Routes, options: RouteTableOptions): RouteTable {
  const exact: [string, string][] = [];
  const subtrees: SubtreeClaim[] = [];
  const identities: [string, string][] = [];
  const certificates: [string, string][] = [];
  for (const endpoint of routes.endpoints) {
    for (const address of endpoint.addresses) {
      if (address.endsWith(SUBTREE)) {
        subtrees.push({ prefix: address.slice(0, -1), endpointId: endpoint.id });
      } else {
        exact.push([address, endpoint.id]);
      }
    }
    for (const identity of endpoint.identities) identities.push([identity, endpoint.id]);
    for (const name of endpoint.certificates)
      certificates.push([certificateKey(name), endpoint.id]);
  }
  subtrees.sort((a, b) => b.prefix.length - a.prefix.length);
  const locatorAddress = options.locatorAddress ?? routes.careplans?.locatorAddress;
  const table: RouteTable = {
    routerAddress: options.routerAddress,
    ...(locatorAddress !== undefined && { locatorAddress }),
    endpoints: frozenMap(routes.endpoints.map((endpoint) => [endpoint.id, endpoint] as const)),
    exactAddresses: frozenMap(exact.reverse()),
    subtrees: Object.freeze(subtrees.map((claim) => Object.freeze(claim))),
    identities: frozenMap(identities.reverse()),
    certificates: frozenMap(certificates.reverse()),
    rules: Object.freeze(routes.routes.map(compileRule)),
    planTypes: routes.careplans?.planTypes ?? Object.freeze([]),
    subscribers: subscribersByPlanType(routes),
  };
  return Object.freeze(table);
}

function compileRule(rule: Routes['routes'][number]): CompiledRule {
  const conditions: Partial<Record<keyof RouteConditions, RegExp>> = {};
  for (const [key, patterns] of Object.entries(rule.when) as [
    keyof RouteConditions,
    readonly string[],
  ][]) {
    conditions[key] = compileGlobs(patterns);
  }
  return Object.freeze({
    name: rule.name,
    conditions: Object.freeze(conditions),
    copyTo: rule.copyTo ?? Object.freeze([]),
    ...(rule.reject && { reject: rule.reject }),
  });
}

function subscribersByPlanType(routes: Routes): ReadonlyMap<string, readonly string[]> {
  const byType = new Map<string, string[]>();
  for (const { endpoint, planTypes } of routes.careplans?.subscriptions ?? []) {
    for (const planType of planTypes) {
      const list = byType.get(planType) ?? [];
      if (!list.includes(endpoint)) list.push(endpoint);
      byType.set(planType, list);
    }
  }
  return frozenMap([...byType].map(([planType, ids]) => [planType, Object.freeze(ids)] as const));
}
