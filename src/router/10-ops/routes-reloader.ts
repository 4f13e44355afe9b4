/**
 * Reloads the routes on demand (SIGHUP) and when the files change: the new snapshot is swapped in
 * whole, new end points get their queues first, and an invalid folder is refused with the reason
 * logged while the router keeps its last good routes.
 */
import fs from 'node:fs';
import type { RouterConfig } from '../01-config/router-config.js';
import type { LiveRoutes } from '../05-routing/live-routes.js';
import { loadRoutesSnapshot } from '../05-routing/load-snapshot.js';
import { diffRoutes, formatDiff, isEmptyDiff } from '../05-routing/routes-diff.js';
import type { Logger } from '../00-common/logger.js';

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
