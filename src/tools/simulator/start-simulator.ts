/**
 * The AMQP adapter: connects as the end point's broker user, consumes its queue one message at a
 * time and publishes the answers to the inbound exchange as that user (`user_id`), persistent,
 * with confirms, like a supplier system. `startSimulator` resolves once it is consuming.
 */
import { urlAs } from '../sandbox/broker-client.js';
import { loadRoutes } from '../../router/01-config/index.js';
import {
  BrokerConnection,
  ConfirmPublisher,
  QueueConsumer,
  topologyNames,
} from '../../router/02-transport/index.js';
import { createValidator, type Validator } from '../../router/04-validation/create-validator.js';
import { createDeliveryHandler } from './delivery-handler.js';
import type { Outgoing } from './outgoing.js';
import { emptyState, type HeldPlan } from './plan-store.js';
import { loadPlans } from './seed-plans.js';
import { replyFrom } from './self.js';
import { endpointOf, selfOf, SimulatorError } from './simulated-endpoint.js';
import type {
  ReceivedRecord,
  RunningSimulator,
  SentRecord,
  SimulatorOptions,
  StopReason,
} from './simulator-options.js';

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const routes = typeof options.routes === 'string' ? loadRoutes(options.routes) : options.routes;
  const endpoint = endpointOf(routes, options.endpointId);
  const self = selfOf(endpoint, options);
  const user = options.user ?? endpoint.identities[0];
  if (!user) throw new SimulatorError(`end point ${endpoint.id} lists no broker user: give one`);
  const names = topologyNames(options.prefix);
  const queue = names.endpointQueue(endpoint.id);
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const ownValidator = options.validator === undefined;
  const validator: Validator =
    options.validator ??
    createValidator({
      planTypes: new Set(routes.careplans?.planTypes ?? []),
      payloadContent: true,
    });
  const cleanups: (() => Promise<void>)[] = [];
  if (ownValidator) cleanups.push(async () => validator.dispose());
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };
  try {
    const seed: readonly HeldPlan[] =
      typeof options.plans === 'string'
        ? loadPlans(options.plans, validator)
        : (options.plans ?? []);
    const connection = new BrokerConnection({
      url: urlAs(options.amqpUrl, user, options.password),
      name: `itk-simulator ${endpoint.id}`,
      initialMaxRetries: options.connectRetries ?? 5,
      backoff: { initialDelayMs: 200, maxDelayMs: 2000 },
    });
    cleanups.push(() => connection.close());
    await connection.start();
    const publisher = new ConfirmPublisher(connection, { confirmTimeoutMs: 10_000 });
    cleanups.push(() => publisher.close());
    const publish = (o: Outgoing) =>
      publisher.publish(names.inboundExchange, '', Buffer.from(o.xml, 'utf8'), {
        persistent: true,
        contentType: 'application/xml',
        userId: user,
        messageId: o.trackingId,
        type: o.service,
        appId: 'itk-router-simulator',
      });

    const received: ReceivedRecord[] = [];
    const sent: SentRecord[] = [];
    const state = { current: emptyState(seed) };
    const abort = new AbortController();
    let resolveStopped!: (reason: StopReason) => void;
    const stopped = new Promise<StopReason>((resolve) => (resolveStopped = resolve));
    let stopping: Promise<void> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const stopFor = (reason: StopReason): Promise<void> => {
      stopping ??= (async () => {
        abort.abort();
        clearTimeout(timer);
        await consumer.stop();
        await cleanup();
        log(`stopped (${reason}): ${received.length} message(s) received, ${sent.length} sent`);
        resolveStopped(reason);
      })();
      return stopping;
    };
    const consumer: QueueConsumer = new QueueConsumer(connection, {
      queue,
      prefetch: 1,
      handler: createDeliveryHandler({
        validator,
        self,
        faults: options.faults ?? [],
        now,
        log,
        publish,
        signal: abort.signal,
        received,
        sent,
        state,
        handled: () => {
          if (options.count !== undefined && received.length >= options.count)
            setImmediate(() => void stopFor('count'));
        },
      }),
    });
    try {
      await consumer.start();
    } catch (err) {
      throw new SimulatorError(`cannot consume ${queue} as ${user}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (options.forMs !== undefined) timer = setTimeout(() => void stopFor('time'), options.forMs);
    const from = replyFrom(self, []);
    log(
      `simulating ${endpoint.id} (${endpoint.name}) as broker user ${user} on ${queue}; ` +
        `answers from ${from?.address ?? 'the address each message names'}; ` +
        `holds ${seed.length} plan(s); ${(options.faults ?? []).length} fault rule(s)`,
    );
    return {
      endpointId: endpoint.id,
      user,
      queue,
      received,
      sent,
      plans: () => state.current.plans,
      stopped,
      stop: () => stopFor('stopped'),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
