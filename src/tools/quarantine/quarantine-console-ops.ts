/**
 * The console's quarantine (src/router/10-ops/console/quarantine-console.ts) over the same operations
 * as `itk-router quarantine`: the console only lists, replays one entry and purges one entry.
 * `itk-router start` gives it to the router; the router's runtime never imports the tools.
 */
import type {
  QuarantineConsole,
  QuarantineContext,
  QuarantineOutcome,
} from '../../router/10-ops/console/quarantine-console.js';
import {
  listQuarantine,
  purgeQuarantine,
  QuarantineError,
  replayQuarantined,
  type QuarantineTools,
} from './quarantine-ops.js';

const notFound = (err: unknown): QuarantineOutcome => {
  if (err instanceof QuarantineError) return { status: 'not-found', reason: err.message };
  throw err;
};

/** `tools()` is asked on every call: the routes (whose sender a broker user is) may have changed. */
export function quarantineConsole(tools: () => QuarantineTools): QuarantineConsole {
  return {
    list: async () => {
      const listing = await listQuarantine(tools());
      return { depth: listing.depth, entries: listing.entries };
    },
    replay: async (id, reason, by) => {
      try {
        const [result] = await replayQuarantined(tools(), { selectors: [id], reason, by });
        if (!result) return { status: 'not-found', reason: `no quarantine entry ${id}` };
        return result.status === 'replayed'
          ? { status: 'replayed', trackAs: result.trackAs }
          : { status: result.status, reason: result.reason };
      } catch (err) {
        return notFound(err);
      }
    },
    purge: async (id) => {
      try {
        const { purged } = await purgeQuarantine(tools(), { selectors: [id] });
        return purged > 0
          ? { status: 'purged' }
          : { status: 'not-found', reason: `no quarantine entry ${id}` };
      } catch (err) {
        return notFound(err);
      }
    },
  };
}

/** What `itk-router start` gives the router (StartOptions.quarantine): the console's quarantine. */
export const quarantineConsoleFor = (r: QuarantineContext): QuarantineConsole =>
  quarantineConsole(() => ({
    amqpUrl: r.amqpUrl,
    names: r.names,
    store: r.store,
    table: r.table(),
  }));
