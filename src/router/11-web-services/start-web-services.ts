/**
 * Web services, built from the config and the router's own broker connection, store and routes
 * (called by the composition root, main.ts): the gateway when `webServices` is on, and one
 * delivery worker per end point with `delivery.url`, following routes reloads (delivery-workers.ts;
 * main.ts hands `prepareRoutes` to the routes reloader). Start after the topology is declared;
 * stop before the consumer, the publisher and the connection.
 *
 * The gateway is refused when the router's broker user cannot be trusted (guest, or an end
 * point's identity): the pipeline would then believe no gateway header (gateway-trust.ts), and
 * every web-service call would be refused 3000 after a 200.
 */
import type { Registry } from 'prom-client';
import type { Logger } from '../00-common/logger.js';
import type { WebServicesConfig } from '../01-config/router-config.js';
import type { BrokerConnection } from '../02-transport/connection.js';
import type { TopologyNames } from '../02-transport/names.js';
import { ConfirmPublisher } from '../02-transport/publisher.js';
import type { Validator } from '../04-validation/create-validator.js';
import type { SafetyLimits } from '../04-validation/safety.js';
import type { RouteTable } from '../05-routing/index.js';
import type { RouterIdentity } from '../05-routing/router-identity.js';
import type { Publisher } from '../07-delivery/outbound.js';
import type { MessageStore } from '../08-store/message-store.js';
import { replayTrustRefusal } from '../09-pipeline/replay-trust.js';
import { createDeliveryWorker } from './delivery-worker.js';
import { DeliveryWorkers, type PreparedRoutes } from './delivery-workers.js';
import { startGateway, type RunningGateway } from './gateway.js';
import type { GatewayDeps } from './accept-call.js';
import { createHttpsCaller } from './https-caller.js';
import { loadTlsFiles, TlsFileError } from './tls-files.js';
import { createWsMetrics } from './ws-metrics.js';

export interface WebServicesDeps {
  readonly config?: WebServicesConfig;
  readonly limits: SafetyLimits;
  readonly router: RouterIdentity;
  /** Calls to an end point before its message is quarantined (`retry.attempts`). */
  readonly attempts: number;
  readonly connection: BrokerConnection;
  /** The pipeline's publisher (nacks and quarantine copies of the delivery workers). */
  readonly publisher: Publisher;
  readonly names: TopologyNames;
  readonly store: MessageStore;
  readonly routes: () => { readonly table: RouteTable; readonly validator: Validator };
  readonly brokerUser: string | undefined;
  /** Why the router cannot take messages now, or undefined (the gateway answers 503). */
  readonly busy: () => string | undefined;
  readonly registry: Registry;
  readonly log: Logger;
  /** The harness self-test's deliberately faulty gateway (StartOptions.selftestFault) only. */
  readonly wrapGateway?: (deps: GatewayDeps) => GatewayDeps;
}

export interface RunningWebServices {
  /** The gateway's port, when it is on. */
  readonly port?: number;
  /**
   * Reads what new routes ask of the delivery workers, before they are swapped in: a problem
   * (a TLS file that cannot be used) refuses them; else `apply` once they are in force starts,
   * stops and restarts workers to match (delivery-workers.ts).
   */
  prepareRoutes(table: RouteTable): PreparedRoutes;
  stop(): Promise<void>;
}

/**
 * Why the pipeline could not believe the gateway with this broker user (the rule of replays:
 * replay-trust.ts), or undefined when it can.
 */
export function gatewayTrustRefusal(
  brokerUser: string | undefined,
  table: { readonly identities: ReadonlyMap<string, string> },
): string | undefined {
  if (!replayTrustRefusal(brokerUser, table)) return undefined;
  const head = "web services need a broker user of the router's own";
  if (!brokerUser) return head;
  if (brokerUser === 'guest')
    return `${head}, not guest (whose password everyone knows): itk-router provision makes one`;
  return `${head}: ${brokerUser} is an identity of end point ${table.identities.get(brokerUser)}`;
}

export { deliveryTls, type Delivering } from './delivery-workers.js';

export async function startWebServices(deps: WebServicesDeps): Promise<RunningWebServices> {
  const metrics = createWsMetrics(deps.registry);
  const { table } = deps.routes();
  const tls = deps.config?.tls;
  const backoff = deps.config?.retry ?? { initialDelayMs: 1000, maxDelayMs: 60000 };
  const workers = new DeliveryWorkers(
    ({ endpoint, caller }) =>
      createDeliveryWorker({
        endpoint,
        caller: createHttpsCaller(caller),
        connection: deps.connection,
        publisher: deps.publisher,
        names: deps.names,
        store: deps.store,
        routes: deps.routes,
        router: deps.router,
        attempts: deps.attempts,
        backoff,
        log: deps.log,
        metrics,
      }),
    tls,
    deps.log,
  );
  let gateway: RunningGateway | undefined;
  let gatewayPublisher: ConfirmPublisher | undefined;
  const stop = async () => {
    await gateway?.close();
    await gatewayPublisher?.close();
    await workers.stop();
  };
  try {
    if (deps.config) {
      const refusal = gatewayTrustRefusal(deps.brokerUser, table);
      if (refusal) throw new Error(`${refusal} (docs/web-services.md)`);
      gatewayPublisher = new ConfirmPublisher(deps.connection, {
        logger: deps.log,
        confirmTimeoutMs: 10_000,
      });
      const files = loadTlsFiles(deps.config.tls);
      const gatewayDeps: GatewayDeps = {
        certificates: () => deps.routes().table.certificates,
        publisher: gatewayPublisher,
        names: deps.names,
        brokerUser: deps.brokerUser!,
        limits: deps.limits,
        clockSkewMs: deps.config.clockSkewMs,
        router: deps.router,
        busy: deps.busy,
        log: deps.log,
        metrics,
      };
      gateway = await startGateway(
        {
          host: deps.config.host,
          port: deps.config.port,
          path: deps.config.path,
          cert: files.cert!,
          key: files.key!,
          ca: files.ca!,
        },
        deps.wrapGateway ? deps.wrapGateway(gatewayDeps) : gatewayDeps,
      );
    }
    const prepared = workers.prepare(table);
    if ('problem' in prepared) throw new TlsFileError(prepared.problem);
    await prepared.apply();
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  if (gateway || workers.endpoints.length > 0) {
    deps.log.info('web services started', {
      ...(gateway && { gatewayPort: gateway.port }),
      deliveringTo: workers.endpoints.length,
    });
  }
  return {
    ...(gateway && { port: gateway.port }),
    prepareRoutes: (next) => workers.prepare(next),
    stop,
  };
}
