/**
 * `itk-router provision`: the least-privilege broker accounts the routes call for, printed as
 * rabbitmqctl commands or a RabbitMQ definitions file. Each end point identity may publish only to
 * itk.inbound and read only its own queue; the router's account may declare, publish and consume
 * the contract names. Nothing is applied: the output is for an operator (or a deploy job) to run.
 * Exit 0 when written, 1 when the config, routes or passwords are refused, 2 on a usage error.
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ConfigError, loadRouterConfig, loadRoutes } from '../../router/01-config/index.js';
import {
  knownPasswords,
  PASSWORD_MODES,
  passwordVariables,
  planProvisioning,
  PROVISION_FORMATS,
  ProvisionError,
  renderPlan,
  usersWithoutPassword,
  type PasswordMode,
  type ProvisionFormat,
} from '../provision/index.js';
import { setExitCode } from './exit-status.js';

interface ProvisionOptions {
  config?: string;
  routes?: string;
  format: ProvisionFormat;
  vhost?: string;
  routerUser: string;
  router: boolean;
  passwords: PasswordMode;
  output?: string;
  credentials?: string;
}

/** The vhost of an AMQP URL: its path without the leading `/`, decoded; `/` when empty. */
export function vhostOf(amqpUrl: string): string {
  const path = new URL(amqpUrl).pathname.slice(1);
  return path === '' ? '/' : decodeURIComponent(path);
}

export function registerProvision(program: Command): void {
  program
    .command('provision')
    .description(
      'print least-privilege broker accounts for the routes: rabbitmqctl commands or definitions JSON',
    )
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(PROVISION_FORMATS)
        .default('rabbitmqctl'),
    )
    .option('--vhost <vhost>', 'vhost of the permissions (default: the configured AMQP URL’s)')
    .option('--router-user <user>', "the router's own broker user", 'itk-router')
    .option('--no-router', "leave out the router's account (end points only)")
    .addOption(
      new Option(
        '--passwords <mode>',
        'env: from ITK_PASSWORD_<USER>; generate: new random ones; none: accounts without one',
      )
        .choices(PASSWORD_MODES)
        .default('env'),
    )
    .option('--credentials <file>', 'write generated passwords here (user and password, mode 600)')
    .option('-o, --output <file>', 'write to a file (mode 600) instead of standard output')
    .option('-c, --config <file>', 'router config (broker URL, name prefix, routes folder)')
    .option('-r, --routes <folder>', 'routes folder (default: the configured one)')
    .action((options: ProvisionOptions, command: Command) => {
      const fail = (text: string, code: number) => {
        process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
        setExitCode(command, code);
      };
      if (
        options.passwords === 'generate' &&
        options.format === 'definitions' &&
        !options.credentials
      ) {
        return fail(
          'itk-router provision: --passwords generate with --format definitions needs --credentials <file>: a definitions file holds only hashes',
          2,
        );
      }
      try {
        const config = loadRouterConfig(options.config, process.env);
        const routes = loadRoutes(options.routes ?? config.routes, {
          routerAddress: config.router.address,
        });
        const plan = planProvisioning({
          endpoints: routes.endpoints,
          prefix: config.amqp.prefix,
          vhost: options.vhost ?? vhostOf(config.amqp.url),
          ...(options.router && { routerUser: options.routerUser }),
          gateway: config.webServices !== undefined,
        });
        const users = plan.accounts.map((account) => account.user);
        const passwords = knownPasswords(options.passwords, users, process.env);
        if (options.format === 'definitions' && options.passwords === 'env') {
          const missing = usersWithoutPassword(plan, passwords);
          if (missing.length > 0) {
            const variables = passwordVariables(users);
            return fail(
              [
                'itk-router provision: a definitions file needs every password (importing a user without one clears an existing user’s password); set:',
                ...missing.map((user) => `  ${variables.get(user)} (broker user ${user})`),
                'or use --passwords generate --credentials <file>, or --passwords none for a new broker.',
              ].join('\n'),
              1,
            );
          }
        }
        const text = renderPlan(plan, {
          format: options.format,
          mode: options.passwords,
          passwords,
          source: routes.folder,
        });
        if (options.credentials && options.passwords === 'generate') {
          const lines = [...passwords].map(([user, password]) => `${user}\t${password}\n`);
          writeFileSync(options.credentials, lines.join(''), { mode: 0o600 });
        }
        if (options.output) writeFileSync(options.output, text, { mode: 0o600 });
        else process.stdout.write(text);
        for (const note of plan.notes) process.stderr.write(`note: ${note}\n`);
        if (options.passwords === 'none' && options.format === 'definitions') {
          process.stderr.write(
            'note: the users carry no password; importing them over existing users clears theirs\n',
          );
        }
      } catch (err) {
        if (err instanceof ConfigError || err instanceof ProvisionError)
          return fail(err.message, 1);
        throw err;
      }
    });
}
