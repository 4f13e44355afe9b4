/**
 * `itk-router check`: loads and checks everything `start` would (config, routes, schemas and,
 * with --broker, the broker connection) without consuming a message. Exit 0 when all is well,
 * 1 when anything is refused (every problem printed with file, line and key).
 */
import type { Command } from 'commander';
import { connect } from 'amqplib';
import { ConfigError, loadRouterConfig } from '../config/index.js';
import { loadRouteTable } from '../main.js';
import { createValidator } from '../validation/create-validator.js';

interface CheckOptions {
  config: string;
  broker?: boolean;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'check the config, routes and schemas (and the broker with --broker) without consuming',
    )
    .option('-c, --config <file>', 'router config file', 'config/router.yaml')
    .option('--broker', 'also connect to the broker named by the config')
    .action(async (options: CheckOptions, command: Command) => {
      const fail = (text: string) => {
        process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
        command.parent?.setOptionValue('exitCode', 1);
      };
      try {
        const config = loadRouterConfig(options.config, process.env);
        const { table, planTypes } = loadRouteTable(config);
        const validator = createValidator({
          catalogues: config.validation.catalogues,
          limits: config.limits,
        });
        const schemas = validator.schemaCount;
        validator.dispose();
        const out = [
          `config    ${config.file ?? '(defaults)'}${config.envOverrides.length ? ` (overridden by ${config.envOverrides.join(', ')})` : ''}`,
          `routes    ${config.routes}: ${table.endpoints.size} end point(s), ${table.rules.length} route(s), ${planTypes.length} plan type(s)`,
          ...[...table.endpoints.values()].map(
            (e) => `          ${e.id.padEnd(24)} ${e.addresses.join(', ')}  (acks: ${e.acks})`,
          ),
          `schemas   ${schemas} payload schema(s) compiled, plus the envelope schema`,
          `store     ${config.store.url}`,
        ];
        if (options.broker) {
          const connection = await connect(config.amqp.url, { noDelay: true });
          await connection.close();
          out.push(
            `broker    ${config.amqp.url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')} reachable`,
          );
        }
        process.stdout.write(out.join('\n') + '\nOK\n');
      } catch (err) {
        if (err instanceof ConfigError) fail(err.message);
        else fail(`itk-router check: ${(err as Error).message}`);
      }
    });
}
