/** What `amqplib.connect` is given for a {@link BrokerConnectionOptions}, and a URL safe to log. */
import fs from 'node:fs';
import type { ChannelModel, RecoveryOptions, SocketOptions } from 'amqplib';
import type { BrokerConnectionOptions } from './connection-options.js';

/** `url` with `heartbeat=<seconds>` added unless the URL already sets one. */
export function withHeartbeat(url: string, heartbeatSeconds: number): string {
  const parsed = new URL(url);
  if (parsed.searchParams.has('heartbeat')) return url;
  parsed.searchParams.set('heartbeat', String(heartbeatSeconds));
  return parsed.toString();
}

/**
 * TLS socket options from PEM files (`tls.connect`'s ca, cert, key, servername). The broker's
 * certificate is always verified (rejectUnauthorized) against `ca`, or Node's CAs without it,
 * and must name `servername`, or the URL's host name.
 */
export function tlsSocketOptions(tls: BrokerConnectionOptions['tls']): SocketOptions {
  if (!tls) return {};
  return {
    rejectUnauthorized: true,
    ...(tls.ca && { ca: fs.readFileSync(tls.ca) }),
    ...(tls.cert && { cert: fs.readFileSync(tls.cert) }),
    ...(tls.key && { key: fs.readFileSync(tls.key) }),
    ...(tls.servername && { servername: tls.servername }),
  };
}

/** Socket options: no Nagle delay, the connection's name, and amqplib's recovery with `setup`. */
export function socketOptions(
  options: BrokerConnectionOptions,
  setup: (model: ChannelModel) => Promise<void>,
): SocketOptions & { recovery: RecoveryOptions } {
  const { name, backoff = {}, initialMaxRetries } = options;
  return {
    ...tlsSocketOptions(options.tls),
    noDelay: true,
    clientProperties: name ? { connection_name: name } : {},
    recovery: {
      waitForConnect: false,
      initialDelay: backoff.initialDelayMs ?? 200,
      maxDelay: backoff.maxDelayMs ?? 15_000,
      factor: backoff.factor ?? 2,
      jitter: backoff.jitter ?? 0.3,
      ...(initialMaxRetries === undefined ? {} : { initialMaxRetries }),
      setup,
    },
  };
}
