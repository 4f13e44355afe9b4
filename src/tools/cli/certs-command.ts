/**
 * `itk-router certs --out <dir> [endpoint…]`: a local CA, a certificate for the router and one
 * per named end point (CN = the end point id), for development and the README tour's
 * web-service supplier (docs/web-services.md, "For development"). Production certificates come
 * from the operator's own PKI. Exit 0, or 1 when the certificates cannot be made.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { CertsError, makeCerts } from '../sandbox/make-certs.js';
import { setExitCode } from './exit-status.js';

export function registerCerts(program: Command): void {
  program
    .command('certs')
    .description(
      'make a development CA and certificates for web services: the router, and each end point named',
    )
    .argument('[endpoint...]', 'end point ids to make client certificates for (CN = the id)')
    .requiredOption('-o, --out <dir>', 'folder to write ca.crt, router.crt/.key, <id>.crt/.key to')
    .action((endpoints: string[], options: { out: string }, command: Command) => {
      try {
        const made = makeCerts(path.resolve(options.out), endpoints);
        for (const { file, made: now } of made) {
          process.stdout.write(
            `${now ? 'made ' : 'kept '} ${path.relative(process.cwd(), file)}\n`,
          );
        }
        process.stdout.write(
          'Development certificates only: the CA key is in the same folder. Use your own PKI in production.\n',
        );
      } catch (err) {
        if (!(err instanceof CertsError)) throw err;
        process.stderr.write(`itk-router certs: ${err.message}\n`);
        setExitCode(command, 1);
      }
    });
}
