/** What the router's HTTP server is given by the composition root (main.ts). */
import type { Registry } from 'prom-client';
import type { Logger } from '../../00-common/logger.js';
import type { MessageStore } from '../../08-store/message-store.js';
import type { QuarantineConsole } from './quarantine-console.js';
import type { Sessions } from './sessions.js';
import type { SignInThrottle } from './sign-in-throttle.js';
import type { UsersSource } from './users-source.js';

export interface HttpDeps {
  /** The Prometheus registry served at /metrics. */
  readonly registry: Registry;
  /** Resolves undefined when ready, else the reason (for /readyz). */
  ready(): Promise<string | undefined>;
  /** The routes in force (GET /api/v1/routes). */
  routes(): unknown;
  readonly store: MessageStore;
  readonly users: UsersSource;
  readonly sessions: Sessions;
  readonly throttle: SignInThrottle;
  /** The quarantine queue's operations; absent: the quarantine answers 503. */
  readonly quarantine?: QuarantineConsole;
  /** Live figures the dashboard shows beside the store's. */
  readonly live: {
    quarantineDepth(): Promise<number>;
    brokerConnected(): boolean;
  };
  readonly log: Logger;
  readonly now: () => Date;
}
