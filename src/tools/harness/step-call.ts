/**
 * `call` and `serve`: the harness on web services (web-session.ts). A `call` sends a DE as a
 * supplier's SOAP call to the router's gateway (the request of soap-request.ts, changed as the
 * step says, with the certificate it chooses) and checks the HTTP answer: its status, a SOAP
 * fault with itk:ToolkitErrorInfo (faultcode, ErrorCode and its code system, ErrorText,
 * ErrorDiagnosticText, ErrorID, the fault's wsa:Action), XPath over it, or a refused handshake.
 * A `serve` sets how a web-service end point the harness plays answers the router's next calls.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ITK_ERRORS } from '../../router/00-common/itk-errors.js';
import { OID } from '../../router/00-common/itk-oids.js';
import { embeddableDe, newMessageId } from '../../router/11-web-services/soap-messages.js';
import { FAULT_ACTION, utcSeconds } from '../../router/11-web-services/soap-names.js';
import type { CaseState, MessageRef, StepOutcome } from './case-state.js';
import { evaluate, matchChecks, xpathEquals, type Check } from './checks.js';
import { HarnessError } from './harness-error.js';
import type { AnswerMatch, CallStep, EndpointAnswer, ServeStep } from './model.js';
import { signedDurationMs } from './parse-steps.js';
import { harnessRequest, requestHeaders, type RequestChanges } from './soap-request.js';
import { messageBody } from './step-send.js';
import { expand, expandAll } from './template.js';
import type { CallOutcome } from './web-session.js';
import { withParsed, xpathString, type NamespaceMap } from './xpath.js';

/** Where the gateway's answers sit in the mailroom (they appear in the transcript). */
export const GATEWAY = '$gateway';

const CALL_TIMEOUT_MS = 15_000;
const FAULT = '/soap:Envelope/soap:Body/soap:Fault';
const INFO = `${FAULT}/detail/itk:ToolkitErrorInfo`;
const UPPER_UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

/** The checks of a call's answer (a plain 200 when the step says nothing). */
export function answerChecks(
  a: AnswerMatch,
  expandText: (s: string) => string,
  ns: NamespaceMap,
): Check[] {
  const checks: Check[] = [];
  if (a.refused) {
    checks.push({
      what: 'the TLS handshake is refused (no HTTP answer)',
      test: (m) => {
        const status = m.properties.status;
        if (status !== undefined) return { ok: false, actual: `HTTP ${status}` };
        return {
          ok: m.headers.connected === 'true',
          actual: m.headers.error ?? '(no error)',
        };
      },
    });
    return checks;
  }
  const status = a.status ?? (a.fault ? undefined : 200);
  if (status !== undefined)
    checks.push({
      what: `HTTP status ${status}`,
      test: (m) => ({
        ok: m.properties.status === status,
        actual:
          m.properties.status !== undefined
            ? `HTTP ${m.properties.status}`
            : `no answer: ${m.headers.error ?? ''}`,
      }),
    });
  const f = a.fault;
  if (f) {
    checks.push({
      what: `a SOAP fault (${FAULT})`,
      test: (_m, p) => {
        if (!p.ok) return { ok: false, actual: p.error };
        const n = xpathString(p.doc, `count(${FAULT})`, ns);
        return { ok: n === '1', actual: `${n} soap:Fault` };
      },
    });
    checks.push(
      xpathEquals(
        "the fault's wsa:Action",
        '/soap:Envelope/soap:Header/wsa:Action',
        FAULT_ACTION,
        ns,
      ),
    );
    if (f.faultcode !== undefined)
      checks.push(
        xpathEquals(
          'faultcode (local part)',
          `substring-after(normalize-space(${FAULT}/faultcode), ':')`,
          f.faultcode,
          ns,
        ),
      );
    if (f.code !== undefined) {
      const code = expandText(f.code);
      checks.push(
        xpathEquals(
          'ToolkitErrorInfo ErrorCode',
          `normalize-space(${INFO}/itk:ErrorCode)`,
          code,
          ns,
        ),
      );
      checks.push(
        xpathEquals(
          'ErrorCode/@codeSystem',
          `${INFO}/itk:ErrorCode/@codeSystem`,
          OID.toolkitErrors,
          ns,
        ),
      );
      const text =
        f.text ?? (ITK_ERRORS as Record<string, { text: string } | undefined>)[code]?.text;
      if (text !== undefined)
        checks.push(
          xpathEquals('ErrorText', `normalize-space(${INFO}/itk:ErrorText)`, expandText(text), ns),
        );
    }
    checks.push({
      what: 'ErrorID is an upper-case UUID',
      test: (_m, p) => {
        if (!p.ok) return { ok: false, actual: p.error };
        const id = xpathString(p.doc, `normalize-space(${INFO}/itk:ErrorID)`, ns);
        return { ok: UPPER_UUID.test(id), actual: JSON.stringify(id) };
      },
    });
    if (f.diagnostic !== undefined) {
      const pattern = new RegExp(expandText(f.diagnostic));
      checks.push({
        what: `ErrorDiagnosticText matches ${pattern}`,
        test: (_m, p) => {
          if (!p.ok) return { ok: false, actual: p.error };
          const text = xpathString(p.doc, `${INFO}/itk:ErrorDiagnosticText`, ns);
          return { ok: pattern.test(text), actual: JSON.stringify(text) };
        },
      });
    }
  }
  return checks;
}

/** An answer in a line: the status and, for a fault, its code and diagnostic. */
export function describeAnswer(o: CallOutcome, ns: NamespaceMap): string {
  if (o.status === undefined)
    return o.connected
      ? `no HTTP answer: the TLS handshake was refused (${o.error})`
      : `no connection: ${o.error}`;
  if (o.body.length === 0) return `HTTP ${o.status}, empty body`;
  return withParsed(o.body, (p) => {
    if (!p.ok) return `HTTP ${o.status}: ${p.error}`;
    const code = xpathString(p.doc, `normalize-space(${INFO}/itk:ErrorCode)`, ns);
    if (code) {
      const diagnostic = xpathString(p.doc, `normalize-space(${INFO}/itk:ErrorDiagnosticText)`, ns);
      return `HTTP ${o.status}: SOAP fault ${code}: ${diagnostic}`;
    }
    const response = xpathString(p.doc, 'normalize-space(/soap:Envelope/soap:Body)', ns);
    return `HTTP ${o.status}: ${response || 'a SOAP answer'}`;
  });
}

export async function runCall(
  state: CaseState,
  step: CallStep,
  index: number,
): Promise<StepOutcome> {
  const { ctx } = state;
  const web = ctx.web;
  if (!web) throw new HarnessError('this run has no web-service session');
  const gateway = web.gateway;
  if (!gateway) throw new HarnessError("the router's gateway URL is not known (--gateway)");
  const view = ctx.bindings.roles.get(step.as)!;
  const pair = web.pair(step.certificate, view.id);
  const certificate =
    step.certificate === 'own'
      ? `${view.id}'s own`
      : step.certificate === 'unlisted'
        ? "one from the router's CA that no end point lists"
        : step.certificate === 'foreign'
          ? `another CA's, named ${view.id}`
          : 'none';
  const { body: de, facts } = messageBody(state, step, view);
  const soap = step.soap;
  const expandText = (s: string) => expand(s, state.scope);
  const changes: RequestChanges = {
    ...(soap.soapAction !== undefined ? { soapAction: expandText(soap.soapAction) } : {}),
    ...(soap.contentType !== undefined ? { contentType: expandText(soap.contentType) } : {}),
    ...(soap.set ? { set: expandAll(soap.set, state.scope) } : {}),
    ...(soap.omit ? { omit: soap.omit } : {}),
    ...(soap.repeat ? { repeat: soap.repeat } : {}),
    ...(soap.replyTo !== undefined ? { replyTo: expandText(soap.replyTo) } : {}),
    ...(soap.shift !== undefined
      ? { shiftMs: signedDurationMs(expandText(soap.shift), 'soap.shift') }
      : {}),
  };
  const now = new Date();
  const service = facts.service ?? '';
  let request: { body: Buffer; headers: Readonly<Record<string, string>>; messageId: string };
  if (soap.envelope !== undefined) {
    const messageId = newMessageId();
    const text = fs.readFileSync(path.resolve(ctx.pack.dir, soap.envelope), 'utf8');
    const shifted = new Date(now.getTime() + (changes.shiftMs ?? 0));
    const scope = state.scope.with({
      de: embeddableDe(de).toString('utf8'),
      messageId,
      gateway,
      service,
      created: utcSeconds(shifted),
      expires: utcSeconds(new Date(shifted.getTime() + 5 * 60_000)),
    });
    request = {
      body: Buffer.from(expand(text, scope), 'utf8'),
      headers: requestHeaders(service, changes),
      messageId,
    };
  } else {
    request = harnessRequest({ de, service, gateway, username: view.identity, now, changes });
  }
  const at = Date.now();
  const mail = ctx.session.mail;
  const afterSeq = mail.next - 1;
  const outcome = await web.call(request.body, request.headers, pair, ctx.scaled(CALL_TIMEOUT_MS));
  const sent = state.addSent({
    id: step.id,
    endpoint: view.id,
    role: step.as,
    user: '',
    userIdSet: false,
    body: embeddableDe(de),
    at,
    afterSeq,
    step: index,
    ...facts,
    wire: { url: gateway, request: request.body, headers: request.headers, certificate },
  });
  // the request's wsa:MessageID, for the answer's RelatesTo: {{sent.<id>.messageId}}
  (state.scope.values.sent as Record<string, Record<string, string>>)[step.id]!.messageId =
    request.messageId;
  const ns = ctx.namespaces;
  const answer = mail.add({
    where: GATEWAY,
    queue: `answer from ${gateway}`,
    body: outcome.body,
    properties: outcome.status !== undefined ? { status: outcome.status } : {},
    headers: {
      ...outcome.headers,
      ...(outcome.error ? { error: outcome.error } : {}),
      connected: String(outcome.connected),
    },
    summary: describeAnswer(outcome, ns),
  });
  const answerRef: MessageRef = state.claim(answer, index);
  const checks = [
    ...answerChecks(step.answer, expandText, ns),
    ...matchChecks(
      { ...(step.answer.xpath ? { xpath: step.answer.xpath } : {}) },
      { scope: state.scope, namespaces: ns, endpointOf: ctx.endpointOf },
    ),
  ];
  const results = evaluate(checks, answer);
  const title = `call the gateway as ${step.as} (${view.id}), certificate: ${certificate}${describeChanges(step)}`;
  const broken = results.filter((r) => !r.ok);
  if (broken.length > 0)
    return {
      status: 'failed',
      title,
      checks: results,
      messages: [sent, answerRef],
      failure: {
        summary: `the answer (${answer.summary}) broke ${broken.length} of ${results.length} conditions: ${broken.map((c) => `${c.what} (found ${c.actual ?? 'no'})`).join('; ')}`,
        offending: answerRef,
      },
    };
  const notes: string[] = [];
  if (Object.keys(step.capture).length > 0)
    withParsed(outcome.body, (p) => {
      for (const [name, source] of Object.entries(step.capture)) {
        const value = p.ok ? xpathString(p.doc, expandText(source), ns) : '';
        state.captured[name] = value;
        notes.push(`${name} = ${JSON.stringify(value)}`);
      }
    });
  return {
    status: 'passed',
    title,
    detail: `${answer.summary}${facts.trackingId ? `; tracking id ${facts.trackingId}` : ''}${notes.length ? `; captured ${notes.join(', ')}` : ''}`,
    checks: results,
    messages: [sent, answerRef],
  };
}

function describeChanges(step: CallStep): string {
  const s = step.soap;
  const parts = [
    ...(s.soapAction !== undefined
      ? [`SOAPAction ${s.soapAction === '' ? 'left out' : JSON.stringify(s.soapAction)}`]
      : []),
    ...(s.contentType !== undefined ? [`Content-Type ${s.contentType}`] : []),
    ...Object.entries(s.set ?? {}).map(([k, v]) => `${k} = ${JSON.stringify(v)}`),
    ...(s.omit ?? []).map((k) => `no ${k}`),
    ...(s.repeat ?? []).map((k) => `${k} twice`),
    ...(s.replyTo !== undefined ? [`wsa:ReplyTo ${s.replyTo}`] : []),
    ...(s.shift !== undefined ? [`timestamps shifted ${s.shift}`] : []),
    ...(s.envelope !== undefined ? [`request ${s.envelope}`] : []),
  ];
  return parts.length ? `; ${parts.join(', ')}` : '';
}

const shownAnswer = (a: EndpointAnswer) =>
  'fault' in a ? `fault ${a.fault}${a.status ? ` (HTTP ${a.status})` : ''}` : `HTTP ${a.status}`;

export function runServe(state: CaseState, step: ServeStep): Promise<StepOutcome> {
  const { ctx } = state;
  const web = ctx.web;
  const id = ctx.endpointOf(step.at);
  if (!web?.plays(id))
    throw new HarnessError(
      `${step.at} (${id}) is not an end point the harness plays on web services`,
    );
  web.serve(id, step.answers);
  return Promise.resolve({
    status: 'passed',
    title: `${step.at} (${id}) answers the router's calls: ${step.answers.map(shownAnswer).join(', then ')}${step.answers.length > 1 ? ' (the last repeats)' : ''}`,
  });
}
