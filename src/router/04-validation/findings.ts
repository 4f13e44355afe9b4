/** Building findings from the one error table. */
import { ITK_ERRORS, type ItkErrorKey } from '../00-common/itk-errors.js';
import type { Finding, Location, Severity } from './finding.js';

export function finding(
  code: ItkErrorKey,
  rule: string,
  detail: string,
  location: Location = {},
  severity: Severity = 'error',
): Finding {
  const { codeSystem, text } = ITK_ERRORS[code];
  return Object.freeze({ code, codeSystem, text, rule, detail, severity, location });
}

export const warning = (code: ItkErrorKey, rule: string, detail: string, location: Location = {}) =>
  finding(code, rule, detail, location, 'warning');

export const hasErrors = (findings: readonly Finding[]): boolean =>
  findings.some((f) => f.severity === 'error');
