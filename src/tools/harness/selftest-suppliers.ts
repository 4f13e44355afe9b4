/**
 * The self-test's systems under test for the supplier pack: for each end point that acknowledges
 * for itself, an in-process simulator (`src/tools/simulator`) holding one plan it owns, optionally with
 * a deliberate fault; and the `share-plan` action, done as that supplier's operator would: the
 * plan's notification published as the supplier's broker user.
 */
import fs from 'node:fs';
import path from 'node:path';
import { urlAs, withChannel } from '../sandbox/broker-client.js';
import {
  faultsFromFlags,
  startSimulator,
  type FaultFlags,
  type FaultRule,
  type RunningSimulator,
} from '../simulator/index.js';
import type { Bindings } from './bindings.js';
import { HarnessError } from './harness-error.js';
import type { ActionHook } from './run-context.js';
import { newSeedPlan, seedNotification, type SeedPlan } from './selftest-plan.js';
import type { Target } from './target.js';

/** The faults `--faulty-simulator` knows: the simulator's own fault flags. */
export const SIMULATOR_FAULTS = [
  'ack-acks',
  'stale-version',
  'drop',
  'duplicate-answers',
  'nack:<code>',
  'delay:<duration>',
];

export function faultRules(fault: string | undefined): FaultRule[] {
  if (fault === undefined) return [];
  const [name, arg] = fault.split(/:(.*)/s);
  const flags: FaultFlags | undefined =
    name === 'ack-acks'
      ? { ackAcks: true }
      : name === 'stale-version'
        ? { staleVersion: true }
        : name === 'drop'
          ? { drop: true }
          : name === 'duplicate-answers'
            ? { duplicateAnswers: true }
            : name === 'nack' && arg
              ? { nack: arg }
              : name === 'delay' && arg
                ? { delay: arg }
                : undefined;
  if (!flags)
    throw new HarnessError(
      `--faulty-simulator ${fault}: use one of ${SIMULATOR_FAULTS.join(', ')}`,
    );
  try {
    return faultsFromFlags(flags);
  } catch (err) {
    throw new HarnessError(`--faulty-simulator ${fault}: ${(err as Error).message}`);
  }
}

export interface SupplierLab {
  /** Starts the simulator of the supplier bound in `bindings`; gives back how to stop it. */
  prepare(bindings: Bindings): Promise<() => Promise<void>>;
  readonly actions: Readonly<Record<string, ActionHook>>;
  /** Where each simulator's log was written. */
  readonly logs: readonly string[];
}

export function supplierLab(
  target: Target,
  workDir: string,
  logDir: string,
  faults: readonly FaultRule[],
): SupplierLab {
  let current: { plan: SeedPlan; user: string } | undefined;
  const logs: string[] = [];
  const planTypes = target.routes.careplans?.planTypes ?? [];
  return {
    logs,
    async prepare(bindings) {
      const supplier = bindings.underTest;
      const peer = bindings.roles.get('peer');
      if (!supplier || !peer)
        throw new HarnessError('the supplier pack binds no supplier or no peer');
      const plan = newSeedPlan(supplier.address, supplier.identity, planTypes);
      const plansDir = path.join(workDir, `plans-${supplier.id}`);
      fs.mkdirSync(plansDir, { recursive: true });
      fs.writeFileSync(path.join(plansDir, 'plan.xml'), seedNotification(plan, peer.address).xml);
      const logFile = path.join(logDir, `simulator-${supplier.id}.log`);
      fs.mkdirSync(logDir, { recursive: true });
      const log = fs.createWriteStream(logFile, { flags: 'w' });
      logs.push(logFile);
      const simulator: RunningSimulator = await startSimulator({
        endpointId: supplier.id,
        amqpUrl: target.config.amqp.url,
        prefix: target.names.prefix,
        routes: target.routes,
        user: supplier.user,
        password: target.passwordOf(supplier.user),
        address: supplier.address,
        plans: plansDir,
        faults,
        log: (line) => log.write(`${new Date().toISOString()} ${line}\n`),
      });
      current = { plan, user: supplier.user };
      return async () => {
        current = undefined;
        await simulator.stop();
        await new Promise((resolve) => log.end(resolve));
      };
    },
    actions: {
      'share-plan': async (request) => {
        if (!current) throw new HarnessError('share-plan: no simulated supplier is running');
        const to = request.with.to ?? request.bindings.roles.get('peer')?.address;
        if (!to) throw new HarnessError('share-plan: no address to share the plan with (with.to)');
        const { trackingId, xml } = seedNotification(current.plan, to);
        const url = urlAs(target.config.amqp.url, current.user, target.passwordOf(current.user));
        const user = current.user;
        await withChannel(url, async (channel) => {
          channel.publish(target.names.inboundExchange, '', Buffer.from(xml, 'utf8'), {
            persistent: true,
            contentType: 'application/xml',
            userId: user,
            messageId: trackingId,
          });
          await channel.waitForConfirms();
        });
      },
    },
  };
}
