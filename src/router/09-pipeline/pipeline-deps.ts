/** What the pipeline is given by the composition root (src/main.ts). */
import type { RouterIdentity } from '../05-routing/router-identity.js';
import type { Publisher } from '../07-delivery/outbound.js';
import type { Logger } from '../00-common/logger.js';
import type { Tracing } from './tracing-port.js';
import type { RouteTable } from '../05-routing/index.js';
import type { MessageStore } from '../08-store/message-store.js';
import type { TopologyNames } from '../02-transport/names.js';
import type { Validator } from '../04-validation/create-validator.js';
import type { OutcomeKind } from './dispositions.js';
import type { InPlaceRetries } from './in-place-retries.js';
import type { AckTimeouts } from './expected-acks.js';

export interface PipelineMetrics {
  /** `service` is already bounded (metric-service.ts): a known service, or `other`. */
  observe(
    outcome: OutcomeKind,
    service: string,
    seconds: number,
    errorCodes: readonly string[],
  ): void;
  /** One more in-place retry of a message during an outage. */
  retriedInPlace?(): void;
  /** How many messages are being retried in place now. */
  retryingInPlace?(count: number): void;
}

export interface PipelineDeps {
  /** The routes snapshot in force: route table and validator (swapped whole on reload). */
  readonly routes: () => { readonly table: RouteTable; readonly validator: Validator };
  readonly store: MessageStore;
  readonly publisher: Publisher;
  readonly names: TopologyNames;
  readonly router: RouterIdentity;
  /**
   * The router's own broker user (from its AMQP URL). Only a message it published itself through
   * the default exchange is trusted as a quarantine replay (quarantine/replay-headers.ts); none
   * is when this is unset, when it is `guest`, or when an end point lists it as an identity.
   */
  readonly brokerUser?: string;
  readonly retry: {
    readonly attempts: number;
    readonly initialDelayMs: number;
    readonly maxDelayMs: number;
  };
  /** How long expected acks may take (config `acks`); no ack is expected when unset. */
  readonly acks?: AckTimeouts;
  readonly log: Logger;
  readonly metrics?: PipelineMetrics;
  /** The messages retried in place now (for /readyz); a private one when unset. */
  readonly inPlace?: InPlaceRetries;
  /** Spans per stage (ops/tracing.ts); none when unset. */
  readonly tracing?: Tracing;
  readonly now?: () => Date;
  /** Aborted when the router stops: no more in-place retries, failing messages go back to the queue. */
  readonly signal?: AbortSignal;
}
