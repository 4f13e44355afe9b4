/** `itk-router receive <endpoint>`: takes messages from an end point's queue and prints them. */
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadRouterConfig } from '../../router/01-config/index.js';
import { topologyNames } from '../../router/02-transport/names.js';
import { decimalNumber, wholeNumber } from './numeric-option.js';
import { PASSWORD_ENV, passwordFor, urlAs, withChannel } from '../sandbox/broker-client.js';
import { setExitCode } from './exit-status.js';

interface ReceiveOptions {
  as?: string;
  passwordStdin?: boolean;
  config?: string;
  count: number;
  wait: number;
  body?: boolean;
}

export function registerReceive(program: Command): void {
  program
    .command('receive')
    .description("take messages from an end point's queue (itk.endpoint.<id>) and print them")
    .argument('<endpoint>', 'end point id')
    .option('-n, --count <n>', 'stop after this many messages', wholeNumber(1), 1)
    .option('-w, --wait <seconds>', 'give up after waiting this long', decimalNumber(0), 10)
    .option('--body', 'print each message body')
    .option('--as <user>', 'broker user to read as (default: the configured URL’s)')
    .option(
      '--password-stdin',
      `read its password from the first line of standard input (default: $${PASSWORD_ENV})`,
    )
    .option('-c, --config <file>', 'router config (for the broker URL and name prefix)')
    .action(async (endpoint: string, options: ReceiveOptions, command: Command) => {
      const config = loadRouterConfig(options.config, process.env);
      const queue = topologyNames(config.amqp.prefix).endpointQueue(endpoint);
      const wanted = options.count;
      const deadline = Date.now() + options.wait * 1000;
      let got = 0;
      const url = options.as
        ? urlAs(config.amqp.url, options.as, await passwordFor(options.as, options))
        : config.amqp.url;
      await withChannel({ url, tls: config.amqp.tls }, async (channel) => {
        while (got < wanted && Date.now() < deadline) {
          const msg = await channel.get(queue, { noAck: true });
          if (!msg) {
            await sleep(200);
            continue;
          }
          got++;
          const h = msg.properties.headers ?? {};
          process.stdout.write(
            `${queue}: ${msg.properties.type} tracking id ${msg.properties.messageId}\n` +
              `  from ${String(h['itk-sender'])} to ${String(h['itk-recipient'])} (${msg.content.length} bytes)\n`,
          );
          if (options.body) process.stdout.write(msg.content.toString('utf8') + '\n');
        }
      });
      if (got < wanted) {
        process.stderr.write(
          `received ${got} of ${wanted} message(s) from ${queue} within ${options.wait} s\n`,
        );
        setExitCode(command, 1);
      }
    });
}
