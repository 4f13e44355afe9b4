/** The options and states of a {@link BrokerConnection}. */
import type { ChannelModel } from 'amqplib';
import type { TransportLogger } from './transport-logger.js';

/**
 * `idle` before start; `connecting` until the first connection; `connected` (ready, for /readyz);
 * `reconnecting` after a loss or a failed attempt; `closed` after close or when start gave up.
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/**
 * Work redone on every (re)connect, before the connection counts as connected: declare topology,
 * subscribe consumers. Use the model it is given (the connection's own channel factories wait
 * until setup is over). A task that throws fails the attempt: the connection retries with backoff.
 */
export type SetupTask = (model: ChannelModel) => Promise<void>;

/** Reconnect delays: `initialDelayMs × factor^(attempt-1)`, capped at `maxDelayMs`, ± `jitter`. */
export interface BackoffOptions {
  /** Default 200 ms. */
  readonly initialDelayMs?: number;
  /** Default 15 s. */
  readonly maxDelayMs?: number;
  /** Default 2. */
  readonly factor?: number;
  /** Fraction (0–1) of the delay drawn at random either side; default 0.3. */
  readonly jitter?: number;
}

/** Options of a {@link BrokerConnection}. */
export interface BrokerConnectionOptions {
  /** `amqp://user:password@host:port/vhost`; a `heartbeat` query parameter wins over `heartbeatSeconds`. */
  readonly url: string;
  /** Shown as `connection_name` by the broker (management UI, `rabbitmqctl list_connections`). */
  readonly name?: string;
  /** Default 10 s. */
  readonly heartbeatSeconds?: number;
  /**
   * For `amqps://`: PEM files of the CA trusted for the broker's certificate, the client
   * certificate and key, and the name the broker's certificate must carry (default: the URL's
   * host). Read at each connection attempt, so renewed files are picked up on reconnect.
   */
  readonly tls?: {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly servername?: string;
  };
  readonly backoff?: BackoffOptions;
  /** Failed attempts before `start()` gives up (state `closed`); default: retry for ever. */
  readonly initialMaxRetries?: number;
  readonly logger?: TransportLogger;
  /**
   * Whether a refusal retrying cannot fix (login, vhost, permissions, TLS) before the first
   * connection ends `start()` with a BrokerRefusedError (default true). Once connected it retries.
   */
  readonly stopOnRefusal?: boolean;
}
