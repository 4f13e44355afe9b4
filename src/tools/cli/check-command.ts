/**
 * `itk-router check`: loads and checks everything `start` would (config, routes, schemas and,
 * with --broker, the broker connection) without consuming a message. Exit 0 when all is well;
 * 2 when the config or routes are refused, as `start` exits for the same files (every problem
 * printed with file, line and key, in one round); 1 when something else fails (the broker, say).
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { openConnection } from '../../router/02-transport/open-connection.js';
import { ConfigError, loadRouterConfig } from '../../router/01-config/index.js';
import type { Routes } from '../../router/01-config/routes-config.js';
import { brokerUserOf, replayTrustRefusal } from '../../router/09-pipeline/replay-trust.js';
import { loadRoutesSnapshot } from '../../router/05-routing/load-snapshot.js';
import { diffRoutes, formatDiff } from '../../router/05-routing/routes-diff.js';
import { setExitCode } from './exit-status.js';
import { redactUrl } from '../../router/00-common/redact-url.js';
import type { RouterConfig } from '../../router/01-config/router-config.js';
import type { RouteTable } from '../../router/05-routing/index.js';
import {
  deliveryTls,
  gatewayTrustRefusal,
  type Delivering,
} from '../../router/11-web-services/start-web-services.js';
import { loadTlsFiles } from '../../router/11-web-services/tls-files.js';

interface CheckOptions {
  config: string;
  broker?: boolean;
  diff?: string | boolean;
  tokenFile?: string;
}

/**
 * The routes a running router has in force, from its API (`GET /api/v1/routes`, a viewer's right),
 * with the API token of `--token-file` or ITK_ROUTER_TOKEN (`itk-router users token <name>`).
 */
async function runningRoutes(url: string, token: string | undefined): Promise<Routes> {
  const response = await fetch(new URL('/api/v1/routes', url), {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }).catch((err: Error) => {
    throw new Error(`cannot reach the running router at ${url}: ${err.message}`, { cause: err });
  });
  if (response.status === 401 || response.status === 403) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new Error(
      `the running router at ${url} refused to show its routes (${response.status}: ${body.error?.message ?? 'no reason given'}); ` +
        'give an API token of a console user with --token-file <file> or ITK_ROUTER_TOKEN ' +
        '(`itk-router users token <name>` prints one)',
    );
  }
  if (!response.ok) throw new Error(`the running router at ${url} answered ${response.status}`);
  return (await response.json()) as Routes;
}

/** The API token: the first line of `--token-file`, else ITK_ROUTER_TOKEN. */
function apiToken(file: string | undefined): string | undefined {
  if (file === undefined) return process.env.ITK_ROUTER_TOKEN || undefined;
  try {
    return fs.readFileSync(file, 'utf8').split('\n')[0]!.trim();
  } catch (err) {
    throw new Error(`--token-file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'check the config, routes and schemas (and the broker with --broker) without consuming',
    )
    .option('-c, --config <file>', 'router config file', 'config/router.yaml')
    .option('--broker', 'also connect to the broker named by the config')
    .option(
      '--diff [url]',
      "show what the routes folder would change in a running router's routes (default: its configured HTTP port)",
    )
    .option(
      '--token-file <file>',
      'with --diff: a file holding an API token of a console user (else ITK_ROUTER_TOKEN)',
    )
    .action(async (options: CheckOptions, command: Command) => {
      const fail = (text: string, code: 1 | 2) => {
        process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
        setExitCode(command, code);
      };
      try {
        const config = loadRouterConfig(options.config, process.env);
        const snapshot = loadRoutesSnapshot(config); // routes, table and every schema compiled
        const schemas = snapshot.validator.schemaCount;
        snapshot.validator.dispose();
        const { table } = snapshot;
        const planTypes = snapshot.routes.careplans?.planTypes ?? [];
        if (options.diff) {
          const url =
            typeof options.diff === 'string'
              ? options.diff
              : `${config.http.tls ? 'https' : 'http'}://${config.http.host}:${config.http.port}`;
          const running = await runningRoutes(url, apiToken(options.tokenFile));
          process.stdout.write(formatDiff(diffRoutes(running, snapshot.routes)));
          return;
        }
        const out = [
          `config    ${config.file ?? '(defaults)'}${config.envOverrides.length ? ` (overridden by ${config.envOverrides.join(', ')})` : ''}`,
          `routes    ${config.routes}: ${table.endpoints.size} end point(s), ${table.rules.length} route(s), ${planTypes.length} plan type(s)`,
          ...[...table.endpoints.values()].map(
            (e) =>
              `          ${e.id.padEnd(24)} ${e.addresses.join(', ')}  (acks: ${e.acks})` +
              (e.delivery ? `  web service: ${e.delivery.url}` : ''),
          ),
          ...webServicesLines(config, table),
          `schemas   ${schemas} payload schema(s) compiled, plus the envelope schema`,
          `store     ${config.store.url}`,
        ];
        // A warning, not a failure: the router runs, but trusts no quarantine replay (docs/security.md).
        const replays = replayTrustRefusal(brokerUserOf(config.amqp.url), table);
        if (replays) process.stderr.write(`warning: ${replays}\n`);
        // An error: start refuses the gateway with a broker user the pipeline cannot believe.
        const gatewayRefusal =
          config.webServices && gatewayTrustRefusal(brokerUserOf(config.amqp.url), table);
        if (gatewayRefusal) {
          fail(`error: ${gatewayRefusal} (docs/web-services.md)`, 1);
          return;
        }
        if (options.broker) {
          // The certificate files load and each key is its certificate's (docs/web-services.md).
          for (const files of tlsFileSets(config, table)) loadTlsFiles(files);
          const connection = await openConnection(config.amqp.url, { tls: config.amqp.tls });
          await connection.close();
          out.push(`broker    ${redactUrl(config.amqp.url)} reachable`);
        }
        process.stdout.write(out.join('\n') + '\nOK\n');
      } catch (err) {
        if (err instanceof ConfigError) fail(err.message, 2);
        else fail(`itk-router check: ${(err as Error).message}`, 1);
      }
    });
}

/** What `check` says about web services: the gateway, and who is known by a certificate. */
function webServicesLines(config: RouterConfig, table: RouteTable): string[] {
  const ws = config.webServices;
  const byCertificate = [...table.endpoints.values()].filter((e) => e.certificates.length > 0);
  const delivering = [...table.endpoints.values()].filter((e) => e.delivery);
  if (!ws && byCertificate.length === 0 && delivering.length === 0) return [];
  return [
    `web       ${ws ? `gateway https://${ws.host}:${ws.port}${ws.path} (client certificates from ${ws.tls.ca})` : 'gateway off (no webServices.port)'}; ${byCertificate.length} end point(s) by certificate, ${delivering.length} delivered by web service`,
  ];
}

type TlsFileNames = { ca?: string; cert?: string; key?: string };

/** Every set of TLS files web services will use: the gateway's and each delivery's. */
function tlsFileSets(config: RouterConfig, table: RouteTable): TlsFileNames[] {
  const sets: TlsFileNames[] = config.webServices ? [config.webServices.tls] : [];
  for (const e of table.endpoints.values()) {
    if (e.delivery) sets.push(deliveryTls(e as Delivering, config.webServices?.tls));
  }
  return sets;
}
