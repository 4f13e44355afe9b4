/**
 * `itk-router validate <files…>`: offline validation in the spirit of the accreditation tool's
 * validator. Exit 0 when every file is valid (warnings do not fail), 1 when any is invalid,
 * 2 on a usage error. Plan types are checked against the configured routes, else the stock ones.
 */
import fs from 'node:fs';
import { Command, Option } from 'commander';
import { loadRouterConfig, loadRoutes } from '../config/index.js';
import { packagePath } from '../package-root.js';
import { createValidator } from '../validation/create-validator.js';
import { formatReport, type FileReport, type ReportFormat } from './validate-report.js';

interface ValidateOptions {
  format: ReportFormat;
  config?: string;
  routes?: string;
  output?: string;
}

async function readInput(file: string): Promise<Buffer> {
  if (file !== '-') return fs.readFileSync(file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('validate ITK messages offline: envelope, payload schemas and business rules')
    .argument('<files...>', 'message files; - reads standard input')
    .addOption(
      new Option('-f, --format <format>', 'report format')
        .choices(['text', 'json', 'junit'])
        .default('text'),
    )
    .option('-c, --config <file>', 'router config (limits, schema catalogues, routes folder)')
    .option(
      '-r, --routes <folder>',
      'routes folder whose plan types are allowed (default: configured, else the stock routes/)',
    )
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .action(async (files: string[], options: ValidateOptions, command: Command) => {
      const config = loadRouterConfig(options.config, process.env);
      const routesFolder =
        options.routes ??
        (options.config || process.env.ITK_ROUTER_ROUTES ? config.routes : packagePath('routes'));
      const routes = loadRoutes(routesFolder, { routerAddress: config.router.address });
      const validator = createValidator({
        catalogues: config.validation.catalogues,
        limits: config.limits,
        unknownPayloads: config.validation.unknownPayloads,
        planTypes: new Set(routes.careplans?.planTypes ?? []),
      });
      const reports: FileReport[] = [];
      try {
        for (const file of files) {
          let bytes: Buffer;
          try {
            bytes = await readInput(file);
          } catch (err) {
            throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
          }
          const result = validator.validate(bytes);
          reports.push({
            file: file === '-' ? '(standard input)' : file,
            valid: result.valid,
            ...(result.envelope
              ? { service: result.envelope.service, trackingId: result.envelope.trackingId }
              : {}),
            findings: result.findings,
          });
        }
      } finally {
        validator.dispose();
      }
      const report = formatReport(reports, options.format);
      if (options.output) fs.writeFileSync(options.output, report);
      else process.stdout.write(report);
      command.parent?.setOptionValue('exitCode', reports.every((r) => r.valid) ? 0 : 1);
    });
}
