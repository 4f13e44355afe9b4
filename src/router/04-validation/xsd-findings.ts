/** Turning libxml2's schema errors into findings with line and path. */
import { DE_CODE_BY_ELEMENT, type ItkErrorKey } from '../00-common/itk-errors.js';
import { finding } from './findings.js';
import type { Finding, Location } from './finding.js';
import type { ErrorDetail } from './xml-engine.js';

const tidy = (message: string) => message.trim().replace(/\s+/g, ' ');

/** libxml2 names the element in its message: "Element '{ns}name', attribute 'x': …". */
function elementOf(detail: ErrorDetail): string | undefined {
  const fromPath = detail.xpath
    ?.split('/')
    .pop()
    ?.replace(/\[\d+\]$/, '')
    .replace(/^.*:/, '');
  const fromMessage = /Element '(?:\{[^}]*\})?([^']+)'/.exec(detail.message)?.[1];
  return fromMessage ?? fromPath;
}

const location = (d: ErrorDetail, part?: string): Location => {
  const loc: { line?: number; column?: number; path?: string; part?: string } = {};
  if (d.line > 0) loc.line = d.line;
  if (d.col > 0) loc.column = d.col;
  if (d.xpath) loc.path = d.xpath;
  if (part) loc.part = part;
  return loc;
};

/** DE schema errors: the code is that of the DE element the error is on. */
export function deSchemaFindings(details: readonly ErrorDetail[]): Finding[] {
  return details.map((d) => {
    const code: ItkErrorKey = DE_CODE_BY_ELEMENT[elementOf(d) ?? ''] ?? 'DE0001';
    return finding(code, 'DE-SCHEMA', tidy(d.message), location(d));
  });
}

/** Payload schema errors (code 1000). */
export function payloadSchemaFindings(
  details: readonly ErrorDetail[],
  payloadId: string,
  part?: string,
): Finding[] {
  return details.map((d) =>
    finding(
      '1000',
      'PAYLOAD-SCHEMA',
      `payload ${payloadId}: ${tidy(d.message)}`,
      location(d, part),
    ),
  );
}
