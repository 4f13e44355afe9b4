/** What the demo and the harness ask of a broker administrator (the management API or rabbitmqctl). */

/** AMQP permission regexes of a user in a vhost. */
export interface Permissions {
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

export interface BrokerAdmin {
  /** How it talks to the broker, for the printed introduction. */
  readonly via: string;
  addVhost(vhost: string): Promise<void>;
  deleteVhost(vhost: string): Promise<void>;
  addUser(name: string, password: string): Promise<void>;
  deleteUser(name: string): Promise<void>;
  setPermissions(vhost: string, user: string, permissions: Permissions): Promise<void>;
}
