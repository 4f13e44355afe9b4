/** Where the installed package lives, so bundled files (schemas/, config/, routes/, migrations/) are found. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'itk-router';
let cached: string | undefined;

function readPackageName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}

/**
 * The folder holding this package's package.json, found by walking up from this module
 * (works from `src/` under ts-jest and from `dist/src/` when built).
 */
export function packageRoot(): string {
  if (cached) return cached;
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === PACKAGE_NAME)
      return (cached = folder);
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`cannot find the ${PACKAGE_NAME} package root`);
    folder = parent;
  }
}

/** A file shipped with the package. */
export const packagePath = (...parts: string[]): string => join(packageRoot(), ...parts);

/** The version in the package's own package.json (what `npm install` installed). */
export const packageVersion = (): string =>
  (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
