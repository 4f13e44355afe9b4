/**
 * One inbound web-service call, from the proven client certificate and the request bytes to the
 * HTTP answer (docs/web-services.md, "Inbound"): the caller's end point from its certificate
 * (3000), the gate checks (1000), then the DE published to the inbound exchange with a publisher
 * confirm, naming the end point in the gateway headers (gateway-trust.ts). Only after the confirm
 * does the caller get 200 (a SimpleMessageResponse) or 202 (a non-anonymous ReplyTo). While the
 * broker is away, or the pipeline is retrying in place through an outage, the answer is 503,
 * the ITK busy tone, and nothing is half-accepted: a publish that was not confirmed is answered
 * 503 too (if the broker kept it after all, the caller's retry is a duplicate, absorbed).
 */
import type { Logger } from '../00-common/logger.js';
import type { SafetyLimits } from '../04-validation/safety.js';
import type { TopologyNames } from '../02-transport/names.js';
import { SHORTSTR_MAX_BYTES, tooLong } from '../02-transport/amqp-limits.js';
import type { Publisher } from '../07-delivery/outbound.js';
import type { RouterIdentity } from '../05-routing/router-identity.js';
import { gatewayHeaders } from '../09-pipeline/gateway-trust.js';
import { identifyCaller, type PeerFacts } from './client-identity.js';
import { readSoapCall } from './soap-call.js';
import { simpleMessageResponse, soapFault, type Fault } from './soap-messages.js';
import { ANONYMOUS } from './soap-names.js';
import type { WsMetrics } from './ws-metrics.js';

export interface GatewayDeps {
  /** The certificates of the routes in force: certificate name → end point id. */
  readonly certificates: () => ReadonlyMap<string, string>;
  readonly publisher: Publisher;
  readonly names: TopologyNames;
  /** The router's own broker user: the `user_id` the pipeline believes the gateway by. */
  readonly brokerUser: string;
  readonly limits: SafetyLimits;
  readonly clockSkewMs: number;
  readonly router: RouterIdentity;
  /** Why the router cannot take messages now (broker away, an outage), or undefined. */
  readonly busy: () => string | undefined;
  readonly log: Logger;
  readonly metrics?: WsMetrics;
  readonly now?: () => Date;
}

export interface IncomingCall {
  readonly peer: PeerFacts;
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly soapAction: string | undefined;
}

export interface HttpReply {
  readonly status: number;
  /** A SOAP envelope, or '' (202). */
  readonly body: string;
}

export async function acceptCall(deps: GatewayDeps, call: IncomingCall): Promise<HttpReply> {
  const now = deps.now?.() ?? new Date();
  const fault = (status: number, f: Fault, outcome: 'fault' | 'busy'): HttpReply => {
    deps.metrics?.inbound(outcome, f.code);
    return { status, body: soapFault(f) };
  };
  const caller = identifyCaller(call.peer, deps.certificates());
  if (caller.endpointId === undefined) {
    deps.log.warn('web-service call refused: unknown certificate', { error: caller.refusal });
    return fault(500, { code: '3000', diagnostic: caller.refusal }, 'fault');
  }
  // No line for an accepted call: the pipeline's "message processed" line names its outcome and
  // the call's wsa:MessageID (a line costs tens of µs; this is the hot path).
  const log = () => deps.log.child({ sender: caller.endpointId });
  const gate = readSoapCall(call, { limits: deps.limits, clockSkewMs: deps.clockSkewMs, now });
  if (!gate.ok) {
    log().info('web-service call refused at the gate', { error: gate.refusal.diagnostic });
    return fault(500, gate.refusal, 'fault');
  }
  const c = gate.call;
  const busyTone = (why: string) => {
    log().warn('web-service call answered busy (503)', { error: why, messageId: c.messageId });
    return fault(
      503,
      {
        code: '2100',
        diagnostic: `the router cannot take messages now (${why}): try again later`,
        relatesTo: c.messageId,
      },
      'busy',
    );
  };
  const busy = deps.busy();
  if (busy) return busyTone(busy);
  try {
    await deps.publisher.publish(deps.names.inboundExchange, '', Buffer.from(c.de, 'utf8'), {
      persistent: true,
      mandatory: true,
      contentType: 'application/xml',
      userId: deps.brokerUser,
      appId: 'itk-router-gateway',
      ...(tooLong('', c.messageId, SHORTSTR_MAX_BYTES) ? {} : { messageId: c.messageId }),
      headers: gatewayHeaders({
        endpointId: caller.endpointId,
        certificate: caller.certificate,
        messageId: c.messageId,
        username: c.username,
      }),
    });
  } catch (err) {
    return busyTone(`publish not confirmed: ${(err as Error).message}`);
  }
  const asynchronous = c.replyTo !== undefined && c.replyTo !== ANONYMOUS;
  deps.metrics?.inbound('accepted', asynchronous ? '202' : '200');
  if (asynchronous) return { status: 202, body: '' };
  return {
    status: 200,
    body: simpleMessageResponse({
      service: c.service,
      relatesTo: c.messageId,
      username: deps.router.identity,
      now,
    }),
  };
}
