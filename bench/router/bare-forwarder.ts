/**
 * The reference: a bare amqplib forwarder with no XML work. Consume the router's inbound queue
 * (manual acks, prefetch 100) → publish the same bytes to the destination end point's queue on a
 * confirm channel → ack the inbound message once confirmed. Run as a child process by the bench.
 */
import { connect } from 'amqplib';

const [url, inbound, exchange, routingKey] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const connection = await connect(url, { noDelay: true });
connection.on('error', () => undefined);
const consume = await connection.createChannel();
const publish = await connection.createConfirmChannel();
consume.on('error', () => undefined);
publish.on('error', () => undefined);
await consume.prefetch(100);
await consume.consume(inbound, (msg) => {
  if (!msg) return;
  publish.publish(
    exchange,
    routingKey,
    msg.content,
    { persistent: true, headers: msg.properties.headers ?? {} },
    (err) => {
      if (err) consume.nack(msg, false, true);
      else consume.ack(msg);
    },
  );
});
process.stdout.write('ready\n');
const stop = () => connection.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
