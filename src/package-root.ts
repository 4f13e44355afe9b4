/** The folder holding itk-router's package.json, from src/ (ts-jest) or dist/src/ alike. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('itk-router: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  cached = dir;
  return dir;
}

/** A file shipped with the package (schemas/, config/, routes/, migrations/). */
export const packagePath = (...parts: string[]): string => path.join(packageRoot(), ...parts);
