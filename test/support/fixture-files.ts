/** Reading the project's own fixture files (test/fixtures), never ../shared. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
);

export const fixture = (name: string): Buffer => fs.readFileSync(path.join(FIXTURES, name));

export const fixtureNames = (folder: string): string[] =>
  fs
    .readdirSync(path.join(FIXTURES, folder))
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => `${folder}/${f}`);
