/**
 * The replay path's headers, and the one rule that decides whether the router trusts them.
 *
 * `itk-router quarantine replay` publishes the original bytes straight to the router's inbound
 * queue through the default exchange, as the router's own broker user, with the headers below.
 * The router believes them only when the message did NOT come through the inbound exchange
 * (`itk.inbound`, where suppliers publish) AND its AMQP `user_id` is the router's own broker user
 * (RabbitMQ refuses a `user_id` that is not the connection's user). Suppliers provisioned by
 * `itk-router provision` can publish to `itk.inbound` only, never through the default exchange,
 * so no supplier can pass a message off as a replay. Anything else carrying these headers is an
 * ordinary message: the headers are ignored.
 *
 * A replay names its original sender in one of two ways: the broker user an AMQP message came
 * from (`itk-replay-user`), or, for a message that came through the web-service gateway (which
 * has no broker user of the sender's), the end point the gateway proved
 * (`itk-replay-gateway-endpoint`), re-checked against the routes when the replay is processed
 * (gateway-trust.ts `gatewayProofRefusal`). A replay naming both, or neither, is not trusted.
 */
import type { ReplayLineage } from '../08-store/replay-generations.js';
import type { InboundMessage } from '../02-transport/inbound-message.js';

export const REPLAY_HEADER = {
  /** The quarantine entry replayed (its short id). */
  of: 'itk-replay-of',
  /** Who replayed it. */
  by: 'itk-replayed-by',
  /** Why. */
  reason: 'itk-replay-reason',
  /** The broker user the original came from: the router takes the sender's identity from it. */
  user: 'itk-replay-user',
  /** Instead of `user`: the end point the web-service gateway proved for the original. */
  gatewayEndpoint: 'itk-replay-gateway-endpoint',
  /** `true`: process it even when (sender, tracking id) was already processed. */
  ignoreDuplicate: 'itk-replay-ignore-duplicate',
} as const;

/**
 * A replay the router trusts: the original sender (its broker user, or the end point the
 * web-service gateway proved: exactly one of the two) and the lineage to record.
 */
export interface TrustedReplay {
  readonly user?: string;
  readonly gatewayEndpoint?: string;
  readonly lineage: ReplayLineage;
}

/** The broker user an AMQP URL connects as (amqplib's default `guest` when it names none). */
export function brokerUserOf(amqpUrl: string): string {
  const user = decodeURIComponent(new URL(amqpUrl).username);
  return user || 'guest';
}

/**
 * Why the router must trust no replay headers at all with `brokerUser`, or undefined when it may
 * trust its own replays: `guest` (whose password is known to everyone: anyone could publish a
 * "replay" naming any sender), or a user an end point lists as an identity (that end point could
 * publish through the default exchange as the router and name any other sender).
 */
export function replayTrustRefusal(
  brokerUser: string | undefined,
  table: { readonly identities: ReadonlyMap<string, string> },
): string | undefined {
  if (!brokerUser) return 'the router has no broker user of its own';
  if (brokerUser === 'guest') {
    return 'the router connects to the broker as guest: quarantine replays are not trusted (give it a user of its own: itk-router provision)';
  }
  const endpoint = table.identities.get(brokerUser);
  if (endpoint) {
    return `the router's broker user ${brokerUser} is an identity of end point ${endpoint}: quarantine replays are not trusted (give the router a user no end point lists)`;
  }
  return undefined;
}

/** The router's broker user when it may trust its own replays with these routes, else undefined. */
export const replayTrustedUser = (
  brokerUser: string | undefined,
  table: { readonly identities: ReadonlyMap<string, string> },
): string | undefined => (replayTrustRefusal(brokerUser, table) ? undefined : brokerUser);

/** A header value as text (amqplib gives strings; a byte array is read as UTF-8). */
export function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The original sender a replay names: a broker user, or the end point the gateway proved. */
export type ReplayOrigin = { readonly user: string } | { readonly gatewayEndpoint: string };

/** The headers of a replayed copy. */
export function replayHeaders(
  r: {
    readonly replayOf: string;
    readonly by: string;
    readonly reason: string;
    readonly ignoreDuplicate: boolean;
  } & ReplayOrigin,
): Record<string, string> {
  return {
    [REPLAY_HEADER.of]: r.replayOf,
    [REPLAY_HEADER.by]: r.by,
    [REPLAY_HEADER.reason]: r.reason,
    ...('user' in r
      ? { [REPLAY_HEADER.user]: r.user }
      : { [REPLAY_HEADER.gatewayEndpoint]: r.gatewayEndpoint }),
    [REPLAY_HEADER.ignoreDuplicate]: r.ignoreDuplicate ? 'true' : 'false',
  };
}

/**
 * The replay `msg` carries, when the router may trust it: it did not come through the inbound
 * exchange, its `user_id` is the router's own broker user, and it names the original sender
 * (a broker user or a gateway end point, not both).
 */
export function trustedReplay(
  msg: InboundMessage,
  router: { readonly inboundExchange: string; readonly brokerUser: string | undefined },
): TrustedReplay | undefined {
  if (!router.brokerUser || msg.properties.userId !== router.brokerUser) return undefined;
  if (msg.exchange === router.inboundExchange) return undefined;
  const h = msg.properties.headers;
  const user = headerText(h[REPLAY_HEADER.user])?.trim();
  const gatewayEndpoint = headerText(h[REPLAY_HEADER.gatewayEndpoint])?.trim();
  const origin = user
    ? gatewayEndpoint
      ? undefined // both: no replay
      : { user }
    : gatewayEndpoint
      ? { gatewayEndpoint }
      : undefined;
  if (!origin) return undefined;
  const text = (key: string, fallback: string) => headerText(h[key])?.trim() || fallback;
  return {
    ...origin,
    lineage: {
      replayOf: text(REPLAY_HEADER.of, 'unknown'),
      by: text(REPLAY_HEADER.by, router.brokerUser),
      reason: text(REPLAY_HEADER.reason, 'no reason given'),
      ignoreDuplicate: text(REPLAY_HEADER.ignoreDuplicate, 'false').toLowerCase() === 'true',
      replayId: (msg.properties.messageId || `${text(REPLAY_HEADER.of, 'unknown')}-replay`).replace(
        /[\s,()]/g,
        '_',
      ),
    },
  };
}
