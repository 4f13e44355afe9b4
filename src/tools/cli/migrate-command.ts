/**
 * `itk-router migrate [--dry-run]`: what the store named by the config (SQLite or PostgreSQL)
 * has applied, which migrations would run, then runs them. `--dry-run` only looks: it creates
 * nothing, not even the store. A store a newer router migrated is refused (exit 1) with the fix.
 * `start` still migrates by itself; this is for upgrading first and seeing what an upgrade does
 * (docs/operations.md, "Upgrades and rollback").
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadRouterConfig } from '../../router/01-config/index.js';
import type { MessageStore } from '../../router/08-store/message-store.js';
import { readMigrations, bundledMigrationsDir } from '../../router/08-store/migration-files.js';
import { openStoreAsIs, storeLabel } from '../../router/08-store/open-store.js';
import {
  schemaNewerError,
  schemaStatus,
  type SchemaStatus,
} from '../../router/08-store/schema-status.js';
import { setExitCode } from './exit-status.js';

/** The lines `migrate` prints about where the store stands. */
export function formatSchemaStatus(label: string, status: SchemaStatus, dryRun: boolean): string {
  const last = status.applied.at(-1);
  const lines = [
    `store     ${label}`,
    `schema    ${last ? `${last.name} (${status.applied.length} migration(s) applied)` : 'empty (no migration applied)'}`,
    `code      knows migrations up to ${status.newestKnown ?? '(none)'}`,
  ];
  if (status.pending.length === 0) lines.push('up to date: nothing to run');
  else {
    lines.push(`${dryRun ? 'would run' : 'to run'}:`);
    for (const m of status.pending) lines.push(`          ${m.name}`);
  }
  return lines.join('\n') + '\n';
}

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description("list the store's pending schema migrations, then run them (--dry-run: only list)")
    .option('-c, --config <file>', 'router config (for the store)', 'config/router.yaml')
    .option('--dry-run', 'list what would run, change nothing')
    .action(async (options: { config: string; dryRun?: boolean }, command: Command) => {
      const config = loadRouterConfig(options.config, process.env);
      const label = storeLabel(config.store);
      const dryRun = options.dryRun === true;
      const out = (text: string): void => void process.stdout.write(text);
      const refuse = (message: string) => {
        process.stderr.write(`itk-router migrate: ${message}\n`);
        setExitCode(command, 1);
      };
      // A dry run on a SQLite file that is not there: everything would run, nothing is created.
      if (dryRun && config.store.kind === 'sqlite' && config.store.path !== ':memory:') {
        const file = path.resolve(config.store.path);
        if (!fs.existsSync(file)) {
          const files = readMigrations(bundledMigrationsDir('sqlite'));
          out(`no store at ${file} yet: it would be created\n`);
          out(formatSchemaStatus(label, schemaStatus(files, undefined), true));
          out('dry run: nothing changed\n');
          return;
        }
      }
      const store: MessageStore = await openStoreAsIs(config.store);
      try {
        const status = await store.schemaStatus();
        out(formatSchemaStatus(label, status, dryRun));
        const newer = schemaNewerError(status);
        if (newer) return refuse(newer.message);
        if (dryRun) {
          out('dry run: nothing changed\n');
          return;
        }
        if (status.pending.length === 0) return;
        // Another instance may migrate at the same moment: each file still runs once.
        const applied = await store.migrate((name, ms) => out(`applied   ${name} (${ms} ms)\n`));
        out(`done: ${applied.length} migration(s) applied\n`);
      } finally {
        await store.close();
      }
    });
}
