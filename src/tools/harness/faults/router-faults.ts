/**
 * The self-test's deliberately faulty routers: each wraps the real router's pipeline
 * dependencies (wrap-deps.ts) so that it breaks one clause of docs/contract.md, and names the
 * router-conformance cases that must catch it. `itk-router harness selftest` starts the router
 * with one fault at a time (StartOptions.selftestFault, which nothing else can set), runs only
 * those cases, and passes only when each fault fails at least one of them.
 */
import { buildNack, isInfAck, ownAddressOf } from '../../../router/07-delivery/router-acks.js';
import { deliverTo } from '../../../router/07-delivery/outbound.js';
import type { PipelineDeps } from '../../../router/09-pipeline/handle-message.js';
import type { GatewayDeps } from '../../../router/11-web-services/accept-call.js';
import { HarnessError } from '../harness-error.js';
import {
  isDelivery,
  withPublisher,
  withStore,
  withTable,
  withValidation,
  type Publish,
} from './wrap-deps.js';

export interface RouterFault {
  /** e.g. `no-duplicate-check`. */
  readonly name: string;
  /** What the faulty router does wrong, in words. */
  readonly does: string;
  /** The contract clause it breaks (docs/contract.md). */
  readonly breaks: string;
  /** The pack whose cases catch it; default `router-conformance`. */
  readonly pack?: string;
  /** The pack's cases run against it; at least one must fail. */
  readonly cases: readonly string[];
  wrap(deps: PipelineDeps): PipelineDeps;
  /** The web-service gateway's dependencies, for a faulty gateway. */
  wrapGateway?(deps: GatewayDeps): GatewayDeps;
}

/** Every certificate the CA signed belongs to some end point: the first that lists one. */
function lenientCertificates(real: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  const fallback = real.values().next().value;
  const map = new Map(real);
  const get = map.get.bind(map);
  map.get = (key: string) => get(key) ?? fallback;
  return map;
}

/** Ten years: no timestamp is ever out of the clock skew. */
const NO_CLOCK = 10 * 365 * 24 * 3600_000;

/** How long the `ack-before-confirm` router holds a delivery back after "confirming" it. */
const LATE_DELIVERY_MS = 4000;

const copyRecipient = (p: Publish) =>
  String(p.properties.headers?.['itk-recipient'] ?? '').startsWith('copy:');

export const ROUTER_FAULTS: readonly RouterFault[] = [
  {
    name: 'no-duplicate-check',
    does: 'processes a repeated tracking id from the same sender as a new message',
    breaks: 'C-ACK-9',
    cases: ['RC-DUP-001', 'RC-DUP-003'],
    wrap(deps) {
      const fresh = new Set<string>();
      return withStore(deps, {
        begin: async (message) => {
          const begun = await deps.store.begin(message);
          if (begun.kind !== 'existing' || !begun.record.completedAt) return begun;
          fresh.add(begun.record.id);
          return { kind: 'new', id: begun.record.id };
        },
        confirmedDeliveries: async (id) =>
          fresh.has(id) ? [] : deps.store.confirmedDeliveries(id),
        addEvent: async (id, event) => (fresh.has(id) ? undefined : deps.store.addEvent(id, event)),
        complete: async (id, c) => (fresh.has(id) ? undefined : deps.store.complete(id, c)),
      });
    },
  },
  {
    name: 'ack-before-confirm',
    does: `acknowledges a message (to the broker, and with the inf ack of an acks: router end point) before its delivery is confirmed: deliveries are "confirmed" at once and published ${LATE_DELIVERY_MS / 1000} s later`,
    breaks: 'C-AMQP-8, C-ACK-6',
    cases: ['RC-ACK-003'],
    wrap: (deps) =>
      withPublisher(deps, async (p, real) => {
        if (!isDelivery(deps, p))
          return real.publish(p.exchange, p.routingKey, p.body, p.properties);
        setTimeout(() => {
          real.publish(p.exchange, p.routingKey, p.body, p.properties).catch(() => undefined);
        }, LATE_DELIVERY_MS).unref();
      }),
  },
  {
    name: 'consent-ignored',
    does: 'treats every care plan as shared with consent',
    breaks: 'C-TB-5, C-CP-9',
    cases: ['RC-CP-004', 'RC-CP-008'],
    wrap: (deps) =>
      withValidation(deps, (v) =>
        v.carePlan?.plan
          ? {
              ...v,
              carePlan: { ...v.carePlan, plan: { ...v.carePlan.plan, consentToShare: true } },
            }
          : v,
      ),
  },
  {
    name: 'sender-check-skipped',
    does: 'never checks a senderAddress against the sending end point’s addresses',
    breaks: 'C-ID-3',
    cases: ['RC-ID-003'],
    wrap: (deps) =>
      withValidation(deps, (v) => {
        if (!v.envelope?.senderAddress) return v;
        return { ...v, envelope: { ...v.envelope, senderAddress: undefined } };
      }),
  },
  {
    name: 'bytes-changed',
    does: 'delivers the message with a line feed appended',
    breaks: 'C-AMQP-4',
    cases: ['RC-DLV-001'],
    wrap: (deps) =>
      withPublisher(deps, (p, real) =>
        real.publish(
          p.exchange,
          p.routingKey,
          isDelivery(deps, p) ? Buffer.concat([p.body, Buffer.from('\n')]) : p.body,
          p.properties,
        ),
      ),
  },
  {
    name: 'reject-routes-ignored',
    does: 'ignores every reject route',
    breaks: 'C-RTE-3',
    cases: ['RC-RTE-002'],
    wrap: (deps) =>
      withTable(deps, (t) => ({ ...t, rules: t.rules.filter((r) => r.reject === undefined) })),
  },
  {
    name: 'careplan-rules-skipped',
    does: 'routes care-plan messages by address only (no owner, version or consent rules, no locator)',
    breaks: 'C-CP-3, C-CP-6, C-CP-7',
    cases: ['RC-CP-005', 'RC-CP-007'],
    wrap: (deps) =>
      withValidation(deps, (v) => {
        return v.carePlan ? { ...v, carePlan: undefined } : v;
      }),
  },
  {
    name: 'copy-delivered-twice',
    does: 'publishes every copy-route delivery twice',
    breaks: 'C-RTE-4',
    cases: ['RC-RTE-001'],
    wrap: (deps) =>
      withPublisher(deps, async (p, real) => {
        await real.publish(p.exchange, p.routingKey, p.body, p.properties);
        if (isDelivery(deps, p) && copyRecipient(p))
          await real.publish(p.exchange, p.routingKey, p.body, p.properties);
      }),
  },
  {
    name: 'no-router-inf-ack',
    does: 'sends no positive inf ack on behalf of acks: router end points',
    breaks: 'C-ACK-6',
    cases: ['RC-ACK-003', 'RC-DUP-003'],
    wrap: (deps) =>
      withTable(deps, (t) => ({
        ...t,
        endpoints: new Map(
          [...t.endpoints].map(([id, e]) => [
            id,
            e.acks === 'router' ? { ...e, acks: 'endpoint' } : e,
          ]),
        ),
      })),
  },
  {
    name: 'inf-ack-acknowledged',
    does: 'nacks an inf ack it could not route or validate (besides quarantining it)',
    breaks: 'C-ACK-2, C-ITK-ACK-2',
    cases: ['RC-ACK-001', 'RC-ACK-002'],
    wrap: (deps) =>
      withPublisher(deps, async (p, real) => {
        await real.publish(p.exchange, p.routingKey, p.body, p.properties);
        if (p.exchange !== deps.names.quarantineExchange) return;
        const sender = deps
          .routes()
          .table.endpoints.get(String(p.properties.headers?.['itk-sender']));
        const envelope = deps.routes().validator.validate(p.body).envelope;
        if (!sender || !envelope || !isInfAck(envelope)) return;
        const nack = buildNack({
          original: envelope,
          fallbackTo: ownAddressOf(sender),
          errors: [{ code: 'DE0003', diagnostic: 'the inf ack could not be routed' }],
          router: deps.router,
          at: new Date(),
        });
        await deliverTo(real, deps.names, sender.id, Buffer.from(nack.xml), {
          trackingId: nack.trackingId,
          service: envelope.service,
          senderEndpointId: 'router',
          recipient: sender.id,
        });
      }),
  },
  {
    name: 'unlisted-certificate-accepted',
    does: "takes a client certificate no end point lists (only chaining to the router's CA) as the first end point that lists one",
    breaks: 'docs/web-services.md, identity is the TLS client certificate (3000)',
    pack: 'web-services',
    cases: ['WS-ID-002'],
    wrap: (deps) => deps,
    wrapGateway: (deps) => ({
      ...deps,
      certificates: () => lenientCertificates(deps.certificates()),
    }),
  },
  {
    name: 'timestamps-unchecked',
    does: 'skips the gate check of the WS-Security timestamps (an expired call is accepted)',
    breaks: 'docs/web-services.md, gate checks (message expired)',
    pack: 'web-services',
    cases: ['WS-GATE-012'],
    wrap: (deps) => deps,
    wrapGateway: (deps) => ({ ...deps, clockSkewMs: NO_CLOCK }),
  },
];

/** The faults named (`all`, `none`, or a comma-separated list). */
export function routerFaults(selection: string | undefined): RouterFault[] {
  if (selection === undefined || selection === 'all') return [...ROUTER_FAULTS];
  if (selection === 'none') return [];
  return selection.split(',').map((name) => {
    const fault = ROUTER_FAULTS.find((f) => f.name === name.trim());
    if (!fault)
      throw new HarnessError(
        `--faulty-routers ${selection}: no fault "${name}"; use all, none or some of ${ROUTER_FAULTS.map((f) => f.name).join(', ')}`,
      );
    return fault;
  });
}
