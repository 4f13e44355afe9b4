/** Connects the four simulated systems, each as its own broker user, to its own queue. */
import type { RouteTable } from '../../router/05-routing/index.js';
import { resolveAddress } from '../../router/05-routing/index.js';
import type { TopologyNames } from '../../router/02-transport/names.js';
import { CareSystem } from './care-system.js';
import { CAST, ROLES, type Role } from './cast.js';
import type { DemoUser } from '../sandbox/broker-sandbox.js';
import type { Journal } from './journal.js';
import type { Arrival } from './read-arrival.js';
import type { SceneClock } from './scene-clock.js';

export interface SystemsOptions {
  readonly table: RouteTable;
  readonly names: TopologyNames;
  readonly users: ReadonlyMap<string, DemoUser>;
  readonly clock: SceneClock;
  readonly journal: Journal;
  readonly onArrival: (a: Arrival) => void;
  readonly onProblem: (text: string) => void;
}

/** The routes must be the stock locality's: each cast member's end point, claiming its address. */
export function checkCast(table: RouteTable): void {
  const wrong = ROLES.map((role) => CAST[role]).filter(
    (m) => !table.endpoints.has(m.endpointId) || resolveAddress(table, m.address) !== m.endpointId,
  );
  if (wrong.length > 0 || !table.locatorAddress) {
    const names = wrong.map((m) => `${m.endpointId} (${m.address})`).join(', ') || 'the locator';
    throw new Error(
      `the demo needs the stock routes/ (riverside-gp, riverside-community, st-marys-hospice, ooh-111 and the locator); missing or changed: ${names}`,
    );
  }
}

export async function startSystems(o: SystemsOptions): Promise<Record<Role, CareSystem>> {
  const systems = {} as Record<Role, CareSystem>;
  const started: CareSystem[] = [];
  try {
    for (const role of ROLES) {
      const member = CAST[role];
      const endpoint = o.table.endpoints.get(member.endpointId)!;
      const user = o.users.get(member.endpointId)!;
      const system = new CareSystem({
        member,
        name: endpoint.name,
        acksItself: endpoint.acks === 'endpoint',
        clock: o.clock,
        journal: o.journal,
        onArrival: o.onArrival,
        onProblem: o.onProblem,
        connection: {
          url: user.url,
          brokerUser: user.name,
          queue: o.names.endpointQueue(member.endpointId),
          inboundExchange: o.names.inboundExchange,
          connectionName: `itk-router demo: ${member.endpointId}`,
        },
      });
      await system.start();
      started.push(system);
      systems[role] = system;
    }
    return systems;
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
}

export const stopSystems = (systems: Partial<Record<Role, CareSystem>>): Promise<unknown> =>
  Promise.all(Object.values(systems).map((s) => s.stop()));
