/**
 * The console's stylesheet and scripts, shipped in the package (`assets/console/`) and read once
 * when the server is built: served from memory, nothing fetched from outside the router.
 */
import fs from 'node:fs';
import path from 'node:path';
import { packagePath } from '../../../00-common/package-root.js';

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
};

export function readAssets(dir = packagePath('assets', 'console')): ReadonlyMap<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of fs.readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) assets.set(name, { type, body: fs.readFileSync(path.join(dir, name)) });
  }
  return assets;
}
