/**
 * `itk-router start`: runs the router until SIGTERM / SIGINT, then stops cleanly; SIGHUP reloads
 * the routes. A signal while it is still starting (waiting for the broker, say) stops it with exit
 * code 0. A broker refusal retrying cannot fix (login, vhost, permissions, TLS) stops start-up with
 * exit code 1, the reason and the fix logged at error level. Traces only when the OTEL_*
 * environment asks (docs/operations.md "Traces").
 */
import type { Command } from 'commander';
import { loadRouterConfig } from '../../router/01-config/index.js';
import { addLogFields, createLogger } from '../../router/00-common/logger.js';
import { startTracing } from '../../router/10-ops/tracing.js';
import { startRouter, StartAborted } from '../../router/main.js';
import { BrokerRefusedError } from '../../router/02-transport/broker-errors.js';
import { setExitCode } from './exit-status.js';
import { quarantineConsoleFor } from '../quarantine/quarantine-console-ops.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'run the router: consume itk.router.inbound, validate, route, deliver, acknowledge',
    )
    .option('-c, --config <file>', 'router config file', 'config/router.yaml')
    .action(async (options: { config: string }, command: Command) => {
      const config = loadRouterConfig(options.config, process.env);
      const { tracing, notes } = await startTracing(process.env);
      const log = createLogger(config.log.level);
      if (tracing.enabled) addLogFields(log, tracing.logFields);
      for (const note of notes) log.info(note);
      const starting = new AbortController();
      let stop: ((signal: string) => void) | undefined;
      const onSignal = (signal: NodeJS.Signals) => {
        log.info('signal received', { signal });
        if (stop) stop(signal);
        else starting.abort();
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      let router;
      try {
        router = await startRouter(config, log, {
          signal: starting.signal,
          tracing,
          quarantine: quarantineConsoleFor,
        });
      } catch (err) {
        await tracing.shutdown();
        if (err instanceof StartAborted) {
          log.info('itk-router stopped before it had started');
          return;
        }
        if (err instanceof BrokerRefusedError) {
          log.error('itk-router cannot start: the broker refuses it', {
            reason: err.failure.reason,
            fix: err.failure.fix,
          });
          process.stderr.write(`itk-router: ${err.message}\n`);
          setExitCode(command, 1);
          return;
        }
        throw err;
      }
      const running = router;
      if (starting.signal.aborted) {
        // the signal came as it finished starting
        await running.stop();
        return tracing.shutdown();
      }
      await new Promise<void>((resolve) => {
        stop = () =>
          void running
            .stop()
            .then(
              () => undefined,
              (err: Error) => running.log.error('stop failed', { error: err.message }),
            )
            .then(() => tracing.shutdown())
            .then(resolve, resolve);
        process.on('SIGHUP', () => void running.reload('SIGHUP'));
      });
    });
}
