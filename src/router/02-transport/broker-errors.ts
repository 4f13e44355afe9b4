/**
 * Why a broker connection failed, in words an operator can act on, and whether retrying can fix
 * it. A refused login, a missing vhost, a user without permissions or a certificate the router
 * does not trust fail the same way on every attempt: `permanent`, with the fix. A refused or
 * dropped socket, a broker shutting down or a name that does not resolve (yet) may clear up.
 */

/** A failure described for the log: what went wrong, whether it can clear by itself, the fix. */
export interface BrokerFailure {
  readonly reason: string;
  readonly permanent: boolean;
  readonly fix?: string;
}

/** A connection the broker refuses for a reason retrying cannot fix (start-up stops on it). */
export class BrokerRefusedError extends Error {
  override readonly name = 'BrokerRefusedError';
  constructor(
    readonly failure: BrokerFailure,
    options?: { cause?: unknown },
  ) {
    super(`${failure.reason}${failure.fix ? `. Fix: ${failure.fix}` : ''}`, options);
  }
}

const socketCodes: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'nothing accepts connections there (is RabbitMQ running, on that port?)',
  ECONNRESET: 'the broker closed the socket',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host cannot be reached',
  ENETUNREACH: 'the network cannot be reached',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (yet)',
  EPIPE: 'the broker closed the socket',
};

/** `url`'s host:port, user and vhost (for the words), without the password. */
function where(url: string): { at: string; user: string; vhost: string } {
  try {
    const u = new URL(url);
    const tls = u.protocol === 'amqps:';
    return {
      at: `${u.hostname}:${u.port || (tls ? '5671' : '5672')}`,
      user: decodeURIComponent(u.username) || 'guest',
      vhost: u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : '/',
    };
  } catch {
    return { at: '(unparseable URL)', user: '?', vhost: '?' };
  }
}

/** Describes `err` from connecting to (or setting up on) the broker at `url`. */
export function describeBrokerFailure(err: unknown, url: string): BrokerFailure {
  const { at, user, vhost } = where(url);
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && socketCodes[code])
    return {
      reason: `cannot connect to the broker at ${at}: ${socketCodes[code]}`,
      permanent: false,
    };
  if (/ACCESS[-_]REFUSED/.test(message) && /Login was refused|Handshake terminated/i.test(message))
    return {
      reason: `the broker at ${at} refused the login of user '${user}' (wrong user name or password)`,
      permanent: true,
      fix: `check the user and password in amqp.url or AMQP_URL; create the router's account with 'itk-router provision'`,
    };
  // RabbitMQ answers connection.open for a missing vhost, or one the user has no permissions on,
  // with connection.close 530 NOT_ALLOWED; amqplib keeps only "Expected ConnectionOpenOk; got
  // <ConnectionClose channel:0>", so the two cannot be told apart here.
  if (
    /Expected ConnectionOpenOk; got <ConnectionClose/.test(message) ||
    /NOT_ALLOWED.*vhost|vhost .* not found|access to vhost .* refused/i.test(message)
  )
    return {
      reason: `the broker at ${at} has no vhost '${vhost}', or user '${user}' may not use it`,
      permanent: true,
      fix: `correct the vhost in amqp.url or AMQP_URL, or create it ('rabbitmqctl add_vhost ${vhost}') and grant the user ('itk-router provision' prints the permissions)`,
    };
  if (/ACCESS[-_]REFUSED|\b403\b/.test(message))
    return {
      reason: `user '${user}' lacks a permission on vhost '${vhost}' at ${at}: ${message}`,
      permanent: true,
      fix: `grant the router's permissions ('itk-router provision' prints them)`,
    };
  if (
    (typeof code === 'string' &&
      /^(ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_SSL_)/.test(code)) ||
    /certificate|SSL routines|TLS/i.test(message)
  )
    return {
      reason: `the TLS handshake with the broker at ${at} failed: ${message}`,
      permanent: true,
      fix: 'check amqp.tls (ca, cert, key, servername) against the broker certificate',
    };
  if (/CONNECTION_FORCED|shutdown|Socket closed abruptly|Connection closed/i.test(message))
    return { reason: `the broker at ${at} closed the connection: ${message}`, permanent: false };
  return { reason: `broker at ${at}: ${message}`, permanent: false };
}
