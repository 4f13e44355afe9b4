/** The end point a simulator stands in for, from the routes, and who it is (its self). */
import type { Endpoint, Routes } from '../../router/01-config/index.js';
import { claims, type SimulatorSelf } from './self.js';
import type { SimulatorOptions } from './simulator-options.js';

export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
}

export function endpointOf(routes: Routes, id: string): Endpoint {
  const endpoint = routes.endpoints.find((e) => e.id === id);
  if (!endpoint) {
    const known = routes.endpoints.map((e) => e.id).join(', ');
    throw new SimulatorError(
      `no end point ${id} in the routes (${routes.folder}); known: ${known}`,
    );
  }
  return endpoint;
}

export function selfOf(endpoint: Endpoint, options: SimulatorOptions): SimulatorSelf {
  const self: SimulatorSelf = {
    endpointId: endpoint.id,
    addresses: endpoint.addresses,
    ...(options.address ? { address: options.address } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
  };
  if (options.address && !claims(self, options.address)) {
    throw new SimulatorError(
      `${options.address} is not an address of ${endpoint.id} (${endpoint.addresses.join(', ')})`,
    );
  }
  return self;
}
