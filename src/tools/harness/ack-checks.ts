/**
 * Checks for acknowledgements (docs/contract.md, ITK facts: Acknowledgements in ITK): an inf ack or nack (`InfrastructureResponse`),
 * a business ack (`BusinessResponseMessage`), and the error a nack must carry with the code
 * system and ErrorText of the one table of ITK errors (src/router/00-common/itk-errors.ts).
 */
import { INTERACTION, SERVICE, SPEC_KEY } from '../../router/03-envelope/itk-names.js';
import { ITK_ERRORS, type ItkErrorKey } from '../../router/00-common/itk-errors.js';
import { xpathEquals, type Check } from './checks.js';
import type { BusAckMatch, InfAckMatch } from './model.js';
import { xpathBoolean, xpathCount, xpathString, type NamespaceMap } from './xpath.js';
import type { XmlDocument as ParsedDoc } from '../../router/04-validation/xml-engine.js';

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

/** The trackingIdRef of a message the router could not read (docs/contract.md [C-TB-2]). */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export function infAckChecks(
  m: InfAckMatch,
  acked: AckedMessage | undefined,
  ns: NamespaceMap,
  /** The nil UUID is also accepted as the trackingIdRef. */
  unreadable = false,
): Check[] {
  const checks = [
    serviceIs('an infrastructure acknowledgement', SERVICE.infAck, INTERACTION.infAck, ns),
  ];
  if (m.result) checks.push(xpathEquals('result', `${INF}/@result`, m.result, ns));
  if (acked) {
    if (unreadable)
      checks.push({
        what: `trackingIdRef = ${JSON.stringify(acked.trackingId)} or, unreadable, the nil UUID`,
        test: (_m, p) => {
          if (!p.ok) return { ok: false, actual: p.error };
          const ref = xpathString(p.doc, `${INF}/@trackingIdRef`, ns);
          return { ok: ref === acked.trackingId || ref === NIL_UUID, actual: JSON.stringify(ref) };
        },
      });
    else checks.push(xpathEquals('trackingIdRef', `${INF}/@trackingIdRef`, acked.trackingId, ns));
    // the service of a message the router could not read is unknown to it
    if (acked.service && !unreadable)
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

/** The DE error codes (docs/contract.md [C-ERR-1]): every nack's ErrorCode is one of these. */
const DE_CODES = Object.keys(ITK_ERRORS).filter((k) => /^DE\d{4}$/.test(k)) as ItkErrorKey[];

interface ErrorInfo {
  readonly code: string;
  readonly codeSystem: string;
  readonly text: string;
  readonly diagnostic: string;
}

function errorInfos(doc: ParsedDoc, ns: NamespaceMap): ErrorInfo[] {
  const all = `${INF}/itk:errors/itk:errorInfo`;
  const n = Number(doc.eval(`count(${all})`, { ...ns }));
  return Array.from({ length: n }, (_, i) => {
    const at = (rel: string) => xpathString(doc, `(${all})[${i + 1}]/${rel}`, ns);
    return {
      code: at('itk:ErrorCode').trim(),
      codeSystem: at('itk:ErrorCode/@codeSystem'),
      text: at('itk:ErrorText'),
      diagnostic: at('itk:ErrorDiagnosticText'),
    };
  });
}

const shownInfos = (infos: readonly ErrorInfo[]) =>
  JSON.stringify(
    infos
      .map((e) => `${e.code} [${e.codeSystem}] "${e.text}" / "${e.diagnostic.slice(0, 80)}"`)
      .join(' | ') || '(no errorInfo)',
  );

/**
 * The error a nack must carry, as loosely as docs/contract.md makes it ([C-ACK-3], [C-ERR-1]):
 * an errorInfo whose ErrorCode is `code` when that is a DE code, or, for a Toolkit code (1000,
 * 2100, 2200, 3000), whose ErrorDiagnosticText opens with it; its ErrorCode one of DE0001–DE0012
 * in the DE code system, with TKW's ErrorText for that code; a reason in its diagnostic; and,
 * when given, the diagnostic matching `diagnostic`. Each check holds when one errorInfo meets it
 * and every check before it.
 */
export function nackErrorChecks(
  code: string,
  diagnostic: RegExp | undefined,
  ns: NamespaceMap,
): Check[] {
  const deCode = DE_CODES.includes(code as ItkErrorKey);
  const codeSystem = ITK_ERRORS.DE0001.codeSystem;
  const opensWith = new RegExp(`^\\s*${code}(?!\\d)`);
  const steps: { what: string; holds: (e: ErrorInfo) => boolean }[] = [
    deCode
      ? { what: `an errorInfo with ErrorCode ${code}`, holds: (e) => e.code === code }
      : {
          what: `an errorInfo whose ErrorDiagnosticText opens with Toolkit code ${code}`,
          holds: (e) => opensWith.test(e.diagnostic),
        },
    {
      what: `its ErrorCode one of DE0001–DE0012 in code system ${codeSystem}`,
      holds: (e) => DE_CODES.includes(e.code as ItkErrorKey) && e.codeSystem === codeSystem,
    },
    {
      what: 'its ErrorText TKW’s text for that DE code',
      holds: (e) => ITK_ERRORS[e.code as ItkErrorKey]?.text === e.text,
    },
    {
      what: 'its ErrorDiagnosticText gives the reason',
      holds: (e) => e.diagnostic.replace(deCode ? '' : opensWith, '').trim().length > 0,
    },
    ...(diagnostic
      ? [
          {
            what: `its ErrorDiagnosticText matches ${diagnostic}`,
            holds: (e: ErrorInfo) => diagnostic.test(e.diagnostic),
          },
        ]
      : []),
  ];
  return steps.map((step, k) => ({
    what: step.what,
    test: (_m, p) => {
      if (!p.ok) return { ok: false, actual: p.error };
      const infos = errorInfos(p.doc, ns);
      const ok = infos.some((e) => steps.slice(0, k + 1).every((s) => s.holds(e)));
      return { ok, actual: shownInfos(infos) };
    },
  }));
}

/** What the contract makes of every inf ack the router sends ([C-ACK-4]; [C-ACK-5] for an OK). */
export function routerInfAckChecks(
  result: 'OK' | 'Failure' | undefined,
  ns: NamespaceMap,
): Check[] {
  const checks: Check[] = [
    {
      what: `carries the interaction ${INTERACTION.infAck}`,
      test: (_m, p) =>
        p.ok
          ? {
              ok: xpathBoolean(
                p.doc,
                `${HEADER}/itk:handlingSpecification/itk:spec[@key = '${SPEC_KEY.interaction}' and normalize-space(@value) = '${INTERACTION.infAck}']`,
                ns,
              ),
              actual: JSON.stringify(
                xpathString(
                  p.doc,
                  `${HEADER}/itk:handlingSpecification/itk:spec[@key = '${SPEC_KEY.interaction}']/@value`,
                  ns,
                ),
              ),
            }
          : { ok: false, actual: p.error },
    },
  ];
  if (result === 'OK')
    checks.push({
      what: 'an empty or absent errors',
      test: (_m, p) =>
        p.ok
          ? {
              ok: xpathCount(p.doc, `${INF}/itk:errors/*`, ns) === 0,
              actual: `${xpathCount(p.doc, `${INF}/itk:errors/*`, ns)} error(s)`,
            }
          : { ok: false, actual: p.error },
    });
  return checks;
}
