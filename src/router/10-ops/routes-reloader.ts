/**
 * Reloads the routes on demand (SIGHUP) and when the files change: the new snapshot is swapped in
 * whole, new end points get their queues first, and an invalid folder is refused with the reason
 * logged while the router keeps its last good routes. A follower (the web-service delivery
 * workers) reads the new routes before the swap, may refuse them, and follows them after it.
 */
import fs from 'node:fs';
import type { RouterConfig } from '../01-config/router-config.js';
import type { LiveRoutes, RoutesSnapshot } from '../05-routing/live-routes.js';
import { loadRoutesSnapshot } from '../05-routing/load-snapshot.js';
import { diffRoutes, formatDiff, isEmptyDiff } from '../05-routing/routes-diff.js';
import type { Logger } from '../00-common/logger.js';

/** Something that must follow the routes (the web-service delivery workers). */
export interface RoutesFollower {
  /** Reads `next` before it is in force: a problem refuses it; else `apply` runs after the swap. */
  prepare(next: RoutesSnapshot): { readonly problem: string } | { apply(): Promise<void> };
}

export interface RoutesReloader {
  /** Reloads now; resolves true when the new routes are in force. */
  reload(why: string): Promise<boolean>;
  close(): void;
}

export function createRoutesReloader(options: {
  config: RouterConfig;
  live: LiveRoutes;
  log: Logger;
  /** Declares the queues of end points that the new routes add. */
  declareEndpoints: (ids: readonly string[]) => Promise<void>;
  follower?: RoutesFollower;
  watch: boolean;
}): RoutesReloader {
  const { config, live, log } = options;
  let running: Promise<boolean> = Promise.resolve(true);
  const reloadNow = async (why: string): Promise<boolean> => {
    let next;
    try {
      next = loadRoutesSnapshot(config);
    } catch (err) {
      log.error('routes reload refused: keeping the last good routes', {
        why,
        reason: (err as Error).message,
      });
      return false;
    }
    const prepared = options.follower?.prepare(next);
    if (prepared && 'problem' in prepared) {
      next.validator.dispose();
      log.error('routes reload refused: keeping the last good routes', {
        why,
        reason: prepared.problem,
      });
      return false;
    }
    const diff = diffRoutes(live.current.routes, next.routes);
    try {
      await options.declareEndpoints(diff.endpoints.added);
    } catch (err) {
      next.validator.dispose();
      log.error(
        'routes reload failed declaring new end point queues: keeping the last good routes',
        { why, reason: (err as Error).message },
      );
      return false;
    }
    live.swap(next);
    log.info(isEmptyDiff(diff) ? 'routes reloaded: no changes' : 'routes reloaded', {
      why,
      changes: formatDiff(diff).trim().split('\n'),
    });
    // The routes are in force; a follower that fails part-way says so (and tries again next time).
    await prepared?.apply().catch((err: unknown) =>
      log.error('routes reloaded, but not everything follows them', {
        why,
        reason: (err as Error).message,
      }),
    );
    return true;
  };
  const reload = (why: string) => (running = running.then(() => reloadNow(why)));

  let timer: NodeJS.Timeout | undefined;
  let watcher: fs.FSWatcher | undefined;
  if (options.watch) {
    try {
      watcher = fs.watch(config.routes, () => {
        clearTimeout(timer);
        timer = setTimeout(() => void reload('routes folder changed'), 300);
      });
      watcher.on('error', (err) =>
        log.warn('cannot watch the routes folder', { reason: err.message }),
      );
    } catch (err) {
      log.warn('cannot watch the routes folder; reload with SIGHUP', {
        reason: (err as Error).message,
      });
    }
  }
  return {
    reload,
    close: () => {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
