/**
 * The one place where a refusal becomes the ErrorCode / ErrorText / ErrorDiagnosticText of an
 * inf nack. TKW's ITK 2.2 ack rules (nhsdigitalmait/TKW-x,
 * contrib/Common/ITKService/ITKServiceAcknowledgements.conf lines 39-147) accept only DE0001–DE0012
 * in code system 2.16.840.1.113883.2.1.3.2.4.17.516, each with its exact text; the Toolkit codes
 * (1000, 2100, 2200, 3000, code system …17.268) are the vocabulary of SOAP faults. So every caller
 * keeps saying what it means with its Toolkit code and reason; this table turns it into the DE part
 * the refusal concerns, and the Toolkit code opens the diagnostic text:
 * "2200 version conflict: the current version is 3". Metrics, the store and `track` keep the
 * Toolkit code. docs/errors.md documents the same table.
 */
import { ITK_ERRORS, type ItkErrorKey } from '../00-common/itk-errors.js';

export type DeCode = Extract<ItkErrorKey, `DE${string}`>;
export type ToolkitCode = Exclude<ItkErrorKey, DeCode>;

export const isDeCode = (code: string): code is DeCode => /^DE00(0[1-9]|1[0-2])$/.test(code);

/** The DE part a Toolkit-coded refusal concerns when nothing more precise is known. */
export const DE_CODE_BY_TOOLKIT_CODE: Readonly<Record<ToolkitCode, DeCode>> = {
  '1000': 'DE0001', // invalid message: the envelope as a whole (unsafe, not well-formed, limits)
  '2100': 'DE0001', // processing failed (poison): the envelope as a whole
  '2200': 'DE0001', // not processed (a reject route, a processing refusal)
  '3000': 'DE0008', // access denied: the sender (a sender address it may not use)
};

/**
 * The DE part of a finding coded with a Toolkit code, by its rule id: payload schemas, payload
 * roots, care-plan and acknowledgement rules concern the payload (DE0012).
 */
export function deCodeForRule(rule: string, part?: string): DeCode | undefined {
  if (/^(PAYLOAD|CP|ACK)-/.test(rule)) return 'DE0012';
  if (part !== undefined && part !== 'envelope') return 'DE0012';
  if (/^(SAFE|XML)-/.test(rule)) return 'DE0001';
  return undefined;
}

/**
 * The DE part a Toolkit-coded refusal of each pipeline outcome concerns (outcomes not named here
 * use DE_CODE_BY_TOOLKIT_CODE). A care-plan rule is about the payload; a forged sender address
 * about the sender address; an address that resolves nowhere about the address list.
 */
export const DE_CODE_BY_OUTCOME: Readonly<Record<string, DeCode>> = {
  'careplan-refused': 'DE0012',
  'forbidden-sender': 'DE0008',
  unroutable: 'DE0003',
  'partly-delivered': 'DE0003',
  rejected: 'DE0001',
  poison: 'DE0001',
};

/** What one errorInfo of a nack says. */
export interface NackErrorInfo {
  readonly code: DeCode;
  readonly codeSystem: string;
  readonly text: string;
  readonly diagnostic?: string;
}

/**
 * The errorInfo for a refusal: a DE code stays as it is; a Toolkit code becomes `part` (else the
 * outcome's or the code's default DE part) and opens the diagnostic text.
 */
export function nackErrorInfo(e: {
  readonly code: ItkErrorKey;
  readonly diagnostic?: string;
  readonly part?: DeCode;
}): NackErrorInfo {
  if (isDeCode(e.code)) {
    const de = ITK_ERRORS[e.code];
    return {
      code: e.code,
      codeSystem: de.codeSystem,
      text: de.text,
      ...(e.diagnostic ? { diagnostic: e.diagnostic } : {}),
    };
  }
  const code = e.part ?? DE_CODE_BY_TOOLKIT_CODE[e.code];
  const de = ITK_ERRORS[code];
  const diagnostic = e.diagnostic
    ? `${e.code} ${e.diagnostic}`
    : `${e.code} ${ITK_ERRORS[e.code].text}`;
  return { code, codeSystem: de.codeSystem, text: de.text, diagnostic };
}
