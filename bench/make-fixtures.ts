/**
 * Writes the benchmark messages to test/fixtures/bench/ (deterministic; rerun after changing
 * bench/fixtures.ts): node dist/bench/make-fixtures.js
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_FIXTURES, FIXTURE_FILES, generatedFixtures, type FixtureSize } from './fixtures.js';

const folder = BENCH_FIXTURES();
fs.mkdirSync(folder, { recursive: true });
const texts = generatedFixtures();
for (const size of Object.keys(FIXTURE_FILES) as FixtureSize[]) {
  const file = path.join(folder, FIXTURE_FILES[size]);
  fs.writeFileSync(file, texts[size]);
  console.log(`${path.relative(process.cwd(), file)}: ${Buffer.byteLength(texts[size])} bytes`);
}
