/**
 * Messages waiting on the router's inbound queue and on each end point's queue, asked of the
 * broker (passive declare) at each scrape of /metrics: `itk_inbound_backlog`,
 * `itk_endpoint_backlog{endpoint}`. A queue the broker does not know (deleted by hand) closes
 * the channel it was asked on (404): it is left out, and the rest are asked on a new channel.
 */
import type { Channel } from '../02-transport/open-connection.js';
import type { TopologyNames } from '../02-transport/names.js';

export interface Backlog {
  readonly inbound?: number;
  readonly endpoints: Readonly<Record<string, number>>;
}

export async function readBacklog(
  openChannel: () => Promise<Channel>,
  names: TopologyNames,
  endpointIds: Iterable<string>,
): Promise<Backlog> {
  let channel: Channel | undefined;
  const count = async (queue: string): Promise<number | undefined> => {
    channel ??= await openChannel();
    try {
      return (await channel.checkQueue(queue)).messageCount;
    } catch {
      channel = undefined; // the broker closed it
      return undefined;
    }
  };
  try {
    const inbound = await count(names.routerInboundQueue);
    const endpoints: Record<string, number> = {};
    for (const id of endpointIds) {
      const n = await count(names.endpointQueue(id));
      if (n !== undefined) endpoints[id] = n;
    }
    return { ...(inbound === undefined ? {} : { inbound }), endpoints };
  } finally {
    await (channel as Channel | undefined)?.close().catch(() => undefined);
  }
}
