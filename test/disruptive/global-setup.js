/** Builds dist/ once before the disruptive suite: its tests run bin/itk-router.js as a child process. */
import { execFileSync } from 'node:child_process';

export default function globalSetup() {
  const started = Date.now();
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  process.stdout.write(`\ndisruptive suite: dist/ built in ${Date.now() - started} ms\n`);
}
