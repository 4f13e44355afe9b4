/**
 * `itk-router validate <files…>`: offline validation in the spirit of the accreditation tool's
 * validator. Exit 0 when every file is valid (warnings do not fail), 1 when any is invalid,
 * 2 on a usage error. Plan types are checked against the configured routes, else the stock ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadRouterConfig, loadRoutes } from '../../router/01-config/index.js';
import { packagePath } from '../../router/00-common/package-root.js';
import { createValidator } from '../../router/04-validation/create-validator.js';
import { formatReport, type FileReport, type ReportFormat } from './validate-report.js';
import { setExitCode } from './exit-status.js';

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

/** The files named: a folder stands for every `*.xml` under it (sorted), anything else for itself. */
function expand(args: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.xml')) out.push(full);
    }
  };
  for (const arg of args) {
    let isDir = false;
    try {
      isDir = arg !== '-' && fs.statSync(arg).isDirectory();
    } catch {
      // missing: reported as a failed entry when read
    }
    if (isDir) walk(arg);
    else out.push(arg);
  }
  return out;
}

/** A file that cannot be read: one failed entry in the report, and the run goes on. */
function unreadable(file: string, err: unknown): FileReport {
  return {
    file,
    valid: false,
    findings: [
      {
        code: 'FILE',
        codeSystem: 'itk-router',
        text: 'cannot read the file',
        rule: 'ITK-ROUTER-READ-FILE',
        detail: (err as Error).message,
        severity: 'error',
        location: {},
      },
    ],
  };
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('validate ITK messages offline: envelope, payload schemas and business rules')
    .argument(
      '<files...>',
      'message files or folders (every *.xml under them); - reads standard input',
    )
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
        for (const file of expand(files)) {
          let bytes: Buffer;
          try {
            bytes = await readInput(file);
          } catch (err) {
            reports.push(unreadable(file, err));
            continue;
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
      setExitCode(command, reports.every((r) => r.valid) ? 0 : 1);
    });
}
