/** What a new routes folder would change in the running routes: pure, for `check --diff` and reload logs. */
import type { Endpoint, RouteRule, Routes } from '../01-config/routes-config.js';

export interface RoutesDiff {
  readonly endpoints: {
    readonly added: string[];
    readonly removed: string[];
    readonly changed: string[];
  };
  readonly routes: {
    readonly added: string[];
    readonly removed: string[];
    readonly changed: string[];
  };
  readonly planTypes: { readonly added: string[]; readonly removed: string[] };
  readonly subscriptionsChanged: boolean;
  readonly locatorChanged: boolean;
}

/** The parts of an end point or route that matter, without where it was written. */
const endpointShape = (e: Endpoint) => JSON.stringify([e.name, e.addresses, e.identities, e.acks]);
const routeShape = (r: RouteRule) =>
  JSON.stringify(r, (key, value: unknown) => (key === 'source' ? undefined : value));

function compare<T>(
  before: readonly T[],
  after: readonly T[],
  key: (x: T) => string,
  shape: (x: T) => string,
) {
  const a = new Map(before.map((x) => [key(x), shape(x)]));
  const b = new Map(after.map((x) => [key(x), shape(x)]));
  return {
    added: [...b.keys()].filter((k) => !a.has(k)),
    removed: [...a.keys()].filter((k) => !b.has(k)),
    changed: [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)),
  };
}

export function diffRoutes(before: Routes, after: Routes): RoutesDiff {
  const types = (r: Routes) => r.careplans?.planTypes ?? [];
  const subs = (r: Routes) =>
    JSON.stringify(r.careplans?.subscriptions ?? [], (k, v: unknown) =>
      k === 'source' ? undefined : v,
    );
  return {
    endpoints: compare(before.endpoints, after.endpoints, (e) => e.id, endpointShape),
    routes: compare(before.routes, after.routes, (r) => r.name, routeShape),
    planTypes: {
      added: types(after).filter((t) => !types(before).includes(t)),
      removed: types(before).filter((t) => !types(after).includes(t)),
    },
    subscriptionsChanged: subs(before) !== subs(after),
    locatorChanged: before.careplans?.locatorAddress !== after.careplans?.locatorAddress,
  };
}

export const isEmptyDiff = (d: RoutesDiff): boolean =>
  [d.endpoints, d.routes].every(
    (x) => x.added.length + x.removed.length + x.changed.length === 0,
  ) &&
  d.planTypes.added.length + d.planTypes.removed.length === 0 &&
  !d.subscriptionsChanged &&
  !d.locatorChanged;

export function formatDiff(d: RoutesDiff): string {
  if (isEmptyDiff(d)) return 'no changes\n';
  const lines: string[] = [];
  const section = (name: string, x: { added: string[]; removed: string[]; changed?: string[] }) => {
    for (const id of x.added) lines.push(`+ ${name} ${id}`);
    for (const id of x.removed) lines.push(`- ${name} ${id}`);
    for (const id of x.changed ?? []) lines.push(`~ ${name} ${id}`);
  };
  section('end point', d.endpoints);
  section('route', d.routes);
  section('plan type', d.planTypes);
  if (d.subscriptionsChanged) lines.push('~ care-plan subscriptions');
  if (d.locatorChanged) lines.push('~ locator address');
  return lines.join('\n') + '\n';
}
