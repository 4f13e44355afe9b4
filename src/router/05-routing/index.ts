/** Routing: the routes compiled into an immutable table, and pure functions over it. */
export {
  endpointClaimsAddress,
  endpointForIdentity,
  resolveAddress,
  subscribersFor,
  type AddressTarget,
} from './address-resolution.js';
export { resolve, type Delivery, type ResolveInput, type Resolution } from './resolve.js';
export {
  buildRouteTable,
  type CompiledRule,
  type RouteTable,
  type RouteTableOptions,
  type SubtreeClaim,
} from './route-table.js';
