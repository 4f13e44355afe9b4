#!/usr/bin/env node
// The itk-router command. The TypeScript is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/tools/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('itk-router: dist/ is missing; run `npm run build` (npm install does it) first.');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
