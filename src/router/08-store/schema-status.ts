/**
 * Where a store's schema stands against the migrations this code ships: what is applied, what
 * would run, and whether a newer router has already migrated it (then this code must not use it).
 */
import type { MigrationFile } from './migration-files.js';
import { StoreError } from './store-error.js';

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
}

export interface SchemaStatus {
  /** Whether the store has a migrations table at all (false: nothing was ever migrated there). */
  readonly exists: boolean;
  readonly applied: readonly AppliedMigration[];
  /** Shipped migrations not applied yet, in the order `migrate` runs them. */
  readonly pending: readonly MigrationFile[];
  /** Applied migrations this code does not ship: a newer router migrated the store. */
  readonly unknown: readonly AppliedMigration[];
  /** The newest migration this code ships. */
  readonly newestKnown: string | undefined;
}

export function schemaStatus(
  files: readonly MigrationFile[],
  applied: readonly AppliedMigration[] | undefined,
): SchemaStatus {
  const done = new Set((applied ?? []).map((a) => a.version));
  const shipped = new Set(files.map((f) => f.version));
  return {
    exists: applied !== undefined,
    applied: applied ?? [],
    pending: files.filter((f) => !done.has(f.version)),
    unknown: (applied ?? []).filter((a) => !shipped.has(a.version)),
    newestKnown: files.at(-1)?.name,
  };
}

/** The refusal for a store a newer router has migrated, naming both versions and the fix. */
export function schemaNewerError(status: SchemaStatus): StoreError | undefined {
  const newest = status.unknown.at(-1);
  if (!newest) return undefined;
  return new StoreError(
    'schema-newer',
    `the store's schema is newer than this itk-router: it has migration ${newest.name}, ` +
      `this itk-router knows migrations up to ${status.newestKnown ?? '(none)'}. ` +
      'Upgrade itk-router to the version that applied it, or restore the store from the backup ' +
      'taken before that upgrade (docs/operations.md, "Upgrades and rollback")',
  );
}

/** Refuses (throws) a store a newer router has migrated. */
export function refuseNewerSchema(status: SchemaStatus): void {
  const err = schemaNewerError(status);
  if (err) throw err;
}
