/**
 * The one table of ITK error codes: the code, its code system and its exact ErrorText. Findings
 * carry either kind; an inf nack carries only the DE codes (src/router/07-delivery/nack-codes.ts maps a Toolkit
 * code to the DE part it concerns). docs/errors.md documents the same table.
 */
import { OID } from './itk-oids.js';

export interface ItkErrorCode {
  readonly code: string;
  readonly codeSystem: string;
  readonly text: string;
  /** Whether the sender may usefully retry the same message later. */
  readonly retryable: boolean;
}

/** TKW-x contrib/Common/ITKService/ITKServiceAcknowledgements.conf lines 60-144: the exact texts. */
const dePart = (code: string, part: string): ItkErrorCode => ({
  code,
  codeSystem: OID.deErrors,
  text: part
    ? `Distribution Envelope ${part} Processing Error`
    : 'Distribution Envelope Processing Error',
  retryable: false,
});

const toolkit = (code: string, text: string, retryable = false): ItkErrorCode => ({
  code,
  codeSystem: OID.toolkitErrors,
  text,
  retryable,
});

export const ITK_ERRORS = {
  DE0001: dePart('DE0001', ''),
  DE0002: dePart('DE0002', 'Header'),
  DE0003: dePart('DE0003', 'Address List'),
  DE0004: dePart('DE0004', 'Audit Identity'),
  DE0005: dePart('DE0005', 'Id'),
  DE0006: dePart('DE0006', 'Manifest'),
  DE0007: dePart('DE0007', 'Manifest Item'),
  DE0008: dePart('DE0008', 'Sender Address'),
  DE0009: dePart('DE0009', 'Handling Specifications'),
  DE0010: dePart('DE0010', 'Spec'),
  DE0011: dePart('DE0011', 'Payloads'),
  DE0012: dePart('DE0012', 'Payload'),
  '1000': toolkit('1000', 'Invalid message'),
  '2100': toolkit('2100', 'Processing error, retryable', true),
  '2200': toolkit('2200', 'Processing error, not retryable'),
  '3000': toolkit('3000', 'Access denied'),
} as const satisfies Record<string, ItkErrorCode>;

export type ItkErrorKey = keyof typeof ITK_ERRORS;

/** The DE error code for a failure located on a DE element, by the element's local name. */
export const DE_CODE_BY_ELEMENT: Readonly<Record<string, ItkErrorKey>> = {
  DistributionEnvelope: 'DE0001',
  header: 'DE0002',
  addresslist: 'DE0003',
  address: 'DE0003',
  auditIdentity: 'DE0004',
  id: 'DE0005',
  manifest: 'DE0006',
  manifestitem: 'DE0007',
  senderAddress: 'DE0008',
  handlingSpecification: 'DE0009',
  spec: 'DE0010',
  payloads: 'DE0011',
  payload: 'DE0012',
};
