/**
 * What the router itself sends the sender: a nack, inf acks on behalf of `acks: router` end
 * points, the locator's answers; and, for a duplicate, the same answers again.
 */
import {
  buildNack,
  buildRouterInfAck,
  isBusinessAck,
  isInfAck,
  ownAddressOf,
} from '../07-delivery/router-acks.js';
import { deliverTo } from '../07-delivery/outbound.js';
import { SPEC_KEY } from '../03-envelope/itk-names.js';
import type { Envelope } from '../03-envelope/envelope.js';
import type { RouteTable } from '../05-routing/index.js';
import { HEADER_VALUE_MAX_BYTES, tooLong } from '../02-transport/amqp-limits.js';
import type { RouterResponse } from '../08-store/message-store.js';
import type { Answer } from '../06-careplans/answers.js';
import type { Decision } from './decide.js';
import { DISPOSITIONS } from './dispositions.js';
import type { PipelineDeps } from './pipeline-deps.js';

const isTrue = (v: string | undefined) => v?.trim().toLowerCase() === 'true';

/**
 * The router's own answers: a nack, inf acks on behalf of `acks: router` end points, and the
 * care-plan locator's answers. The locator's answers depend on the index as it is now, so they
 * are recorded (on message `id`, a compare-and-set against `answeredBefore`) before they are
 * sent: a copy taken over after a crash sends the same ones again (careplan-step.ts
 * `earlierAnswers`). The others follow from the message and its decision alone.
 */
export async function answer(
  deps: PipelineDeps,
  table: RouteTable,
  d: Decision,
  delivered: readonly string[],
  at: Date,
  id: string,
  /** The tracking ids of the answers an earlier attempt recorded (none on a first attempt). */
  answeredBefore: readonly string[],
): Promise<RouterResponse[]> {
  if (!d.sender) return [];
  const responses: RouterResponse[] = [];
  const ownAddress = ownAddressOf(d.sender);
  // A sender that claimed an address not its own is answered at its own address, not that one.
  const forged = d.kind === 'forbidden-sender';
  if (DISPOSITIONS[d.kind].nack && d.errors.length > 0 && !isInfAck(d.envelope)) {
    const nack = buildNack({
      ...(d.envelope ? { original: d.envelope } : {}),
      ...(forged ? { ignoreSenderAddress: true } : {}),
      ...(d.unreadableTrackingId ? { trackingIdRef: d.unreadableTrackingId } : {}),
      fallbackTo: ownAddress,
      errors: d.errors,
      outcome: d.kind,
      router: deps.router,
      at,
    });
    responses.push(responseOf('inf-nack', d.sender.id, nack));
  }
  const e = d.envelope;
  if (
    e &&
    isTrue(e.handlingSpecs.find((s) => s.key === SPEC_KEY.infAckRequested)?.value) &&
    !isInfAck(e) &&
    !isBusinessAck(e)
  ) {
    for (const endpointId of delivered) {
      if (table.endpoints.get(endpointId)?.acks !== 'router') continue;
      const ack = buildRouterInfAck(e, deps.router, at, ownAddress);
      responses.push(responseOf('inf-ack', d.sender.id, ack));
    }
  }
  const toEndpointId = d.sender.id;
  const built = (d.answers ?? []).map((a): RouterResponse => ({
    kind: 'response',
    toEndpointId,
    ...a,
  }));
  // Recorded first; another attempt's, when it recorded first, are the ones sent.
  if (built.length > 0 || answeredBefore.length > 0)
    responses.push(...(await deps.store.recordAnswers(id, built, answeredBefore)));
  await Promise.all(responses.map((r) => publishResponse(deps, r)));
  return responses;
}

/** The locator's answers among a message's recorded responses, as the care-plan step takes them. */
export function answersOf(responses: readonly RouterResponse[]): Answer[] {
  return responses
    .filter((r) => r.kind === 'response')
    .map(({ trackingId, service, addressee, xml }) => ({
      trackingId,
      service,
      ...(addressee ? { addressee } : {}),
      xml,
    }));
}

/** A response as the router built it: the XML, and the service and addressee as data. */
export function responseOf(
  kind: RouterResponse['kind'],
  toEndpointId: string,
  built: { readonly trackingId: string; readonly envelope: Envelope; readonly xml: string },
): RouterResponse {
  const addressee = built.envelope.addresses[0]?.uri;
  return {
    kind,
    trackingId: built.trackingId,
    toEndpointId,
    service: built.envelope.service,
    ...(addressee ? { addressee } : {}),
    xml: built.xml,
  };
}

export function publishResponse(deps: PipelineDeps, r: RouterResponse) {
  // The addressee is the sender's senderAddress, copied from its message: when it does not fit
  // a header (the message was nacked 1000 for it), the end point's id names the recipient.
  const recipient =
    r.addressee && !tooLong('', r.addressee, HEADER_VALUE_MAX_BYTES) ? r.addressee : r.toEndpointId;
  return deliverTo(deps.publisher, deps.names, r.toEndpointId, Buffer.from(r.xml, 'utf8'), {
    trackingId: r.trackingId,
    service: r.service,
    senderEndpointId: 'router',
    recipient,
  });
}

/** The `duplicate` event's detail, as `track` shows it: what was (not) sent again, in words. */
export function duplicateDetail(kinds: readonly string[]): string {
  const head = 'received again, not delivered again; ';
  if (kinds.length === 0) return `${head}the router had sent no answer of its own to send again`;
  if (kinds.length === 1) return `${head}the router's earlier answer (${kinds[0]}) sent again`;
  return `${head}the router's ${kinds.length} earlier answers (${kinds.join(', ')}) sent again`;
}

export async function resendEarlierAnswers(
  deps: PipelineDeps,
  id: string,
  d: Decision,
  at: Date,
): Promise<void> {
  const responses = await deps.store.responsesFor(id);
  await Promise.all(responses.map((r) => publishResponse(deps, r)));
  await deps.store.addEvent(id, {
    state: 'duplicate',
    at,
    detail: duplicateDetail(responses.map((r) => r.kind)),
    ...(d.sender ? { endpointId: d.sender.id } : {}),
  });
}
