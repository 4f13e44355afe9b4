/**
 * OpenTelemetry traces, behind a small facade so that the pipeline needs no SDK. Off by default:
 * then `NO_TRACING` is used, every call is a plain function call, no header is added and no
 * OpenTelemetry module is loaded (this file imports none). `startTracing` loads the SDK
 * (tracing-otel.ts, by dynamic import) only when the standard `OTEL_*` environment asks for
 * traces: see `tracingWanted` and docs/operations.md "Traces".
 */
import { NO_TRACING, type Tracing } from '../09-pipeline/tracing-port.js';

export {
  NO_TRACING,
  type StageName,
  type TraceAttributes,
  type Tracing,
} from '../09-pipeline/tracing-port.js';

type Env = Readonly<Record<string, string | undefined>>;

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);

/**
 * Whether the environment asks for traces, and why (for the start-up log line). On when
 * `OTEL_TRACES_EXPORTER` names `otlp`, or, with no `OTEL_TRACES_EXPORTER`, when an OTLP endpoint
 * is set (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`). Off otherwise,
 * and always when `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER` names `none`. (The SDK's own
 * default exporter is `otlp`; the router's default is off, so a stock install sends nothing.)
 */
export function tracingWanted(env: Env): { on: boolean; why: string } {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    return { on: false, why: 'OTEL_SDK_DISABLED=true' };
  }
  const named = list(env.OTEL_TRACES_EXPORTER);
  if (named.length > 0) {
    const unknown = named.filter((n) => n !== 'otlp' && n !== 'none');
    const why = `OTEL_TRACES_EXPORTER=${named.join(',')}${
      unknown.length > 0 ? ` (only otlp is supported; ignored: ${unknown.join(', ')})` : ''
    }`;
    return { on: named.includes('otlp') && !named.includes('none'), why };
  }
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
    ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
    : env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
      ? 'OTEL_EXPORTER_OTLP_ENDPOINT'
      : undefined;
  if (endpoint) return { on: true, why: `${endpoint} is set` };
  return { on: false, why: 'no OTEL_TRACES_EXPORTER and no OTEL_EXPORTER_OTLP_ENDPOINT' };
}

/**
 * Tracing as the environment asks: `NO_TRACING`, or the SDK with the OTLP exporter (http/json),
 * loaded now. `notes` are the lines worth logging at start.
 */
export async function startTracing(env: Env): Promise<{ tracing: Tracing; notes: string[] }> {
  const wanted = tracingWanted(env);
  if (!wanted.on) return { tracing: NO_TRACING, notes: [`tracing off: ${wanted.why}`] };
  const { startOtelTracing } = await import('./tracing-otel.js');
  const { tracing, notes } = startOtelTracing(env);
  return { tracing, notes: [`tracing on: ${wanted.why}`, ...notes] };
}
