/**
 * `itk-router users add | remove | list | token`: the console's users file (docs/console.md).
 * The password comes from standard input (never an argument: it would show in `ps` and the
 * shell's history); the token is printed once on standard output and kept only as a hash. Every
 * change is written to the audit log in the store, as the user at this shell.
 */
import os from 'node:os';
import type { Command } from 'commander';
import { loadRouterConfig, type RouterConfig } from '../../router/01-config/index.js';
import { formatDuration, parseDuration } from '../../router/01-config/retention-config.js';
import type { AuditEntry } from '../../router/08-store/audit-log.js';
import { openStore } from '../../router/08-store/open-store.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../../router/10-ops/console/password-hash.js';
import { isRole, ROLES } from '../../router/10-ops/console/roles.js';
import {
  addUser,
  issueToken,
  readUsersFile,
  removeUser,
  writeUsersFile,
  type ConsoleUser,
} from '../../router/10-ops/console/users-file.js';

interface Common {
  config?: string;
}

/** Reads standard input to its end: the password, its line ending dropped. */
async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Appends the change to the audit log (the store is created and migrated if need be, as `start` does). */
async function auditChange(
  config: RouterConfig,
  entry: Omit<AuditEntry, 'at' | 'client' | 'outcome'>,
) {
  const store = await openStore(config.store);
  try {
    await store.audit.record({
      ...entry,
      at: new Date(),
      outcome: 'ok',
      client: `cli:${os.userInfo().username}`,
    });
  } finally {
    await store.close();
  }
}

const load = (options: Common) => {
  const config = loadRouterConfig(options.config, process.env);
  return { config, file: config.console.users, users: readUsersFile(config.console.users) };
};

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description("the console's users: add, remove, list, and API tokens (docs/console.md)");
  const configOption = [
    '-c, --config <file>',
    'router config (where the users file and the store are)',
  ] as const;

  users
    .command('add')
    .description('add a user; the password is read from standard input (at least 12 characters)')
    .argument('<name>', 'user name: lower-case letters, digits, . _ @ -')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option(...configOption)
    .action(async (name: string, options: Common & { role: string }) => {
      if (!isRole(options.role))
        throw new Error(`--role must be one of ${ROLES.join(', ')}, got "${options.role}"`);
      const { config, file, users: before } = load(options);
      const password = await readPassword();
      if (password.length < MIN_PASSWORD_LENGTH)
        throw new Error(
          `the password (standard input) must have at least ${MIN_PASSWORD_LENGTH} characters, it has ${password.length}`,
        );
      const after = addUser(before, name, options.role, await hashPassword(password));
      writeUsersFile(file, after);
      await auditChange(config, {
        actor: os.userInfo().username,
        action: 'user-add',
        target: name,
        detail: `role ${options.role}`,
      });
      process.stdout.write(`added ${name} (${options.role}) to ${file}\n`);
    });

  users
    .command('remove')
    .description('remove a user: their sessions and tokens stop working at once')
    .argument('<name>')
    .option(...configOption)
    .action(async (name: string, options: Common) => {
      const { config, file, users: before } = load(options);
      writeUsersFile(file, removeUser(before, name));
      await auditChange(config, {
        actor: os.userInfo().username,
        action: 'user-remove',
        target: name,
      });
      process.stdout.write(`removed ${name} from ${file}\n`);
    });

  users
    .command('list')
    .description('list the users, their roles and live tokens (no hashes)')
    .option(...configOption)
    .option('--json', 'print the list as JSON')
    .action((options: Common & { json?: boolean }) => {
      const { file, users: list } = load(options);
      const now = new Date();
      const rows = list.map((u: ConsoleUser) => ({
        name: u.name,
        role: u.role,
        tokens: u.tokens
          .filter((t) => t.expires > now)
          .map((t) => ({ id: t.id, expires: t.expires.toISOString() })),
      }));
      if (options.json) return void process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      if (rows.length === 0) return void process.stdout.write(`no users in ${file}\n`);
      for (const r of rows)
        process.stdout.write(
          `${r.name.padEnd(24)} ${r.role.padEnd(9)} ${r.tokens.length} token(s)${r.tokens.map((t) => ` ${t.id} until ${t.expires}`).join(',')}\n`,
        );
    });

  users
    .command('token')
    .description('issue an API token for a user, printed once on standard output')
    .argument('<name>')
    .option('--expires <duration>', 'lifetime: 30d, 12h, 2w …', '30d')
    .option(...configOption)
    .action(async (name: string, options: Common & { expires: string }) => {
      const seconds = parseDuration(options.expires);
      if (seconds === undefined)
        throw new Error(
          `--expires must be a duration such as 30d or 12h, got "${options.expires}"`,
        );
      const { config, file, users: before } = load(options);
      const issued = issueToken(before, name, seconds, new Date());
      writeUsersFile(file, issued.users);
      await auditChange(config, {
        actor: os.userInfo().username,
        action: 'token-issue',
        target: name,
        detail: `expires ${issued.expires.toISOString()} (${formatDuration(seconds)})`,
      });
      process.stdout.write(`${issued.token}\n`);
      process.stderr.write(
        `token for ${name}, valid until ${issued.expires.toISOString()}; kept in ${file} as a hash only\n`,
      );
    });
}
