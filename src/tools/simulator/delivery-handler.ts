/**
 * The AMQP side of one delivery: read (validate) it, ask the pure core what to do, wait out a
 * delay fault, publish each answer with confirms, then settle: ack once every answer is
 * confirmed, requeue when publishing failed or the simulator stopped mid-delay (the state is then
 * left as it was, so the message is handled afresh when it comes back).
 */
import type { InboundMessage, Settlement } from '../../router/02-transport/index.js';
import type { Validator } from '../../router/04-validation/create-validator.js';
import { describeReceived, describeSent } from './describe.js';
import { formatDuration } from './duration.js';
import type { FaultRule } from './faults.js';
import type { Outgoing } from './outgoing.js';
import type { SimulatorState } from './plan-store.js';
import { readReceived } from './received.js';
import { respond } from './respond.js';
import type { SimulatorSelf } from './self.js';
import type { ReceivedRecord, SentRecord } from './simulator-options.js';

export interface DeliveryDeps {
  readonly validator: Validator;
  readonly self: SimulatorSelf;
  readonly faults: readonly FaultRule[];
  readonly now: () => Date;
  readonly log: (line: string) => void;
  readonly publish: (o: Outgoing) => Promise<void>;
  /** Aborted when the simulator stops. */
  readonly signal: AbortSignal;
  readonly received: ReceivedRecord[];
  readonly sent: SentRecord[];
  readonly state: { current: SimulatorState };
  /** Called after each message is handled (the count stop). */
  readonly handled: () => void;
}

/** Resolves after `ms`, or false at once if `signal` is (or becomes) aborted. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function createDeliveryHandler(deps: DeliveryDeps) {
  return async (delivery: InboundMessage): Promise<Settlement> => {
    if (deps.signal.aborted) return 'requeue';
    const message = readReceived(delivery.body, deps.validator);
    const response = respond(message, deps.state.current, deps.faults, {
      self: deps.self,
      now: deps.now(),
    });
    const line = describeReceived(message);
    deps.log(line);
    if (response.faults.length > 0) deps.log(`  faults: ${response.faults.join(', ')}`);
    deps.received.push({
      at: deps.now(),
      message,
      ...(message.envelope ? { trackingId: message.envelope.trackingId } : {}),
      line,
      faults: response.faults,
      notes: response.notes,
    });
    if (response.delayMs > 0) {
      deps.log(`  waits ${formatDuration(response.delayMs)} before answering`);
      if (!(await pause(response.delayMs, deps.signal))) {
        deps.log('  stopped while waiting: the message goes back to the queue');
        return 'requeue';
      }
    }
    try {
      for (const o of response.outgoing) {
        await deps.publish(o);
        const sentLine = describeSent(o);
        deps.sent.push({ ...o, at: deps.now(), line: sentLine });
        deps.log(sentLine);
      }
    } catch (err) {
      deps.log(`  could not send (${(err as Error).message}): the message goes back to the queue`);
      return 'requeue';
    }
    for (const note of response.notes) deps.log(`  ${note}`);
    deps.state.current = response.state;
    deps.handled();
    return 'ack';
  };
}
