/** The options of {@link startSimulator} and what it hands back. */
import type { Routes } from '../../router/01-config/index.js';
import type { Validator } from '../../router/04-validation/create-validator.js';
import type { FaultRule } from './faults.js';
import type { Outgoing } from './outgoing.js';
import type { HeldPlan } from './plan-store.js';
import type { Received } from './received.js';

export interface SimulatorOptions {
  /** The end point to simulate: its id in the routes (it consumes `<prefix>.endpoint.<id>`). */
  readonly endpointId: string;
  /** The broker URL including the vhost (user and password are replaced by `user` / `password`). */
  readonly amqpUrl: string;
  /** The contract names' prefix; default `itk`. */
  readonly prefix?: string;
  /** The routes (loaded), or their folder: the end point's addresses, identities, plan types. */
  readonly routes: Routes | string;
  /** The broker user to connect and publish as; default the end point's first identity. */
  readonly user?: string;
  /** Its password (never defaulted: not the user name). */
  readonly password: string;
  /** The address it answers from when a message names none of its own; default its first exact address. */
  readonly address?: string;
  /** Its ITK identity; default derived from its address (`urn:nhs-uk:identity:…`). */
  readonly identity?: string;
  /** Plans it holds at the start: a folder of plan files (`--plans`), or plans already read. */
  readonly plans?: string | readonly HeldPlan[];
  /** Fault rules, applied in order (see faults.ts; fault-script.ts reads flags and YAML). */
  readonly faults?: readonly FaultRule[];
  /** Stop after receiving this many messages. */
  readonly count?: number;
  /** Stop after this many milliseconds. */
  readonly forMs?: number;
  /** Receives one line per message received and sent (and notes); default: discarded. */
  readonly log?: (line: string) => void;
  /** A validator to share between simulators (one is made, and disposed on stop, otherwise). */
  readonly validator?: Validator;
  /** Failed broker connection attempts before `startSimulator` gives up; default 5. */
  readonly connectRetries?: number;
  /** The clock (acks' timestamps); default `new Date()`. */
  readonly now?: () => Date;
}

/** A message the simulator received and what it made of it. */
export interface ReceivedRecord {
  readonly at: Date;
  readonly message: Received;
  /** The tracking id, when the message was a readable Distribution Envelope. */
  readonly trackingId?: string;
  readonly line: string;
  /** The faults applied to it, by name. */
  readonly faults: readonly string[];
  readonly notes: readonly string[];
}

/** A message the simulator published (confirmed by the broker). */
export interface SentRecord extends Outgoing {
  readonly at: Date;
  readonly line: string;
}

/** Why a simulator stopped. */
export type StopReason = 'count' | 'time' | 'stopped';

export interface RunningSimulator {
  readonly endpointId: string;
  /** The broker user it connected as. */
  readonly user: string;
  /** The queue it consumes. */
  readonly queue: string;
  /** Every message received so far, in order (a live array). */
  readonly received: readonly ReceivedRecord[];
  /** Every message sent so far, in order (a live array). */
  readonly sent: readonly SentRecord[];
  /** The plans it holds now. */
  plans(): ReadonlyMap<string, HeldPlan>;
  /** Resolves once it has stopped, with why. */
  readonly stopped: Promise<StopReason>;
  /** Stops consuming, finishes (or, mid-delay, returns to the queue) the message in hand, closes. */
  stop(): Promise<void>;
}
