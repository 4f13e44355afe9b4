/** What the pipeline is given by the composition root (src/main.ts). */
import type { RouterIdentity } from '../acks/router-acks.js';
import type { Publisher } from '../delivery/outbound.js';
import type { Logger } from '../ops/logger.js';
import type { RouteTable } from '../routing/index.js';
import type { MessageStore } from '../store/message-store.js';
import type { TopologyNames } from '../transport/names.js';
import type { Validator } from '../validation/create-validator.js';
import type { OutcomeKind } from './dispositions.js';

export interface PipelineMetrics {
  observe(
    outcome: OutcomeKind,
    service: string,
    seconds: number,
    errorCodes: readonly string[],
  ): void;
}

export interface PipelineDeps {
  /** The routes snapshot in force: route table and validator (swapped whole on reload). */
  readonly routes: () => { readonly table: RouteTable; readonly validator: Validator };
  readonly store: MessageStore;
  readonly publisher: Publisher;
  readonly names: TopologyNames;
  readonly router: RouterIdentity;
  readonly retry: {
    readonly attempts: number;
    readonly initialDelayMs: number;
    readonly maxDelayMs: number;
  };
  readonly log: Logger;
  readonly metrics?: PipelineMetrics;
  readonly now?: () => Date;
  /** Aborted when the router stops: no more in-place retries, failing messages go back to the queue. */
  readonly signal?: AbortSignal;
}
