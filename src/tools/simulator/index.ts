/**
 * The end point simulator (`itk-router simulate`): an accredited-system stand-in on an end
 * point's queue. A pure core (`respond`) and an AMQP adapter (`startSimulator`), so the
 * accreditation harness can run simulators in-process.
 */
export { startSimulator } from './start-simulator.js';
export { SimulatorError } from './simulated-endpoint.js';
export type {
  ReceivedRecord,
  RunningSimulator,
  SentRecord,
  SimulatorOptions,
  StopReason,
} from './simulator-options.js';
export { respond, type RespondContext, type Response } from './respond.js';
export { readReceived, type Received, type ReceivedKind } from './received.js';
export type { Outgoing, OutgoingKind } from './outgoing.js';
export { emptyState, type HeldPlan, type SimulatorState } from './plan-store.js';
export { loadPlans, readPlanFile, PlanFileError } from './seed-plans.js';
export type { ActiveFaults, FaultRule, FaultScope, NackFault } from './faults.js';
export {
  faultsFromFlags,
  loadFaultScript,
  parseFaultScript,
  FaultScriptError,
  type FaultFlags,
} from './fault-script.js';
export { parseDuration } from './duration.js';
export type { SimulatorSelf } from './self.js';
