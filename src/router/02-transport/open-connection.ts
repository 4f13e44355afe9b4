/**
 * A plain broker connection for the tools and one-off checks (`check --broker`, the harness, the
 * demo, the quarantine commands): no reconnect, no topology, the router's socket options. The
 * router itself uses {@link BrokerConnection}. The only other place amqplib is imported.
 */
import { connect, type ChannelModel } from 'amqplib';
import { tlsSocketOptions } from './connect-args.js';
import type { BrokerConnectionOptions } from './connection-options.js';

export type {
  Channel,
  ChannelModel,
  ConfirmChannel,
  ConsumeMessage,
  GetMessage,
  Options,
} from 'amqplib';

export interface OpenConnectionOptions {
  /** Shown in the broker's management UI. */
  readonly connectionName?: string;
  /** TLS options, as `amqp.tls` of router.yaml. */
  readonly tls?: BrokerConnectionOptions['tls'];
  /** Socket connect timeout, ms. */
  readonly timeoutMs?: number;
}

export function openConnection(
  url: string,
  options: OpenConnectionOptions = {},
): Promise<ChannelModel> {
  return connect(url, {
    noDelay: true,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    ...(options.connectionName
      ? { clientProperties: { connection_name: options.connectionName } }
      : {}),
    ...tlsSocketOptions(options.tls),
  });
}
