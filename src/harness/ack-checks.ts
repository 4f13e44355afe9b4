/**
 * Checks for acknowledgements (itk-facts.md §2): an inf ack or nack (`InfrastructureResponse`),
 * a business ack (`BusinessResponseMessage`), and the error a nack must carry with the code
 * system and ErrorText of the one table of ITK errors (src/validation/itk-errors.ts).
 */
import { INTERACTION, SERVICE, SPEC_KEY } from '../envelope/itk-names.js';
import { ITK_ERRORS, type ItkErrorKey } from '../validation/itk-errors.js';
import { xpathEquals, type Check } from './checks.js';
import type { BusAckMatch, InfAckMatch } from './model.js';
import { xpathBoolean, xpathString, type NamespaceMap } from './xpath.js';

/** What an acknowledgement refers to. */
export interface AckedMessage {
  readonly trackingId: string;
  /** Known when the acknowledged message was one this case sent. */
  readonly service?: string;
}

const HEADER = '/itk:DistributionEnvelope/itk:header';
const INF = '//itk:InfrastructureResponse';

function serviceIs(what: string, service: string, interaction: string, ns: NamespaceMap): Check {
  const expr = `${HEADER}/@service = '${service}' or (${HEADER}/@service = '${SERVICE.sendDistEnvelope}' and ${HEADER}/itk:handlingSpecification/itk:spec[@key = '${SPEC_KEY.interaction}']/@value = '${interaction}')`;
  return {
    what: `is ${what} (service ${service.split(':').pop()})`,
    test: (_m, p) =>
      p.ok
        ? {
            ok: xpathBoolean(p.doc, expr, ns),
            actual: JSON.stringify(xpathString(p.doc, `${HEADER}/@service`, ns)),
          }
        : { ok: false, actual: p.error },
  };
}

export function infAckChecks(
  m: InfAckMatch,
  acked: AckedMessage | undefined,
  ns: NamespaceMap,
): Check[] {
  const checks = [
    serviceIs('an infrastructure acknowledgement', SERVICE.infAck, INTERACTION.infAck, ns),
  ];
  if (m.result) checks.push(xpathEquals('result', `${INF}/@result`, m.result, ns));
  if (acked) {
    checks.push(xpathEquals('trackingIdRef', `${INF}/@trackingIdRef`, acked.trackingId, ns));
    if (acked.service)
      checks.push(xpathEquals('serviceRef', `${INF}/@serviceRef`, acked.service, ns));
  }
  if (m.reportingIdentity) {
    const uri = m.reportingIdentity;
    checks.push({
      what: `reportingIdentity names ${uri}`,
      test: (_m, p) =>
        p.ok
          ? {
              ok: xpathBoolean(p.doc, `${INF}/itk:reportingIdentity/itk:id[@uri = '${uri}']`, ns),
              actual: JSON.stringify(
                xpathString(p.doc, `${INF}/itk:reportingIdentity/itk:id/@uri`, ns),
              ),
            }
          : { ok: false, actual: p.error },
    });
  }
  return checks;
}

const BUS = '//hl7:BusinessResponseMessage';

export function busAckChecks(
  m: BusAckMatch,
  acked: AckedMessage | undefined,
  ns: NamespaceMap,
): Check[] {
  const checks = [serviceIs('a business acknowledgement', SERVICE.busAck, INTERACTION.busAck, ns)];
  if (m.typeCode !== undefined) {
    const codes = [m.typeCode].flat();
    checks.push({
      what: `acknowledgedBy3/@typeCode is ${codes.join(' or ')}`,
      test: (_m, p) => {
        if (!p.ok) return { ok: false, actual: p.error };
        const value = xpathString(p.doc, `${BUS}/hl7:acknowledgedBy3/@typeCode`, ns);
        return { ok: codes.includes(value), actual: JSON.stringify(value) };
      },
    });
  }
  if (acked)
    checks.push(
      xpathEquals(
        'acknowledgedBy3/conveyingTransmission/id/@root',
        `${BUS}/hl7:acknowledgedBy3/hl7:conveyingTransmission/hl7:id/@root`,
        acked.trackingId,
        ns,
      ),
    );
  return checks;
}

/** One errorInfo with `code`, its code system and ErrorText; its diagnostic matching `diagnostic`. */
export function nackErrorChecks(
  code: ItkErrorKey,
  diagnostic: RegExp | undefined,
  ns: NamespaceMap,
): Check[] {
  const known = ITK_ERRORS[code];
  const info = `${INF}/itk:errors/itk:errorInfo[normalize-space(itk:ErrorCode) = '${code}']`;
  const checks: Check[] = [
    {
      what: `an errorInfo with ErrorCode ${code}`,
      test: (_m, p) =>
        p.ok
          ? {
              ok: xpathBoolean(p.doc, info, ns),
              actual: JSON.stringify(
                (p.doc.find(`${INF}/itk:errors/itk:errorInfo/itk:ErrorCode`, { ...ns }) ?? [])
                  .map((n) => n.content.trim())
                  .join(', '),
              ),
            }
          : { ok: false, actual: p.error },
    },
    xpathEquals(`its codeSystem`, `${info}/itk:ErrorCode/@codeSystem`, known.codeSystem, ns),
    xpathEquals(`its ErrorText`, `${info}/itk:ErrorText`, known.text, ns),
  ];
  if (diagnostic) {
    checks.push({
      what: `its ErrorDiagnosticText matches ${diagnostic}`,
      test: (_m, p) => {
        if (!p.ok) return { ok: false, actual: p.error };
        const texts = p.doc
          .find(`${info}/itk:ErrorDiagnosticText`, { ...ns })
          .map((n) => n.content);
        return {
          ok: texts.some((t) => diagnostic.test(t)),
          actual: JSON.stringify(texts.join(' | ')),
        };
      },
    });
  }
  return checks;
}
