/**
 * A plan as a RabbitMQ definitions document (JSON): the vhost, the users and their permissions.
 * Import it with `rabbitmqctl import_definitions` (on standard input), the management API
 * (`POST /api/definitions`) or at boot (`load_definitions`). A user whose password is known gets
 * its `password_hash` (rabbit_password_hashing_sha256); one without gets none, and importing that
 * over an EXISTING user clears its password (RabbitMQ's rule), so such files suit a new broker.
 */
import { HASHING_ALGORITHM, rabbitPasswordHash } from './password-hash.js';
import type { ProvisionPlan } from './plan.js';
import type { KnownPasswords } from './passwords.js';

/** The parts of RabbitMQ's definitions format this command writes. */
export interface Definitions {
  readonly users: readonly DefinitionsUser[];
  readonly vhosts: readonly { readonly name: string }[];
  readonly permissions: readonly {
    readonly user: string;
    readonly vhost: string;
    readonly configure: string;
    readonly write: string;
    readonly read: string;
  }[];
}

export interface DefinitionsUser {
  readonly name: string;
  readonly password_hash?: string;
  readonly hashing_algorithm?: string;
  /** No tags: no management UI or API access. */
  readonly tags: readonly string[];
}

export interface DefinitionsOptions {
  /** Clear-text passwords to hash in, by user; users without one get no password. */
  readonly passwords?: KnownPasswords;
  /** The hash function (tests pass a fixed salt); RabbitMQ's SHA-256 with a random salt by default. */
  readonly hash?: (password: string) => string;
}

export function renderDefinitions(
  plan: ProvisionPlan,
  options: DefinitionsOptions = {},
): Definitions {
  const hash = options.hash ?? rabbitPasswordHash;
  const users = plan.accounts.map((account): DefinitionsUser => {
    const password = options.passwords?.get(account.user);
    return password === undefined
      ? { name: account.user, tags: [] }
      : {
          name: account.user,
          password_hash: hash(password),
          hashing_algorithm: HASHING_ALGORITHM,
          tags: [],
        };
  });
  return {
    users,
    vhosts: [{ name: plan.vhost }],
    permissions: plan.accounts.map(({ user, permissions }) => ({
      user,
      vhost: plan.vhost,
      ...permissions,
    })),
  };
}
