/**
 * The `service` label of the router's metrics, from a bounded set: a service the router knows
 * (ITK's generic and acknowledgement services, the care-plan services) or one a route names
 * literally (`when.service` without a glob); any other value a sender puts in its header counts
 * as `other`, so that no sender can grow the label set (docs/security.md). Pure.
 */
import { CAREPLAN_MESSAGES, carePlanService, SERVICE } from '../03-envelope/itk-names.js';
import type { RouteTable } from '../05-routing/index.js';

const KNOWN: ReadonlySet<string> = new Set([
  ...Object.values(SERVICE),
  ...CAREPLAN_MESSAGES.map((name) => carePlanService(name)),
  'unknown', // the pipeline's own label for a message whose envelope could not be read
]);

/** The literal services a route condition names (`^(?:a|b)$` from route-table.ts, globs left out). */
function literals(re: RegExp): string[] {
  const inner = /^\^\(\?:([\s\S]*)\)\$$/.exec(re.source)?.[1];
  if (inner === undefined) return [];
  return inner
    .split(/(?<!\\)\|/)
    .filter((alt) => !/(?<!\\)\.\*/.test(alt))
    .map((alt) => alt.replace(/\\(.)/g, '$1'));
}

const configured = new WeakMap<RouteTable, ReadonlySet<string>>();

export function metricService(service: string, table: RouteTable): string {
  if (KNOWN.has(service)) return service;
  let named = configured.get(table);
  if (!named) {
    named = new Set(
      table.rules.flatMap((r) => (r.conditions.service ? literals(r.conditions.service) : [])),
    );
    configured.set(table, named);
  }
  return named.has(service) ? service : 'other';
}
