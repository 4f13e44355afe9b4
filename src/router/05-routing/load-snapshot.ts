/** Loads the routes folder into a snapshot the router can run with (throws ConfigError when refused). */
import { loadRoutes } from '../01-config/load-routes.js';
import type { RouterConfig } from '../01-config/router-config.js';
import { createValidator } from '../04-validation/create-validator.js';
import type { RoutesSnapshot } from './live-routes.js';
import { buildRouteTable } from './route-table.js';

/** The configured routes folder and its route table, without compiling any schema. */
export function loadRoutesAndTable(config: RouterConfig): Omit<RoutesSnapshot, 'validator'> {
  const routes = loadRoutes(config.routes, { routerAddress: config.router.address });
  const table = buildRouteTable(routes, {
    routerAddress: config.router.address,
    ...(routes.careplans ? { locatorAddress: routes.careplans.locatorAddress } : {}),
  });
  return { routes, table };
}

export function loadRoutesSnapshot(config: RouterConfig): RoutesSnapshot {
  const { routes, table } = loadRoutesAndTable(config);
  const validator = createValidator({
    catalogues: config.validation.catalogues,
    limits: config.limits,
    unknownPayloads: config.validation.unknownPayloads,
    planTypes: new Set(routes.careplans?.planTypes ?? []),
  });
  return { routes, table, validator };
}
