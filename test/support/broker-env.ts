/** Where the test broker is: environment variables with loopback defaults (docs: services.md). */

export interface BrokerEnv {
  /** `amqp://host:port`, no credentials, no vhost. */
  readonly amqpBase: string;
  readonly managementUrl: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly adminKind: 'http' | 'rabbitmqctl' | undefined;
}

export function brokerEnv(): BrokerEnv {
  const kind = process.env.TEST_BROKER_ADMIN;
  return {
    amqpBase: process.env.TEST_AMQP_BASE ?? 'amqp://127.0.0.1:5672',
    managementUrl: process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672',
    adminUser: process.env.TEST_RABBITMQ_USER ?? 'guest',
    adminPassword: process.env.TEST_RABBITMQ_PASSWORD ?? 'guest',
    adminKind: kind === 'http' || kind === 'rabbitmqctl' ? kind : undefined,
  };
}

/** The AMQP URL of `user` on `vhost`. */
export function amqpUrl(vhost: string, user: string, password: string): string {
  const base = new URL(brokerEnv().amqpBase);
  base.username = encodeURIComponent(user);
  base.password = encodeURIComponent(password);
  base.pathname = `/${encodeURIComponent(vhost)}`;
  return base.toString();
}
