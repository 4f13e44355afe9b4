/**
 * What an assurance team asks of evidence first: which contract it checked against, which router
 * (version, commit, build) and harness, on which Node, RabbitMQ and store, when and where.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot, packageVersion } from '../../router/00-common/package-root.js';

/** The version of docs/contract.md the packs cite; the report names it (a test keeps it in step). */
export const CONTRACT_VERSION = 'contract 2026-12';

/** A piece of software as the report names it. */
export interface SoftwareFacts {
  readonly version: string;
  /** The git commit it was built from, when known. */
  readonly commit?: string;
  /** When its build was made (its compiled files' time), or that it ran from source. */
  readonly build?: string;
}

export interface RunEnvironment {
  readonly contract: string;
  readonly harness: SoftwareFacts;
  /** The router under test: known in the self-test; otherwise as stated with --router-version. */
  readonly router?: SoftwareFacts | { readonly stated: string };
  /** The store the router under test used, when the harness knows it (the self-test). */
  readonly store?: string;
  readonly node: string;
  /** The broker's product and version, as it announced itself on connecting. */
  readonly broker?: string;
  readonly host: string;
  readonly platform: string;
}

let own: SoftwareFacts | undefined;

/** This package: its version, the commit of its checkout (when it is one) and its build time. */
export function packageFacts(): SoftwareFacts {
  if (own) return own;
  const root = packageRoot();
  const version = packageVersion();
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    }).trim();
    const dirty = execFileSync(
      'git',
      ['-C', root, 'status', '--porcelain', '--untracked-files=no'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 2000,
      },
    );
    if (dirty.trim()) commit += ' (with uncommitted changes)';
  } catch {
    commit = undefined; // an installed package: no checkout
  }
  const self = fileURLToPath(import.meta.url);
  const build = self.includes(`${path.sep}dist${path.sep}`)
    ? `built ${fs.statSync(self).mtime.toISOString()}`
    : 'run from source (not built)';
  return (own = { version, ...(commit ? { commit } : {}), build });
}

/** The broker's `product version` from a connection's server properties. */
export function brokerOf(serverProperties: unknown): string | undefined {
  const p = serverProperties as { product?: unknown; version?: unknown } | undefined;
  if (!p?.version) return undefined;
  const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
  return `${p.product ? text(p.product) : 'broker'} ${text(p.version)}`;
}

export function runEnvironment(facts: {
  broker?: string;
  router?: RunEnvironment['router'];
  store?: string;
}): RunEnvironment {
  return {
    contract: CONTRACT_VERSION,
    harness: packageFacts(),
    ...(facts.router ? { router: facts.router } : {}),
    ...(facts.store ? { store: facts.store } : {}),
    node: process.version,
    ...(facts.broker ? { broker: facts.broker } : {}),
    host: os.hostname(),
    platform: `${os.type()} ${os.release()} (${os.arch()})`,
  };
}
