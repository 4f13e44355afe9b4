/**
 * `itk-router demo`: the five-minute tour. Plays a day of care-plan messages between simulated
 * GP, community nursing, hospice and 111 systems through a router running in this process, on a
 * vhost of its own on the local broker, and tells it in plain English. Exit 0 when the whole day
 * played as expected, 1 otherwise (with what was missing), 130 when interrupted (Ctrl-C).
 */
import type { Command } from 'commander';
import { decimalNumber } from './numeric-option.js';
import { runDemo } from '../demo/run-demo.js';
import { setExitCode } from './exit-status.js';

interface DemoCommandOptions {
  config?: string;
  timeout: number;
  pace: number;
  log?: string;
  managementUrl?: string;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'play a day of care-plan messages (push, locate, pull, update, a stale update refused) ' +
        'between simulated end points through an in-process router, on a vhost of its own',
    )
    .option('-c, --config <file>', 'router config (for the broker URL, name prefix, log level)')
    .option('-t, --timeout <seconds>', 'how long each scene may take', decimalNumber(0.001), 10)
    .option('-p, --pace <seconds>', 'pause between scenes, to read along', decimalNumber(0), 0)
    .option('--log <file>', "append the router's JSON log lines to this file")
    .option(
      '--management-url <url>',
      "the broker's management API (default http://<AMQP host>:15672); rabbitmqctl when it does not answer",
    )
    .action(async (options: DemoCommandOptions, command: Command) => {
      const seconds = options.timeout;
      const pace = options.pace;
      const abort = new AbortController();
      let signals = 0;
      const onSignal = () => {
        if (++signals > 1) process.exit(130); // a second Ctrl-C: stop tidying up
        process.stderr.write('\ninterrupted: tidying up (Ctrl-C again to quit at once)\n');
        abort.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const result = await runDemo({
          env: process.env,
          write: (text) => process.stdout.write(text),
          sceneTimeoutMs: seconds * 1000,
          scenePauseMs: pace * 1000,
          signal: abort.signal,
          ...(options.config ? { configPath: options.config } : {}),
          ...(options.log ? { logFile: options.log } : {}),
          ...(options.managementUrl ? { managementUrl: options.managementUrl } : {}),
        });
        const code = result.interrupted ? 130 : result.ok ? 0 : 1;
        setExitCode(command, code);
      } catch (err) {
        process.stderr.write(`itk-router demo: ${(err as Error).message}\n`);
        setExitCode(command, 1);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
