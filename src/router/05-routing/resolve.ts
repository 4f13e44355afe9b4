/** Who receives a message: the pure heart of routing. */
import { resolveAddress } from './address-resolution.js';
import type { CompiledRule, RouteTable } from './route-table.js';

/** What routing needs to know about a message. */
export interface ResolveInput {
  readonly service: string;
  readonly interaction?: string;
  /** The sender's end point id (already proven from the broker user). */
  readonly from: string;
  /** The envelope's address list, in order. */
  readonly addresses: readonly string[];
  /** The care plan's type, for care-plan messages. */
  readonly planType?: string;
}

/** One copy of the message to one end point's queue. */
export interface Delivery {
  readonly endpointId: string;
  /** The address that resolved to the end point, or `copy:<route name>` (or, added by care plans, `subscription:<planType>`). */
  readonly recipient: string;
}

/** The outcome of routing one message. */
export interface Resolution {
  /** At most one per end point; the first reason wins (addresses in order, then copy routes). */
  readonly deliveries: readonly Delivery[];
  /** Addresses that resolve nowhere (each gets a DE0003 nack), without repeats. */
  readonly unresolved: readonly string[];
  /** An address was the care-plan locator's. */
  readonly toLocator: boolean;
  /** An address was the router's own. */
  readonly toRouter: boolean;
  /** Set when a reject route matched: the message goes nowhere and is nacked with this code. */
  readonly rejectedBy?: { readonly route: string; readonly code: string; readonly text: string };
}

/**
 * Routes a message. Rules are evaluated in order: the first matching reject refuses the whole
 * message; every matching copy route adds its end points, except the sender (a copy never goes
 * back to whoever sent the message). Subscriptions are not applied here (see `subscribersFor`).
 */
export function resolve(table: RouteTable, input: ResolveInput): Resolution {
  const matching = table.rules.filter((rule) => matches(rule, input));
  const rejecting = matching.find((rule) => rule.reject !== undefined);
  if (rejecting?.reject !== undefined) {
    const rejectedBy = Object.freeze({ route: rejecting.name, ...rejecting.reject });
    return Object.freeze({
      deliveries: NONE,
      unresolved: NONE,
      toLocator: false,
      toRouter: false,
      rejectedBy,
    });
  }
  const deliveries = new Map<string, Delivery>();
  const add = (endpointId: string, recipient: string): void => {
    if (!deliveries.has(endpointId)) {
      deliveries.set(endpointId, Object.freeze({ endpointId, recipient }));
    }
  };
  const unresolved = new Set<string>();
  let toLocator = false;
  let toRouter = false;
  for (const address of input.addresses) {
    const target = resolveAddress(table, address);
    if (target === undefined) unresolved.add(address);
    else if (target === 'locator') toLocator = true;
    else if (target === 'router') toRouter = true;
    else add(target, address);
  }
  for (const rule of matching) {
    rule.copyTo.filter((id) => id !== input.from).forEach((id) => add(id, `copy:${rule.name}`));
  }
  return Object.freeze({
    deliveries: Object.freeze([...deliveries.values()]),
    unresolved: Object.freeze([...unresolved]),
    toLocator,
    toRouter,
  });
}

const NONE: readonly never[] = Object.freeze([]);

/** Every condition given holds; a condition on a value the message lacks does not hold. */
function matches(rule: CompiledRule, input: ResolveInput): boolean {
  const { service, interaction, planType, from, to } = rule.conditions;
  const holds = (pattern: RegExp | undefined, value: string | undefined): boolean =>
    pattern === undefined || (value !== undefined && pattern.test(value));
  return (
    holds(service, input.service) &&
    holds(interaction, input.interaction) &&
    holds(planType, input.planType) &&
    holds(from, input.from) &&
    (to === undefined || input.addresses.some((address) => to.test(address)))
  );
}
