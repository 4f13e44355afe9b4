/**
 * Jest fixture for transport tests: a vhost of the test file's own with the contract topology,
 * a plain client for assertions, and router connections that are closed after each test.
 * `useRouterBroker()` registers the hooks; call it once at the top of a test file.
 */
import { randomUUID } from 'node:crypto';
import { BrokerConnection } from '../../src/router/02-transport/connection.js';
import { topologyNames } from '../../src/router/02-transport/names.js';
import { declareTopologyTask } from '../../src/router/02-transport/topology.js';
import { createTestVhost, type TestVhost } from './broker.js';
import { openTestClient, purgeQueues, type TestClient } from './messages.js';

export const names = topologyNames();
export const ENDPOINTS = ['riverside-gp', 'ooh-111'];
export const DELIVERY_LIMIT = 3;
export const QUEUES = [
  names.routerInboundQueue,
  names.quarantineQueue,
  ...ENDPOINTS.map((id) => names.endpointQueue(id)),
];

export interface RouterBroker {
  readonly vhost: TestVhost;
  /** guest's connection on the vhost, for publishing and reading in assertions. */
  readonly client: TestClient;
  /** A BrokerConnection that declares the topology on every (re)connect; started unless `start: false`. */
  connectRouter(options?: { name?: string; start?: boolean }): Promise<BrokerConnection>;
  /** Publishes (persistent) to the inbound exchange through the client; confirm with `waitForConfirms`. */
  publishInbound(body: string, properties?: Record<string, unknown>): void;
}

export function useRouterBroker(): RouterBroker {
  const opened: BrokerConnection[] = [];
  let vhost: TestVhost | undefined;
  let client: TestClient | undefined;
  const fixture: RouterBroker = {
    get vhost() {
      if (!vhost) throw new Error('useRouterBroker: beforeAll has not run');
      return vhost;
    },
    get client() {
      if (!client) throw new Error('useRouterBroker: beforeAll has not run');
      return client;
    },
    async connectRouter({ name = `router-${randomUUID()}`, start = true } = {}) {
      const url = fixture.vhost.url;
      const connection = new BrokerConnection({
        url,
        name,
        backoff: { initialDelayMs: 50, maxDelayMs: 500 },
      });
      opened.push(connection);
      const topology = declareTopologyTask(names, () => ENDPOINTS, {
        deliveryLimit: DELIVERY_LIMIT,
      });
      await connection.addSetupTask('topology', topology);
      if (start) await connection.start();
      return connection;
    },
    publishInbound(body, properties = {}) {
      const content = Buffer.from(body);
      fixture.client.channel.publish(names.inboundExchange, '', content, {
        persistent: true,
        ...properties,
      });
    },
  };

  beforeAll(async () => {
    vhost = await createTestVhost();
    client = await openTestClient(vhost.url);
    await (await fixture.connectRouter()).close(); // declares the topology once
    opened.length = 0;
  });
  afterEach(async () => {
    while (opened.length > 0) await opened.pop()!.close();
    await purgeQueues(fixture.client.channel, QUEUES);
  });
  afterAll(async () => {
    await client?.close();
    await vhost?.deleteAll();
  });
  return fixture;
}
