/** `itk-router start`: runs the router until SIGTERM / SIGINT, then stops cleanly; SIGHUP reloads the routes. */
import type { Command } from 'commander';
import { loadRouterConfig } from '../config/index.js';
import { startRouter } from '../main.js';
import { addLogFields, createLogger } from '../ops/logger.js';
import { startTracing } from '../ops/tracing.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'run the router: consume itk.router.inbound, validate, route, deliver, acknowledge',
    )
    .option('-c, --config <file>', 'router config file', 'config/router.yaml')
    .action(async (options: { config: string }) => {
      const config = loadRouterConfig(options.config, process.env);
      // Traces only when the OTEL_* environment asks (docs/operations.md "Traces").
      const { tracing, notes } = await startTracing(process.env);
      const log = createLogger(config.log.level);
      if (tracing.enabled) addLogFields(log, tracing.logFields);
      for (const note of notes) log.info(note);
      const router = await startRouter(config, log, { tracing }).catch(async (err: unknown) => {
        await tracing.shutdown();
        throw err;
      });
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          router.log.info('signal received', { signal });
          router
            .stop()
            .then(
              () => undefined,
              (err: Error) => router.log.error('stop failed', { error: err.message }),
            )
            .then(() => tracing.shutdown())
            .then(resolve, resolve);
        };
        process.on('SIGHUP', () => void router.reload('SIGHUP'));
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
