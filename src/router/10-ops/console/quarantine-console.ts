/**
 * The quarantine as the console uses it: list, replay one entry, purge one entry. The composition
 * root gives an implementation over the quarantine queue (the same operations as
 * `itk-router quarantine`); the console only knows this interface.
 */
import type { RouteTable } from '../../05-routing/index.js';
import type { MessageStore } from '../../08-store/message-store.js';
import type { TopologyNames } from '../../02-transport/names.js';

/** What the router gives the tool that builds its {@link QuarantineConsole}. */
export interface QuarantineContext {
  /** The router's own AMQP URL: its broker user is the one whose replays the router trusts. */
  readonly amqpUrl: string;
  readonly names: TopologyNames;
  readonly store: MessageStore;
  /** The routes in force now. */
  table(): RouteTable;
}

export interface QuarantineListing {
  readonly depth: number;
  readonly entries: readonly {
    readonly id: string;
    readonly code?: string;
    readonly text?: string;
    readonly sender?: string;
    readonly trackingId?: string;
    readonly when?: Date;
    readonly size: number;
  }[];
}

export type QuarantineOutcome =
  | { readonly status: 'replayed'; readonly trackAs: string }
  | { readonly status: 'purged' }
  | { readonly status: 'refused' | 'failed' | 'not-found'; readonly reason: string };

export interface QuarantineConsole {
  list(): Promise<QuarantineListing>;
  replay(id: string, reason: string, by: string): Promise<QuarantineOutcome>;
  purge(id: string): Promise<QuarantineOutcome>;
}
