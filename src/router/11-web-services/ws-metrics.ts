/**
 * The web-service metrics, on the router's registry: calls the gateway answered (by outcome and
 * code), calls the delivery workers made (by end point and outcome) and how long they took. Each
 * end point's backlog is the existing `itk_endpoint_backlog{endpoint}`.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export type InboundOutcome = 'accepted' | 'fault' | 'busy';
export type CallOutcomeLabel = 'delivered' | 'refused' | 'retry' | 'quarantined';

export interface WsMetrics {
  inbound(outcome: InboundOutcome, code: string): void;
  call(endpoint: string, outcome: CallOutcomeLabel): void;
  callSeconds(endpoint: string, seconds: number): void;
}

export function createWsMetrics(registry: Registry): WsMetrics {
  const inbound = new Counter({
    name: 'itk_ws_inbound_total',
    help: 'Web-service calls the gateway answered, by outcome (accepted, fault, busy) and HTTP status or fault code',
    labelNames: ['outcome', 'code'],
    registers: [registry],
  });
  const calls = new Counter({
    name: 'itk_ws_calls_total',
    help: 'Web-service calls the router made to end points, by end point and outcome (delivered, refused, retry, quarantined)',
    labelNames: ['endpoint', 'outcome'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'itk_ws_call_duration_seconds',
    help: 'How long a web-service call to an end point took, answer or failure',
    labelNames: ['endpoint'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    inbound: (outcome, code) => inbound.inc({ outcome, code }),
    call: (endpoint, outcome) => calls.inc({ endpoint, outcome }),
    callSeconds: (endpoint, s) => seconds.observe({ endpoint }, s),
  };
}
