/**
 * `itk-router send <file> --as <broker user>`: publishes a DE to itk.inbound as a supplier would
 * (persistent, application/xml, user_id = the broker user) and waits for the broker's confirm.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadRouterConfig } from '../../router/01-config/index.js';
import { newItkId } from '../../router/03-envelope/build-envelope.js';
import { topologyNames } from '../../router/02-transport/names.js';
import { PASSWORD_ENV, passwordFor, urlAs, withChannel } from '../sandbox/broker-client.js';

interface SendOptions {
  as?: string;
  passwordStdin?: boolean;
  config?: string;
  newTrackingId?: boolean;
}

const TRACKING_ID = /(<(?:\w+:)?header\b[^>]*\strackingid=")([^"]*)(")/;

export function registerSend(program: Command): void {
  program
    .command('send')
    .description('publish a Distribution Envelope to the router as an end point (its broker user)')
    .argument('<file>', 'the DE XML file')
    .requiredOption('--as <user>', 'broker user to send as (an identity of the sending end point)')
    .option(
      '--password-stdin',
      `read its password from the first line of standard input (default: $${PASSWORD_ENV})`,
    )
    .option(
      '--new-tracking-id',
      'give the message a fresh tracking id (so a file can be sent again)',
    )
    .option('-c, --config <file>', 'router config (for the broker URL and name prefix)')
    .action(async (file: string, options: SendOptions) => {
      const config = loadRouterConfig(options.config, process.env);
      let xml = fs.readFileSync(file, 'utf8');
      if (options.newTrackingId) xml = xml.replace(TRACKING_ID, `$1${newItkId()}$3`);
      const trackingId = TRACKING_ID.exec(xml)?.[2] ?? '(none)';
      const names = topologyNames(config.amqp.prefix);
      const password = await passwordFor(options.as!, options);
      const url = urlAs(config.amqp.url, options.as, password);
      await withChannel({ url, tls: config.amqp.tls }, async (channel) => {
        channel.publish(names.inboundExchange, '', Buffer.from(xml, 'utf8'), {
          persistent: true,
          contentType: 'application/xml',
          userId: options.as,
          messageId: trackingId,
        });
        await channel.waitForConfirms();
      });
      process.stdout.write(`sent ${file} as ${options.as}: tracking id ${trackingId}\n`);
    });
}
