/**
 * Reads a folder of numbered, append-only migration files (`NNN-name.sql`), for any dialect.
 * The checksum lets a runner refuse an applied migration that was edited afterwards.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packagePath } from '../00-common/package-root.js';
import { StoreError } from './store-error.js';

export interface MigrationFile {
  readonly version: number;
  /** The file name without `.sql`, e.g. `001-init`. */
  readonly name: string;
  readonly sql: string;
  /** sha256 of the text with line endings normalised, so a CRLF checkout does not count as an edit. */
  readonly checksum: string;
}

const FILE_NAME = /^(\d{3})-[a-z0-9]+(?:-[a-z0-9]+)*\.sql$/;

/** The migrations shipped with the package for a dialect: `<package root>/migrations/<dialect>`. */
export const bundledMigrationsDir = (dialect: 'sqlite' | 'postgres'): string =>
  packagePath('migrations', dialect);

/** Every migration in `dir`, by version. Other files are ignored; a malformed `.sql` name is refused. */
export function readMigrations(dir: string): MigrationFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.sql'));
  } catch (cause) {
    throw new StoreError('migration-failed', `cannot read migrations in ${dir}`, false, { cause });
  }
  const files = names.map((fileName) => {
    const match = FILE_NAME.exec(fileName);
    if (!match?.[1]) {
      throw new StoreError('migration-failed', `${dir}: ${fileName} is not named NNN-name.sql`);
    }
    const sql = fs.readFileSync(path.join(dir, fileName), 'utf8');
    const checksum = createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
    return { version: Number(match[1]), name: fileName.slice(0, -4), sql, checksum };
  });
  files.sort((a, b) => a.version - b.version);
  files.forEach((f, i) => {
    const previous = files[i - 1];
    if (previous && previous.version === f.version) {
      throw new StoreError(
        'migration-failed',
        `${dir}: ${previous.name} and ${f.name} share a number`,
      );
    }
  });
  return files;
}
