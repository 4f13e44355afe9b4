/** A short-lived broker connection for CLI commands (send, receive), as a given broker user. */
import type { AmqpTlsConfig } from '../../router/01-config/router-config.js';
import {
  openConnection,
  type ChannelModel,
  type ConfirmChannel,
} from '../../router/02-transport/open-connection.js';
import { redactUrl } from '../../router/00-common/redact-url.js';

/** The environment variable `send`, `receive` and `simulate` read the `--as` user's password from. */
export const PASSWORD_ENV = 'ITK_ROUTER_PASSWORD';

/**
 * The configured AMQP URL with the user and password replaced (the vhost is kept). A password is
 * never guessed: no user name stands in for it.
 */
export function urlAs(amqpUrl: string, user: string | undefined, password: string): string {
  if (!user) return amqpUrl;
  const url = new URL(amqpUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/** The options every command that connects as an end point's broker user takes. */
export interface PasswordOptions {
  readonly passwordStdin?: boolean;
}

/**
 * The password of `user`: the first line of standard input with `--password-stdin`, else
 * `$ITK_ROUTER_PASSWORD`. Never on the command line (other users of the machine can read a
 * process's arguments) and never the user name. Throws, naming both ways, when there is none.
 */
export async function passwordFor(
  user: string,
  options: PasswordOptions,
  env: NodeJS.ProcessEnv = process.env,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<string> {
  if (options.passwordStdin) {
    let text = '';
    for await (const chunk of stdin) {
      text += String(chunk);
      if (text.includes('\n')) break;
    }
    const line = text.split(/\r?\n/)[0] ?? '';
    if (line === '') throw new Error(`--password-stdin: no password for ${user} on standard input`);
    return line;
  }
  const fromEnv = env[PASSWORD_ENV];
  if (fromEnv) return fromEnv;
  throw new Error(
    `no password for broker user ${user}: set ${PASSWORD_ENV}, or pipe it in with --password-stdin`,
  );
}

/** `target`: the URL, or the URL with the broker's TLS settings (`amqp.tls`). */
export async function withChannel<T>(
  target: string | { readonly url: string; readonly tls?: AmqpTlsConfig | undefined },
  work: (channel: ConfirmChannel) => Promise<T>,
): Promise<T> {
  const { url, tls } = typeof target === 'string' ? { url: target, tls: undefined } : target;
  let connection: ChannelModel;
  try {
    connection = await openConnection(url, { tls });
  } catch (err) {
    const safe = redactUrl(url);
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
