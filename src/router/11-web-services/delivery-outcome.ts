/**
 * What an end point's answer to the router's call means (docs/web-services.md, "Outbound"):
 * HTTP 200 without a fault, or 202: delivered; a SOAP fault carrying itk:ToolkitErrorInfo: the
 * end point refused the message (never retried); HTTP 503, any other status, or a fault without
 * ToolkitErrorInfo: a transient failure, retried. Pure. The answer is untrusted: stage-1 safety
 * runs before the light tree reads it, and it is read only when well under a size cap.
 */
import { ITK_NS } from '../03-envelope/itk-names.js';
import { childNamed, parseLite } from '../03-envelope/lite-xml.js';
import { checkSafety, utf8Text } from '../04-validation/safety.js';
import { SOAP_NS } from './soap-names.js';

/** The most of an answer the router reads. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export type CallOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | {
      readonly kind: 'refused';
      readonly status: number;
      /** The end point's ErrorCode (e.g. 1000), its ErrorText and ErrorDiagnosticText. */
      readonly code: string;
      readonly text: string;
      readonly diagnostic?: string;
    }
  | { readonly kind: 'transient'; readonly status?: number; readonly reason: string };

interface ToolkitError {
  readonly code: string;
  readonly text: string;
  readonly diagnostic?: string;
}

/** The fault of a SOAP answer: `undefined` (no fault), `'fault'` (no ToolkitErrorInfo), or its error. */
function readFault(body: Buffer): ToolkitError | 'fault' | undefined {
  if (body.length === 0 || body.length > MAX_ANSWER_BYTES) return undefined;
  const source = utf8Text(body);
  const limits = { maxMessageBytes: MAX_ANSWER_BYTES, maxDepth: 50 };
  if (checkSafety(body, limits, source).length > 0) return undefined;
  const root = parseLite(source);
  if (root.name !== 'Envelope' || root.ns !== SOAP_NS) return undefined;
  const fault = childNamed(childNamed(root, 'Body', SOAP_NS), 'Fault', SOAP_NS);
  if (!fault) return undefined;
  // SOAP 1.1: faultcode / faultstring / detail are unqualified.
  const detail = fault.children.find((c) => c.name === 'detail');
  const info = childNamed(detail, 'ToolkitErrorInfo', ITK_NS);
  const code = childNamed(info, 'ErrorCode', ITK_NS)?.text.trim();
  if (!info || !code) return 'fault';
  const text = childNamed(info, 'ErrorText', ITK_NS)?.text.trim() ?? '';
  const diagnostic = childNamed(info, 'ErrorDiagnosticText', ITK_NS)?.text.trim();
  return { code, text, ...(diagnostic ? { diagnostic } : {}) };
}

export function callOutcome(status: number, body: Buffer): CallOutcome {
  if (status === 503) return { kind: 'transient', status, reason: 'HTTP 503 (busy)' };
  const fault = readFault(body);
  if (fault && fault !== 'fault') return { kind: 'refused', status, ...fault };
  if (status === 202 || (status === 200 && fault === undefined))
    return { kind: 'delivered', status };
  const what = fault === 'fault' ? 'a SOAP fault without itk:ToolkitErrorInfo' : 'no ITK fault';
  return { kind: 'transient', status, reason: `HTTP ${status} with ${what}` };
}
