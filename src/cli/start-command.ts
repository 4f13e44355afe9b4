/** `itk-router start`: runs the router until SIGTERM / SIGINT, then stops cleanly; SIGHUP reloads the routes. */
import type { Command } from 'commander';
import { loadRouterConfig } from '../config/index.js';
import { startRouter } from '../main.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'run the router: consume itk.router.inbound, validate, route, deliver, acknowledge',
    )
    .option('-c, --config <file>', 'router config file', 'config/router.yaml')
    .action(async (options: { config: string }) => {
      const config = loadRouterConfig(options.config, process.env);
      const router = await startRouter(config);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          router.log.info('signal received', { signal });
          router.stop().then(resolve, (err: Error) => {
            router.log.error('stop failed', { error: err.message });
            resolve();
          });
        };
        process.on('SIGHUP', () => void router.reload('SIGHUP'));
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
