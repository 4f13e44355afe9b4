/** A short-lived broker connection for CLI commands (send, receive), as a given broker user. */
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';

/** The configured AMQP URL with the user (and password) replaced; the vhost is kept. */
export function urlAs(amqpUrl: string, user?: string, password?: string): string {
  if (!user) return amqpUrl;
  const url = new URL(amqpUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password ?? process.env.ITK_ROUTER_PASSWORD ?? user);
  return url.toString();
}

export async function withChannel<T>(
  url: string,
  work: (channel: ConfirmChannel) => Promise<T>,
): Promise<T> {
  let connection: ChannelModel;
  try {
    connection = await connect(url, { noDelay: true });
  } catch (err) {
    const safe = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
    throw new Error(`cannot connect to ${safe}: ${(err as Error).message}`, { cause: err });
  }
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    return await work(channel);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
