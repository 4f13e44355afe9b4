/**
 * Router instances as child processes on a multi-instance Deployment (multi-instance.ts), for
 * tests that kill one with SIGKILL. The child runs `itk-router start` from a private build: the
 * sources compiled now into a tmp package folder (package.json, bin/, dist/, and links to
 * node_modules and the folders package.json ships), so the test runs the code under test, never
 * a stale dist/, and never rewrites the shared dist/ under another test's feet.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Deployment, LogLine } from './multi-instance.js';
import { PACKAGE_ROOT } from './router-process.js';

export interface RouterBuild {
  /** The package folder: bin/itk-router.js runs its dist/. */
  readonly root: string;
  readonly bin: string;
  remove(): void;
}

/** Compiles the sources into a tmp package folder (a few seconds). */
export async function buildRouter(): Promise<RouterBuild> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-router-build-'));
  const remove = () => fs.rmSync(root, { recursive: true, force: true });
  try {
    fs.copyFileSync(path.join(PACKAGE_ROOT, 'package.json'), path.join(root, 'package.json'));
    fs.mkdirSync(path.join(root, 'bin'));
    // A copy, not a link: the bin finds dist/ next to where it is, and Node follows links.
    const bin = path.join(root, 'bin', 'itk-router.js');
    fs.copyFileSync(path.join(PACKAGE_ROOT, 'bin', 'itk-router.js'), bin);
    // node_modules, and every folder the package ships (package.json `files`) but bin and dist.
    const { files } = JSON.parse(
      fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'),
    ) as { files: string[] };
    const shipped = files.filter((f) => f !== 'bin' && !f.startsWith('dist'));
    for (const folder of ['node_modules', ...shipped])
      fs.symlinkSync(path.join(PACKAGE_ROOT, folder), path.join(root, folder), 'dir');
    const tsc = path.join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const config = path.join(PACKAGE_ROOT, 'tsconfig.build.json');
    await promisify(execFile)(
      process.execPath,
      [tsc, '-p', config, '--outDir', path.join(root, 'dist')],
      {
        cwd: PACKAGE_ROOT,
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((err: Error & { stdout?: string }) => {
      // tsc still emits on a type error; refuse only a build that produced no router.
      if (!fs.existsSync(path.join(root, 'dist', 'src', 'tools', 'cli', 'main.js'))) throw err;
      console.warn(`multi-instance build: tsc reported errors:\n${err.stdout ?? err.message}`);
    });
    return { root, bin, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ChildInstance {
  readonly name: string;
  readonly child: ChildProcess;
  /** The router's JSON log lines so far (stdout), parsed. */
  readonly logs: readonly LogLine[];
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** SIGKILL: no chance to finish anything. Resolves on exit. */
  kill9(): Promise<Exit>;
  /** SIGTERM (graceful stop), SIGKILL after `timeoutMs`; resolves on exit. */
  terminate(timeoutMs?: number): Promise<Exit>;
}

/** Starts `itk-router start` on the deployment; resolves once /readyz answers 200. */
export async function startChildInstance(
  build: RouterBuild,
  d: Deployment,
  name: string,
  readyTimeoutMs = 20_000,
): Promise<ChildInstance> {
  const child = spawn(process.execPath, [build.bin, 'start', '--config', d.configFile], {
    cwd: path.dirname(d.configFile),
    env: { ...process.env, NODE_OPTIONS: '', ...d.env() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines.filter((l) => l.trim() !== '')) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ message: line });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let hasExited = false;
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
    }),
  );
  const kill9 = async () => {
    if (!hasExited) child.kill('SIGKILL');
    return exited;
  };

  const deadline = Date.now() + readyTimeoutMs;
  const failed = async (why: string) => {
    await kill9();
    return new Error(
      `router ${name} ${why}:\n${stderr}\n${logs.map((l) => JSON.stringify(l)).join('\n')}`,
    );
  };
  let port: number | undefined;
  while (port === undefined) {
    const started = logs.find((l) => l.message === 'itk-router started');
    if (started) port = Number(started.httpPort);
    else if (hasExited || Date.now() > deadline) throw await failed('did not start');
    else await sleep(25);
  }
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`, {
      headers: { connection: 'close' },
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined);
    if (ready?.status === 200) break;
    if (hasExited || Date.now() > deadline) throw await failed('never became ready');
    await sleep(50);
  }
  return {
    name,
    child,
    logs,
    stderr: () => stderr,
    exited,
    kill9,
    async terminate(timeoutMs = 15_000) {
      if (hasExited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
