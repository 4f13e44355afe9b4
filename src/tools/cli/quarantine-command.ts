/**
 * `itk-router quarantine list | show <id> | replay <id…|--all> | purge [id…]`: the messages on
 * `itk.router.quarantine`, browsed without losing any, replayed through the router with their
 * lineage recorded, or removed. The work is in src/tools/quarantine/quarantine-ops.ts; the replay path
 * is described in docs/operations.md ("The quarantine").
 */
import os from 'node:os';
import type { Command } from 'commander';
import { wholeNumber } from './numeric-option.js';
import { loadRouterConfig, type RouterConfig } from '../../router/01-config/index.js';
import {
  listQuarantine,
  purgeQuarantine,
  replayQuarantined,
  routeTableOf,
  showQuarantined,
  type QuarantineTools,
} from '../quarantine/quarantine-ops.js';
import {
  entryJson,
  formatEntry,
  formatListing,
  formatReplay,
} from '../quarantine/quarantine-format.js';
import type { RouteTable } from '../../router/05-routing/index.js';
import type { MessageStore } from '../../router/08-store/message-store.js';
import { openStore } from '../../router/08-store/open-store.js';
import { topologyNames } from '../../router/02-transport/names.js';
import { setExitCode } from './exit-status.js';

interface Common {
  config?: string;
  json?: boolean;
  limit?: number;
}

const warn = (text: string) => process.stderr.write(`itk-router quarantine: ${text}\n`);

const fail = (command: Command, code = 1): void => setExitCode(command, code);

function routeTable(config: RouterConfig): RouteTable | undefined {
  try {
    return routeTableOf(config);
  } catch (err) {
    warn(
      `cannot read the routes in ${config.routes} (${(err as Error).message}): senders are not checked`,
    );
    return undefined;
  }
}

/** Runs `work` with the broker, the store (when it opens) and, if asked, the routes. */
async function withTools<T>(
  options: Common,
  needs: { routes: boolean },
  work: (t: QuarantineTools, limit: number | undefined) => Promise<T>,
): Promise<T> {
  const config = loadRouterConfig(options.config, process.env);
  let store: MessageStore | undefined;
  try {
    store = await openStore(config.store, {}, { existing: true });
  } catch (err) {
    warn(
      `cannot open the store ${config.store.url} (${(err as Error).message}): no times, no duplicate check`,
    );
  }
  const table = needs.routes ? routeTable(config) : undefined;
  const limit = options.limit;
  try {
    return await work(
      {
        amqpUrl: config.amqp.url,
        names: topologyNames(config.amqp.prefix),
        ...(store ? { store } : {}),
        ...(table ? { table } : {}),
      },
      limit,
    );
  } finally {
    await store?.close();
  }
}

const defaultOperator = (): string => {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
};

export function registerQuarantine(program: Command): void {
  const quarantine = program
    .command('quarantine')
    .description(
      'the messages on the quarantine queue: list, show, replay through the router, purge',
    );
  const common = (c: Command) =>
    c
      .option(
        '-c, --config <file>',
        'router config (broker URL: use the router account; store; routes)',
      )
      .option(
        '--limit <n>',
        'take at most this many entries from the queue (default 1000)',
        wholeNumber(1),
      );

  common(quarantine.command('list'))
    .description(
      'every message on the quarantine queue, none removed: id, code, sender, tracking id, size, when',
    )
    .option('--json', 'print the entries as JSON (without bodies)')
    .action(async (options: Common) => {
      await withTools(options, { routes: false }, async (t, limit) => {
        const listing = await listQuarantine(t, limit ? { limit } : {});
        process.stdout.write(
          options.json
            ? JSON.stringify(
                { ...listing, entries: listing.entries.map((e) => entryJson(e, false)) },
                null,
                2,
              ) + '\n'
            : formatListing(listing),
        );
      });
    });

  common(quarantine.command('show'))
    .description('one quarantined message: its headers and body')
    .argument('<id>', 'entry id (or a unique prefix of one, or its tracking id)')
    .option('--json', 'print it as JSON')
    .option('--raw', 'write only the exact bytes of the body')
    .action(async (id: string, options: Common & { raw?: boolean }, command: Command) => {
      await withTools(options, { routes: false }, async (t, limit) => {
        try {
          const entry = await showQuarantined(t, id, limit ? { limit } : {});
          if (options.raw) process.stdout.write(entry.body);
          else
            process.stdout.write(
              options.json
                ? JSON.stringify(entryJson(entry, true), null, 2) + '\n'
                : formatEntry(entry),
            );
        } catch (err) {
          if ((err as Error).name !== 'QuarantineError') throw err;
          warn((err as Error).message);
          fail(command);
        }
      });
    });

  common(quarantine.command('replay'))
    .description(
      'send quarantined messages (their original bytes) through the router again, lineage recorded; ' +
        'each is removed from the quarantine once its replay is confirmed',
    )
    .argument('[ids...]', 'entry ids (or unique prefixes, or tracking ids)')
    .option('--all', 'replay every entry')
    .requiredOption('--reason <text>', 'why (recorded with the message: itk-router track shows it)')
    .option('--by <name>', 'who is replaying (recorded; default: your user name)')
    .option(
      '--ignore-duplicate',
      'process it even if its (sender, tracking id) was already processed: a new attempt',
    )
    .option('--json', 'print the results as JSON')
    .action(
      async (
        ids: string[],
        options: Common & { all?: boolean; reason: string; by?: string; ignoreDuplicate?: boolean },
        command: Command,
      ) => {
        if (options.all && ids.length > 0) {
          warn('name entries or give --all, not both');
          return fail(command, 2);
        }
        if (!options.all && ids.length === 0) {
          warn('name the entries to replay (ids from `itk-router quarantine list`), or --all');
          return fail(command, 2);
        }
        await withTools(options, { routes: true }, async (t, limit) => {
          try {
            const results = await replayQuarantined(t, {
              selectors: ids,
              all: options.all ?? false,
              reason: options.reason,
              by: options.by?.trim() || defaultOperator(),
              ignoreDuplicate: options.ignoreDuplicate ?? false,
              ...(limit ? { limit } : {}),
            });
            process.stdout.write(
              options.json ? JSON.stringify(results, null, 2) + '\n' : formatReplay(results),
            );
            if (results.length === 0) process.stdout.write('the quarantine is empty\n');
            if (results.some((r) => r.status !== 'replayed')) fail(command);
          } catch (err) {
            if ((err as Error).name !== 'QuarantineError') throw err;
            warn((err as Error).message);
            fail(command);
          }
        });
      },
    );

  common(quarantine.command('purge'))
    .description('remove quarantined messages for good: the named ones, or all of them')
    .argument('[ids...]', 'entry ids to remove (default: every message on the queue)')
    .option('--yes', 'really remove them')
    .action(async (ids: string[], options: Common & { yes?: boolean }, command: Command) => {
      if (!options.yes) {
        warn(
          `this removes ${ids.length > 0 ? ids.join(', ') : 'every message on the quarantine queue'} ` +
            'for good (their bytes stay in the store): add --yes',
        );
        return fail(command);
      }
      await withTools(options, { routes: false }, async (t, limit) => {
        try {
          const result = await purgeQuarantine(t, { selectors: ids, ...(limit ? { limit } : {}) });
          process.stdout.write(
            result.ids
              ? `removed ${result.ids.length}: ${result.ids.join(', ')}\n`
              : `removed ${result.purged} ${result.purged === 1 ? 'message' : 'messages'} from ${t.names.quarantineQueue}\n`,
          );
        } catch (err) {
          if ((err as Error).name !== 'QuarantineError') throw err;
          warn((err as Error).message);
          fail(command);
        }
      });
    });
}
