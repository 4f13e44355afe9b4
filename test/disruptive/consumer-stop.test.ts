/**
 * The graceful stop, at the transport level, made deterministic: QueueConsumer.stop() waits for
 * the handlers in flight, which all answer `ack` in the same turn, then closes the channel. On
 * RabbitMQ 3.10 quorum queues, acks sent in a burst just before the channel closes can be dropped
 * by the broker (rabbitmq/rabbitmq-server#10327: above ~32 pending settles, the rest are lost with
 * the channel), so those messages come back with x-delivery-count + 1. The router's duplicate
 * check absorbs them on the next start, but each costs a delivery attempt and re-sends the
 * router's earlier answers to the sender. This test holds the consumer to the contract: a message
 * the router finished before stopping must not come back.
 */
import { QueueConsumer } from '../../src/router/02-transport/consumer.js';
import { useRouterBroker } from '../support/router-broker.js';
import { deferred, sleep, waitFor } from '../support/wait-for.js';
import { disruptive, drain, INBOUND_QUEUE, queueDepth, report } from './helpers.js';

const IN_FLIGHT = 100;
const ROUNDS = 5;

disruptive('QueueConsumer.stop() on a quorum queue', () => {
  const broker = useRouterBroker();

  test('the acks of the deliveries finished during stop() stick: none comes back', async () => {
    // The broker drops them only when its queue client is behind, so try a few rounds.
    const cameBack: number[] = [];
    for (let round = 0; round < ROUNDS && !cameBack.some((n) => n > 0); round++) {
      cameBack.push(await stopWithBurstOfAcks());
    }
    report('consumer stop (quorum queue)', { acksPerRound: IN_FLIGHT, cameBackPerRound: cameBack });
    expect(cameBack.every((n) => n === 0)).toBe(true);
  });

  /** IN_FLIGHT deliveries held, stop() called, all answered `ack` at once; returns how many came back. */
  async function stopWithBurstOfAcks(): Promise<number> {
    const connection = await broker.connectRouter();
    const release = deferred();
    let held = 0;
    const consumer = new QueueConsumer(connection, {
      queue: INBOUND_QUEUE,
      prefetch: IN_FLIGHT,
      handler: async () => {
        held++;
        await release.promise;
        return 'ack';
      },
    });
    await consumer.start();
    for (let i = 0; i < IN_FLIGHT; i++) broker.publishInbound(`m${i}`);
    await broker.client.channel.waitForConfirms();
    await waitFor(() => held === IN_FLIGHT, `${IN_FLIGHT} deliveries in flight`);

    const stopping = consumer.stop(); // cancels, then waits for the handlers
    await sleep(50);
    release.resolve(); // every handler answers `ack` now
    await stopping;
    await connection.close();
    await sleep(300);
    const back = await drain(broker.client.channel, INBOUND_QUEUE);
    expect(await queueDepth(broker.client.channel, INBOUND_QUEUE)).toBe(0);
    return back.length;
  }
});
