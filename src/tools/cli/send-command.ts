/**
 * `itk-router send <file> --as <broker user>`: publishes a DE to itk.inbound as a supplier would
 * (persistent, application/xml, user_id = the broker user) and waits for the broker's confirm.
 * `--soap <url> --cert … --key … --ca …`: calls the router's web-service gateway instead, as a
 * SOAP supplier would, with that client certificate (docs/web-services.md).
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadRouterConfig } from '../../router/01-config/index.js';
import { newItkId } from '../../router/03-envelope/build-envelope.js';
import { topologyNames } from '../../router/02-transport/names.js';
import { PASSWORD_ENV, passwordFor, urlAs, withChannel } from '../sandbox/broker-client.js';
import { soapClient } from '../sandbox/soap-client.js';
import { setExitCode } from './exit-status.js';

interface SendOptions {
  as?: string;
  soap?: string;
  cert?: string;
  key?: string;
  ca?: string;
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
    .option('--as <user>', 'broker user to send as (an identity of the sending end point)')
    .option('--soap <url>', "call the router's web-service gateway at this https:// URL instead")
    .option('--cert <file>', 'with --soap: the client certificate (PEM) that proves the end point')
    .option('--key <file>', "with --soap: the certificate's private key (PEM)")
    .option('--ca <file>', "with --soap: the CA (PEM) to trust the router's certificate by")
    .option(
      '--password-stdin',
      `read its password from the first line of standard input (default: $${PASSWORD_ENV})`,
    )
    .option(
      '--new-tracking-id',
      'give the message a fresh tracking id (so a file can be sent again)',
    )
    .option('-c, --config <file>', 'router config (for the broker URL and name prefix)')
    .action(async (file: string, options: SendOptions, command: Command) => {
      let xml = fs.readFileSync(file, 'utf8');
      if (options.newTrackingId) xml = xml.replace(TRACKING_ID, `$1${newItkId()}$3`);
      const trackingId = TRACKING_ID.exec(xml)?.[2] ?? '(none)';
      if (options.soap) {
        const { cert, key, ca } = options;
        if (!cert || !key || !ca) command.error('--soap needs --cert, --key and --ca');
        const client = soapClient(options.soap, { cert: cert!, key: key!, ca: ca! });
        try {
          const answer = await client.post(Buffer.from(xml, 'utf8'));
          process.stdout.write(
            `called ${options.soap} with ${file}: tracking id ${trackingId}, HTTP ${answer.status}\n`,
          );
          if (answer.status >= 300) {
            process.stdout.write(`${answer.body}\n`);
            setExitCode(command, 1);
          }
        } finally {
          client.close();
        }
        return;
      }
      if (!options.as) command.error('send needs --as <user> (or --soap <url>)');
      const config = loadRouterConfig(options.config, process.env);
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
