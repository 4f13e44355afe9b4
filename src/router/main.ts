/**
 * The one composition root: reads nothing itself, is given the loaded config, builds every
 * dependency and passes it in. `startRouter` returns a handle whose `stop()` shuts down cleanly:
 * stop consuming, finish in-flight messages, close publisher, broker, store and HTTP server.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { RouterConfig } from './01-config/index.js';
import { createLogger, type Logger } from './00-common/logger.js';
import { startHttpServer } from './10-ops/http-server.js';
import { startAuditRetention } from './10-ops/console/audit-retention.js';
import type { QuarantineConsole, QuarantineContext } from './10-ops/console/quarantine-console.js';
import { Sessions } from './10-ops/console/sessions.js';
import { SignInThrottle } from './10-ops/console/sign-in-throttle.js';
import { UsersSource } from './10-ops/console/users-source.js';
import { createMetrics, SOURCE_TIMEOUT_MS } from './10-ops/metrics.js';
import { readBacklog } from './10-ops/queue-backlog.js';
import { NO_TRACING, type Tracing } from './10-ops/tracing.js';
import { withTimeout } from './00-common/with-timeout.js';
import { startAckOverdueWatch } from './10-ops/ack-overdue-watch.js';
import { startRetention } from './10-ops/retention-task.js';
import { createMessageHandler, type PipelineDeps } from './09-pipeline/handle-message.js';
import type { RouteTable } from './05-routing/index.js';
import { LiveRoutes } from './05-routing/live-routes.js';
import { loadRoutesAndTable, loadRoutesSnapshot } from './05-routing/load-snapshot.js';
import { createRoutesReloader } from './10-ops/routes-reloader.js';
import { declareEndpointQueues } from './02-transport/topology.js';
import { brokerUserOf, replayTrustRefusal } from './09-pipeline/replay-trust.js';
import { InPlaceRetries } from './09-pipeline/in-place-retries.js';
import { openStore } from './08-store/open-store.js';
import { BrokerRefusedError, describeBrokerFailure } from './02-transport/broker-errors.js';
import { BrokerConnection } from './02-transport/connection.js';
import { QueueConsumer } from './02-transport/consumer.js';
import { topologyNames } from './02-transport/names.js';
import { ConfirmPublisher } from './02-transport/publisher.js';
import { declareTopologyTask } from './02-transport/topology.js';
import { startWebServices, type RunningWebServices } from './11-web-services/start-web-services.js';
import type { GatewayDeps } from './11-web-services/accept-call.js';

export interface RunningRouter {
  readonly httpPort: number;
  /** The web-service gateway's port, when `webServices` is on. */
  readonly soapPort?: number;
  readonly log: Logger;
  /** Reloads the routes (as on SIGHUP); resolves true when the new routes are in force. */
  reload(why?: string): Promise<boolean>;
  stop(): Promise<void>;
}

/** The route table and plan types of the configured routes folder (throws ConfigError). */
export function loadRouteTable(config: RouterConfig): {
  table: RouteTable;
  planTypes: readonly string[];
} {
  const { routes, table } = loadRoutesAndTable(config);
  return { table, planTypes: routes.careplans?.planTypes ?? [] };
}

export interface StartOptions {
  /** Reload the routes when the files in the routes folder change (default true). */
  readonly watchRoutes?: boolean;
  /**
   * TEST ONLY: a deliberate fault wrapped around the pipeline's dependencies, set by
   * `itk-router harness selftest` alone (src/tools/harness/faults/) to prove its packs catch it. No
   * config key, environment variable or command of a deployed router can set it.
   */
  readonly selftestFault?: {
    readonly name: string;
    wrap(deps: PipelineDeps): PipelineDeps;
    /** The web-service gateway's dependencies, wrapped the same way (a faulty gateway). */
    wrapGateway?(deps: GatewayDeps): GatewayDeps;
  };
  /** Traces (ops/tracing.ts), started and shut down by the caller; none by default. */
  readonly tracing?: Tracing;
  /**
   * Aborted (SIGTERM, say) while still starting, e.g. while waiting for the broker: start-up
   * stops, closes what it opened and rejects with {@link StartAborted}.
   */
  readonly signal?: AbortSignal;
  /**
   * The console's quarantine (list, replay, purge), built from the router's own URL, store and
   * routes: `itk-router start` gives the quarantine tool's; without it, the console's quarantine
   * answers 503 (the runtime never imports a tool).
   */
  readonly quarantine?: (router: QuarantineContext) => QuarantineConsole;
}

/** `startRouter` was asked to stop before it had started. */
export class StartAborted extends Error {
  override readonly name = 'StartAborted';
}

export async function startRouter(
  config: RouterConfig,
  log: Logger = createLogger(config.log.level),
  options: StartOptions = {},
): Promise<RunningRouter> {
  const live = new LiveRoutes(loadRoutesSnapshot(config));
  // This instance's id: its claims on the messages it processes (store/processing-lease.ts).
  const instanceId = randomUUID();
  // start keeps migrating by itself (docs/operations.md, "Upgrades and rollback"), said at info.
  const store = await openStore(
    config.store,
    { instanceId },
    {
      onMigrationApplied: (migration, ms) => log.info('store migration applied', { migration, ms }),
    },
  );
  const names = topologyNames(config.amqp.prefix);
  const connection = new BrokerConnection({
    url: config.amqp.url,
    heartbeatSeconds: config.amqp.heartbeatSeconds,
    name: 'itk-router',
    logger: log,
    ...(config.amqp.tls && { tls: config.amqp.tls }),
  });
  const publisher = new ConfirmPublisher(connection, { logger: log });
  const tracing = options.tracing ?? NO_TRACING;
  const inPlace = new InPlaceRetries();
  const ready = async () => {
    if (connection.state !== 'connected') return `broker ${connection.state}`;
    await withTimeout(store.ping(), SOURCE_TIMEOUT_MS, 'store');
    return inPlace.problem();
  };
  // Not while the broker is away: a channel would wait for the reconnection (unavailable: NaN).
  const quarantineDepth = async () => {
    if (connection.state !== 'connected') return NaN;
    const channel = await connection.createChannel();
    try {
      return (await channel.checkQueue(names.quarantineQueue)).messageCount;
    } finally {
      await channel.close().catch(() => undefined);
    }
  };
  const metrics = createMetrics({
    quarantineDepth,
    acksOverdue: () => store.acks.countOverdue(),
    notReady: ready,
    backlog: async () =>
      connection.state === 'connected'
        ? readBacklog(() => connection.createChannel(), names, live.current.table.endpoints.keys())
        : undefined,
    brokerConnected: () => connection.state === 'connected',
  });
  const aborter = new AbortController();
  const brokerUser = brokerUserOf(config.amqp.url);
  const untrusted = replayTrustRefusal(brokerUser, live.current.table);
  if (untrusted) log.warn(`${untrusted} (docs/security.md)`);
  const fault = options.selftestFault;
  if (fault) log.warn('deliberately faulty router (harness self-test only)', { fault: fault.name });
  const createHandler = (deps: PipelineDeps) =>
    createMessageHandler(fault ? fault.wrap(deps) : deps);
  const consumer = new QueueConsumer(connection, {
    queue: names.routerInboundQueue,
    prefetch: config.amqp.prefetch,
    logger: log,
    handler: createHandler({
      store,
      routes: () => live.current,
      publisher: tracing.publisher(publisher),
      names,
      router: config.router,
      brokerUser, // trusts its own quarantine replays only, and never as guest or an end point
      inPlace,
      retry: config.retry,
      acks: config.acks,
      log,
      metrics,
      tracing,
      signal: aborter.signal,
    }),
  });
  let webServices: RunningWebServices | undefined;
  let server: FastifyInstance | undefined;
  const abortStart = () => void connection.close();
  options.signal?.addEventListener('abort', abortStart, { once: true });
  try {
    if (options.signal?.aborted) throw new StartAborted('stopped before start');
    server = await startHttpServer(config.http, {
      registry: metrics.registry,
      ready,
      routes: () => live.current.routes,
      store,
      users: new UsersSource(config.console.users, (problem) =>
        log.error('console users file refused: nobody can sign in until it is fixed', { problem }),
      ),
      sessions: new Sessions(config.console.sessionIdleMinutes * 60_000),
      throttle: new SignInThrottle(),
      ...(options.quarantine && {
        quarantine: options.quarantine({
          amqpUrl: config.amqp.url,
          names,
          store,
          table: () => live.current.table,
        }),
      }),
      live: { quarantineDepth, brokerConnected: () => connection.state === 'connected' },
      log,
      now: () => new Date(),
    });
    await connection.start();
    await connection
      .addSetupTask(
        'topology',
        declareTopologyTask(names, () => live.current.table.endpoints.keys(), {
          deliveryLimit: config.retry.attempts + 5,
        }),
      )
      .catch((err: unknown) => {
        // a user who may not declare the topology: retrying cannot fix it
        const failure = describeBrokerFailure(err, config.amqp.url);
        if (!failure.permanent) throw err;
        log.error(`cannot set up the topology: ${failure.reason}`, { fix: failure.fix });
        throw new BrokerRefusedError(failure, { cause: err });
      });
    await consumer.start();
    webServices = await startWebServices({
      ...(config.webServices && { config: config.webServices }),
      limits: config.limits,
      router: config.router,
      attempts: config.retry.attempts,
      connection,
      publisher: tracing.publisher(publisher),
      names,
      store,
      routes: () => live.current,
      brokerUser,
      busy: () =>
        connection.state !== 'connected' ? `broker ${connection.state}` : inPlace.problem(),
      registry: metrics.registry,
      log,
      ...(fault?.wrapGateway && { wrapGateway: (deps: GatewayDeps) => fault.wrapGateway!(deps) }),
    });
  } catch (err) {
    await server?.close();
    await consumer.stop().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await store.close();
    live.dispose();
    if (options.signal?.aborted) throw new StartAborted('stopped while starting', { cause: err });
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', abortStart);
  }
  const address = server.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : config.http.port;
  log.info('itk-router started', {
    queue: names.routerInboundQueue,
    endpoints: [...live.current.table.endpoints.keys()],
    httpPort,
    ...(webServices?.port !== undefined && { soapPort: webServices.port }),
    store: config.store.kind,
    instanceId,
    pid: process.pid,
  });
  // Housekeeping: expected acks past their deadline, and retention (both stopped before the store).
  const housekeeping = [
    startAckOverdueWatch({ acks: store.acks, timeouts: config.acks, log }),
    startRetention({ store: store.retention, policy: config.retention, log }),
    startAuditRetention({
      audit: store.audit,
      ageSeconds: config.console.auditRetentionSeconds,
      log,
    }),
  ];
  const following = webServices; // the delivery workers follow the routes
  const reloader = createRoutesReloader({
    config,
    live,
    log,
    watch: options.watchRoutes ?? true,
    ...(following && { follower: { prepare: (next) => following.prepareRoutes(next.table) } }),
    declareEndpoints: async (ids) => {
      if (ids.length === 0) return;
      const channel = await connection.createChannel();
      try {
        await declareEndpointQueues(channel, names, ids);
      } finally {
        await channel.close().catch(() => undefined);
      }
    },
  });
  let stopping: Promise<void> | undefined;
  return {
    httpPort,
    ...(webServices?.port !== undefined && { soapPort: webServices.port }),
    log,
    reload: (why = 'reload requested') => reloader.reload(why),
    stop: () =>
      (stopping ??= (async () => {
        log.info('itk-router stopping: no new messages, finishing those in flight');
        reloader.close();
        aborter.abort();
        await webServices?.stop();
        await consumer.stop();
        await Promise.all(housekeeping.map((task) => task?.stop()));
        await publisher.close();
        await connection.close();
        await store.close();
        await server!.close();
        live.dispose();
        log.info('itk-router stopped');
      })()),
  };
}
