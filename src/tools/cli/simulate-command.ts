/**
 * `itk-router simulate <endpoint-id>`: behaves like an accredited system on the end point's queue
 * (src/tools/simulator): validates, acknowledges, answers care-plan requests and updates, with faults
 * on demand. Runs until --count / --for, or SIGTERM / SIGINT.
 */
import type { Command } from 'commander';
import type { FaultCode } from '../../router/11-web-services/soap-names.js';
import { startSoapSimulator } from '../simulator/soap-simulator.js';
import { loadRouterConfig } from '../../router/01-config/index.js';
import { PASSWORD_ENV, passwordFor } from '../sandbox/broker-client.js';
import { wholeNumber } from './numeric-option.js';
import {
  faultsFromFlags,
  loadFaultScript,
  parseDuration,
  startSimulator,
  type FaultFlags,
} from '../simulator/index.js';

interface SimulateOptions extends FaultFlags {
  soap?: boolean;
  certs?: string;
  host?: string;
  port?: number;
  router?: string;
  soapFault?: string;
  busy?: boolean;
  as?: string;
  passwordStdin?: boolean;
  config?: string;
  address?: string;
  identity?: string;
  plans?: string;
  faults?: string;
  count?: number;
  for?: string;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description("answer like an accredited system on an end point's queue (itk.endpoint.<id>)")
    .argument('<endpoint-id>', 'the end point to simulate')
    .option('--as <user>', "broker user to connect as (default: the end point's first identity)")
    .option(
      '--password-stdin',
      `read its password from the first line of standard input (default: $${PASSWORD_ENV})`,
    )
    .option('--address <uri>', 'the address it answers from (default: its first exact address)')
    .option('--identity <uri>', 'its ITK identity (default: derived from the address)')
    .option(
      '--plans <dir>',
      'seed its plan store: CarePlanNotification DEs or bare CarePlan XML files',
    )
    .option(
      '--faults <file>',
      'YAML fault script (faults limited by service / interaction / message type)',
    )
    .option('--nack <code>', 'fault: nack every message with this ITK error code (e.g. DE0003)')
    .option('--delay <duration>', 'fault: wait this long before answering (e.g. 2s, 500ms)')
    .option('--drop', 'fault: consume messages and send nothing')
    .option('--duplicate-answers', 'fault: send every answer twice')
    .option('--stale-version', 'fault: answer with a stale plan version')
    .option('--ack-acks', 'fault: acknowledge acknowledgements (an accreditation failure)')
    .option('-n, --count <n>', 'stop after receiving this many messages', wholeNumber(1))
    .option('--for <duration>', 'stop after this long (e.g. 30s)')
    .option('-c, --config <file>', 'router config (for the broker URL, name prefix and routes)')
    .option('--soap', "be a web-service end point: listen on HTTPS for the router's calls")
    .option(
      '--certs <dir>',
      'with --soap: the itk-router certs folder (ca.crt, <id>.crt, <id>.key)',
    )
    .option('--host <host>', 'with --soap: interface to listen on', '127.0.0.1')
    .option('--port <n>', 'with --soap: port to listen on (0: a free one)', wholeNumber(0), 0)
    .option('--router <url>', "with --soap: the router's gateway URL, to send the answers to")
    .option(
      '--soap-fault <code>',
      'with --soap: answer every call with this ITK fault (1000, 2100, 2200, 3000)',
    )
    .option('--busy', 'with --soap: answer every call 503')
    .action(async (endpointId: string, options: SimulateOptions, command: Command) => {
      const config = loadRouterConfig(options.config, process.env);
      const faults = [
        ...faultsFromFlags(options),
        ...(options.faults ? loadFaultScript(options.faults) : []),
      ];
      if (options.soap) {
        if (!options.certs) command.error('--soap needs --certs <dir> (made by itk-router certs)');
        const code = options.soapFault;
        if (code !== undefined && !['1000', '2100', '2200', '3000'].includes(code))
          command.error(`--soap-fault must be 1000, 2100, 2200 or 3000, got ${code}`);
        const soap = await startSoapSimulator({
          endpointId,
          routes: config.routes,
          certs: options.certs!,
          host: options.host ?? '127.0.0.1',
          port: options.port ?? 0,
          ...(options.router ? { routerUrl: options.router } : {}),
          ...(code ? { faultCode: code as FaultCode } : {}),
          ...(options.busy ? { busy: true } : {}),
          faults,
          log: (line) => process.stdout.write(`${line}\n`),
        });
        await new Promise<void>((resolve) => {
          process.once('SIGTERM', resolve);
          process.once('SIGINT', resolve);
        });
        await soap.stop();
        return;
      }
      const n = options.count;
      const forMs = options.for === undefined ? undefined : parseDuration(options.for, '--for');
      const password = await passwordFor(options.as ?? `of end point ${endpointId}`, options);
      const simulator = await startSimulator({
        endpointId,
        amqpUrl: config.amqp.url,
        prefix: config.amqp.prefix,
        routes: config.routes,
        ...(options.as ? { user: options.as } : {}),
        password,
        ...(options.address ? { address: options.address } : {}),
        ...(options.identity ? { identity: options.identity } : {}),
        ...(options.plans ? { plans: options.plans } : {}),
        faults,
        ...(n !== undefined ? { count: n } : {}),
        ...(forMs !== undefined ? { forMs } : {}),
        log: (line) => process.stdout.write(`${line}\n`),
      });
      const onSignal = () => void simulator.stop();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        await simulator.stopped;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
