/**
 * The parts of the router's per-message work, each measured alone in this process, for the
 * sum-of-parts line of `npm run bench`: the validator (µs of CPU per 3 KB notification) and the
 * store (the calls the pipeline makes per notification, 100 in flight; CPU of this process, so
 * PostgreSQL's own server work is not in it, as it is not in the router's figure either).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createValidator } from '../../src/router/04-validation/create-validator.js';
import { openPostgresStore } from '../../src/router/08-store/postgres/open-postgres-store.js';
import { openSqliteStore } from '../../src/router/08-store/sqlite/open-sqlite-store.js';
import type { MessageStore } from '../../src/router/08-store/message-store.js';
import { yieldToEventLoop } from '../common.js';
import { drive } from '../store-work.js';

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** CPU µs per validation of `bytes`, after a warm-up; the median of 3 runs of `count`. */
export async function validatorCpuUs(bytes: Uint8Array, count = 1500): Promise<number> {
  const validator = createValidator();
  try {
    const first = validator.validate(bytes);
    if (!first.valid) throw new Error(`bench notification is not valid: ${JSON.stringify(first)}`);
    const run = async (n: number): Promise<number> => {
      const start = cpuNow();
      for (let i = 0; i < n; i++) {
        validator.validate(bytes);
        if (i % 16 === 15) await yieldToEventLoop();
      }
      return (cpuNow() - start) / n;
    };
    await run(300);
    const runs = [await run(count), await run(count), await run(count)].sort((a, b) => a - b);
    return runs[1]!;
  } finally {
    validator.dispose();
  }
}

/** CPU µs per message of the store's work for one notification, 100 in flight. */
export async function storeCpuUs(store: MessageStore, body: Buffer, count = 3000): Promise<number> {
  await store.migrate();
  await drive(store, body, 500, 100);
  const start = cpuNow();
  await drive(store, body, count, 100);
  return (cpuNow() - start) / count;
}

export async function sqliteStoreCpuUs(body: Buffer): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-bench-parts-'));
  const store = await openSqliteStore(path.join(dir, 'store.sqlite'));
  try {
    return await storeCpuUs(store, body);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function postgresStoreCpuUs(url: string, body: Buffer): Promise<number> {
  const schema = `itk_bench_${randomUUID().replace(/-/g, '')}`;
  const store = await openPostgresStore(url, { schema });
  try {
    return await storeCpuUs(store, body);
  } finally {
    await store.close();
    await dropSchema(url, schema);
  }
}

/** A schema of its own on `url` for one router run: its store URL, and how to drop it. */
export async function postgresSchema(
  url: string,
): Promise<{ storeUrl: string; drop: () => Promise<void> }> {
  const schema = `itk_bench_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return { storeUrl: u.toString(), drop: () => dropSchema(url, schema) };
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}
