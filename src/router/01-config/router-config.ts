/** The router's own configuration (config/router.yaml), after defaults and environment overrides. */
import type { RetentionConfig } from './retention-config.js';

/** The RabbitMQ broker and the names the router declares on it. */
export interface AmqpConfig {
  /** Broker URL including the vhost (AMQP_URL overrides it). */
  readonly url: string;
  /** Prefix of every exchange and queue name, e.g. `itk` → `itk.inbound`. */
  readonly prefix: string;
  /** Unacknowledged messages the router holds at once. */
  readonly prefetch: number;
  /** AMQP heartbeat interval in seconds; 0 disables heartbeats. */
  readonly heartbeatSeconds: number;
  /** TLS files and name for an `amqps://` URL (absolute paths). */
  readonly tls?: AmqpTlsConfig;
}

/** The broker's TLS: CA, client certificate and key (absolute PEM paths), the name to check. */
export interface AmqpTlsConfig {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly servername?: string;
}

/** ITK web services (docs/web-services.md): on when a port is set. */
export interface WebServicesConfig {
  readonly port: number;
  readonly host: string;
  /** The URL path suppliers POST to. */
  readonly path: string;
  /** Absolute PEM paths: the router's certificate and key, and the CA callers must chain to. */
  readonly tls: { readonly cert: string; readonly key: string; readonly ca: string };
  readonly clockSkewMs: number;
  /** Backoff between calls to an end point that failed. */
  readonly retry: { readonly initialDelayMs: number; readonly maxDelayMs: number };
}

/** Where the message store lives (ITK_ROUTER_STORE overrides it). */
export type StoreConfig =
  | {
      readonly kind: 'sqlite';
      /** The URL as configured, e.g. `sqlite:var/itk-router.sqlite`. */
      readonly url: string;
      /** Absolute path of the database file, or `:memory:`. */
      readonly path: string;
    }
  | {
      readonly kind: 'postgres';
      /** A `postgres://` or `postgresql://` connection URL. */
      readonly url: string;
    };

/** The router's HTTP server. */
export interface HttpConfig {
  readonly port: number;
  readonly host: string;
  /** HTTPS with this certificate and key (absolute PEM paths). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Believe X-Forwarded-* from a reverse proxy: any (true) or these addresses / ranges. */
  readonly trustProxy: boolean | readonly string[];
}

/** The web console (docs/console.md). */
export interface ConsoleConfig {
  /** Absolute path of the users file (ITK_ROUTER_USERS overrides it). */
  readonly users: string;
  readonly sessionIdleMinutes: number;
  /** Audit log rows older than this are pruned; undefined: kept forever. */
  readonly auditRetentionSeconds?: number;
}

/** Everything the router reads from its configuration file. Frozen once loaded. */
export interface RouterConfig {
  /** Absolute path of the file read, or undefined when only defaults (and env) apply. */
  readonly file?: string;
  /** The environment variables that overrode the file, by name. */
  readonly envOverrides: readonly string[];
  readonly amqp: AmqpConfig;
  /** Absolute path of the routes folder (ITK_ROUTER_ROUTES overrides it). */
  readonly routes: string;
  readonly store: StoreConfig;
  /** The router's own ITK names, on the acks it sends. */
  readonly router: { readonly address: string; readonly identity: string };
  /** The HTTP server: health, metrics, the console and its API (ITK_ROUTER_HTTP_PORT overrides the port). */
  readonly http: HttpConfig;
  /** The web console: its users file, sessions and audit log retention. */
  readonly console: ConsoleConfig;
  /** Lowest winston level written. */
  readonly log: { readonly level: LogLevel };
  /** Safety limits applied before parsing. */
  readonly limits: {
    readonly maxMessageBytes: number;
    readonly maxDepth: number;
    /** Total decoded (base64 / gzip) payload bytes per message. */
    readonly maxDecodedBytes: number;
  };
  readonly validation: {
    /** A payload no catalogue knows: `pass` (warning) or `refuse` (nack 1000). */
    readonly unknownPayloads: 'pass' | 'refuse';
    /** Absolute paths of extra schema catalogues, matched before the bundled one. */
    readonly catalogues: readonly string[];
  };
  /** Retry policy for retryable delivery failures. */
  readonly retry: {
    readonly attempts: number;
    readonly initialDelayMs: number;
    readonly maxDelayMs: number;
  };
  /** When an expected acknowledgement is reported overdue. */
  readonly acks: { readonly infAckTimeoutSeconds: number; readonly busAckTimeoutSeconds: number };
  /** How long the store keeps bodies and records, by state (ages in seconds). */
  readonly retention: RetentionConfig;
  /** ITK web services; absent when off (no port). */
  readonly webServices?: WebServicesConfig;
}

/** winston's npm levels. */
export type LogLevel = 'error' | 'warn' | 'info' | 'http' | 'verbose' | 'debug' | 'silly';
