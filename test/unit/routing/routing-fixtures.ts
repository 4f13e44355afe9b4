/** The route tables the routing tests run against, built from real route folders. */
import { fileURLToPath } from 'node:url';
import { loadRoutes } from '../../../src/router/01-config/index.js';
import { buildRouteTable, type RouteTable } from '../../../src/router/05-routing/index.js';

export const ROUTER_ADDRESS = 'urn:nhs-uk:addressing:ods:ITKROUTER';
export const LOCATOR_ADDRESS = 'urn:nhs-uk:addressing:ods:ITKROUTER:LOCATOR';

const folder = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

/** test/fixtures/config/routing-locality: nested subtrees, glob rules, subscriptions. */
export function localityTable(): RouteTable {
  const routes = loadRoutes(folder('../../fixtures/config/routing-locality'));
  return buildRouteTable(routes, { routerAddress: ROUTER_ADDRESS });
}

/** The stock routes/ that ship with the router. */
export function stockTable(): RouteTable {
  return buildRouteTable(loadRoutes(folder('../../../routes')), { routerAddress: ROUTER_ADDRESS });
}

/** Addresses used across the tests. */
export const ADDRESS = {
  gp: 'urn:nhs-uk:addressing:ods:A83001',
  community: 'urn:nhs-uk:addressing:ods:RDE01:COMMUNITY',
  communityRoot: 'urn:nhs-uk:addressing:ods:RDE01',
  nursing: 'urn:nhs-uk:addressing:ods:RDE01:NURSING:TEAM2',
  ward7: 'urn:nhs-uk:addressing:ods:RDE01:NURSING:WARD7',
  ward7Bed: 'urn:nhs-uk:addressing:ods:RDE01:NURSING:WARD7:BED3',
  hospice: 'urn:nhs-uk:addressing:ods:HOSP01',
  ooh: 'urn:nhs-uk:addressing:ods:NWAS111',
  socialCare: 'urn:nhs-uk:addressing:la:RIVERSIDE',
  nowhere: 'urn:nhs-uk:addressing:ods:ZZZ99',
} as const;
