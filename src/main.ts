/**
 * The one composition root: reads nothing itself, is given the loaded config, builds every
 * dependency and passes it in. `startRouter` returns a handle whose `stop()` shuts down cleanly:
 * stop consuming, finish in-flight messages, close publisher, broker, store and HTTP server.
 */
import type http from 'node:http';
import { loadRoutes, type RouterConfig } from './config/index.js';
import { createLogger, type Logger } from './ops/logger.js';
import { startHttpServer } from './ops/http-server.js';
import { createMetrics } from './ops/metrics.js';
import { createMessageHandler } from './pipeline/handle-message.js';
import { buildRouteTable, type RouteTable } from './routing/index.js';
import { openStore } from './store/open-store.js';
import { BrokerConnection } from './transport/connection.js';
import { QueueConsumer } from './transport/consumer.js';
import { topologyNames } from './transport/names.js';
import { ConfirmPublisher } from './transport/publisher.js';
import { declareTopologyTask } from './transport/topology.js';
import { createValidator } from './validation/create-validator.js';

export interface RunningRouter {
  readonly httpPort: number;
  readonly log: Logger;
  stop(): Promise<void>;
}

export function loadRouteTable(config: RouterConfig): {
  table: RouteTable;
  planTypes: readonly string[];
} {
  const routes = loadRoutes(config.routes, { routerAddress: config.router.address });
  const table = buildRouteTable(routes, {
    routerAddress: config.router.address,
    ...(routes.careplans ? { locatorAddress: routes.careplans.locatorAddress } : {}),
  });
  return { table, planTypes: routes.careplans?.planTypes ?? [] };
}

export async function startRouter(
  config: RouterConfig,
  log: Logger = createLogger(config.log.level),
): Promise<RunningRouter> {
  const { table, planTypes } = loadRouteTable(config);
  const validator = createValidator({
    catalogues: config.validation.catalogues,
    limits: config.limits,
    unknownPayloads: config.validation.unknownPayloads,
    planTypes: new Set(planTypes),
  });
  const store = await openStore(config.store);
  const names = topologyNames(config.amqp.prefix);
  const connection = new BrokerConnection({
    url: config.amqp.url,
    heartbeatSeconds: config.amqp.heartbeatSeconds,
    name: 'itk-router',
    logger: log,
  });
  const publisher = new ConfirmPublisher(connection, { logger: log });
  const metrics = createMetrics({
    quarantineDepth: async () => {
      const channel = await connection.createChannel();
      try {
        return (await channel.checkQueue(names.quarantineQueue)).messageCount;
      } finally {
        await channel.close().catch(() => undefined);
      }
    },
  });
  const consumer = new QueueConsumer(connection, {
    queue: names.routerInboundQueue,
    prefetch: config.amqp.prefetch,
    logger: log,
    handler: createMessageHandler({
      validator,
      store,
      routeTable: () => table,
      publisher,
      names,
      router: config.router,
      retry: config.retry,
      log,
      metrics,
    }),
  });
  let server: http.Server | undefined;
  try {
    server = await startHttpServer(
      config.http.host,
      config.http.port,
      {
        ready: async () => {
          if (connection.state !== 'connected') return `broker ${connection.state}`;
          await store.ping();
          return undefined;
        },
      },
      metrics.registry,
    );
    await connection.start();
    await connection.addSetupTask(
      'topology',
      declareTopologyTask(names, () => table.endpoints.keys(), {
        deliveryLimit: config.retry.attempts + 5,
      }),
    );
    await consumer.start();
  } catch (err) {
    server?.close();
    await consumer.stop().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await store.close();
    validator.dispose();
    throw err;
  }
  const address = server.address();
  const httpPort = typeof address === 'object' && address ? address.port : config.http.port;
  log.info('itk-router started', {
    queue: names.routerInboundQueue,
    endpoints: [...table.endpoints.keys()],
    httpPort,
    store: config.store.kind,
  });
  let stopping: Promise<void> | undefined;
  return {
    httpPort,
    log,
    stop: () =>
      (stopping ??= (async () => {
        log.info('itk-router stopping: no new messages, finishing those in flight');
        await consumer.stop();
        await publisher.close();
        await connection.close();
        await store.close();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
        validator.dispose();
        log.info('itk-router stopped');
      })()),
  };
}
