/**
 * The checks of a loaded pack that its schema cannot make: references between requirements,
 * cases, roles and sends; files that must exist; XPath and regular-expression syntax; ITK codes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigProblem } from '../../router/01-config/index.js';
import { ITK_ERRORS } from '../../router/00-common/itk-errors.js';
import {
  OPS_SENDER,
  QUARANTINE,
  XPATH_NAMESPACES,
  type Match,
  type Origin,
  type Pack,
  type Step,
} from './model.js';
import { HEADER_ELEMENTS } from './soap-request.js';
import { withDummies } from './template.js';
import { xpathProblem } from './xpath.js';

/** Capture sources that are not XPath. */
export const SPECIAL_CAPTURE = /^\$(body|header\.[\w.-]+|property\.\w+)$/;

export function checkPack(pack: Pack): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = (origin: Origin, key: string, message: string) =>
    problems.push({
      file: origin.file,
      ...(origin.line ? { line: origin.line } : {}),
      key,
      message,
    });
  const packFile = { file: path.join(pack.dir, 'pack.yaml') };
  const requirementIds = new Set<string>();
  for (const r of pack.requirements) {
    if (requirementIds.has(r.id))
      at(packFile, 'requirements', `requirement ${r.id} is defined twice`);
    requirementIds.add(r.id);
  }
  const roles = new Set(Object.keys(pack.roles));
  if (pack.target === 'supplier' && !roles.has('supplier'))
    at(packFile, 'roles', 'a supplier pack must bind the role "supplier" (the system under test)');
  const ns = { ...XPATH_NAMESPACES, ...pack.namespaces };
  const played = (role: string) =>
    roles.has(role) && !(pack.target === 'supplier' && role === 'supplier');
  const setupSends = pack.setup.flatMap((s) =>
    s.kind === 'send' || s.kind === 'call' ? [s.id] : [],
  );
  checkSteps(pack.setup, 'setup', new Set());

  const caseIds = new Set<string>();
  for (const c of pack.cases) {
    if (caseIds.has(c.id)) at(c.origin, 'id', `case ${c.id} is defined twice`);
    caseIds.add(c.id);
    for (const r of c.requirements)
      if (!requirementIds.has(r)) at(c.origin, 'requirements', `unknown requirement ${r}`);
    for (const role of [
      ...Object.keys(c.needs?.acks ?? {}),
      ...Object.keys(c.needs?.subscriptions ?? {}),
      ...(c.needs?.webService ?? []),
    ])
      if (!roles.has(role)) at(c.origin, 'needs', `unknown role ${role}`);
    checkSteps(c.steps, c.id, new Set(setupSends));
  }
  return problems;

  function checkSteps(steps: readonly Step[], where: string, sends: Set<string>): void {
    for (const step of steps) {
      const o = step.origin;
      if (step.requirement !== undefined && !requirementIds.has(step.requirement))
        at(o, 'requirement', `unknown requirement ${step.requirement}`);
      switch (step.kind) {
        case 'send': {
          if (step.as !== OPS_SENDER && !played(step.as))
            at(
              o,
              'as',
              `"${step.as}" is not a role the harness plays (roles: ${[...roles].join(', ')}, or ${OPS_SENDER})`,
            );
          const sources = [step.template, step.file, step.again].filter((s) => s !== undefined);
          if (sources.length !== 1) at(o, 'send', 'give exactly one of template, file, again');
          for (const file of [step.template, step.file])
            if (file !== undefined && !fs.existsSync(path.resolve(pack.dir, file)))
              at(o, 'template', `no file ${file} in the pack`);
          if (step.again !== undefined && !sends.has(step.again))
            at(o, 'again', `no earlier send "${step.again}" in ${where}`);
          if (sends.has(step.id)) at(o, 'id', `send id "${step.id}" used twice in ${where}`);
          sends.add(step.id);
          break;
        }
        case 'expect':
        case 'expectNack':
          if (step.at !== undefined) checkAt(o, step.at);
          checkMatch(o, step.match, sends);
          if (step.kind === 'expectNack') {
            if (!step.code.includes('{{') && !Object.hasOwn(ITK_ERRORS, step.code))
              at(
                o,
                'code',
                `${step.code} is not an ITK error code (${Object.keys(ITK_ERRORS).join(', ')})`,
              );
            if (step.diagnostic !== undefined) checkRegex(o, 'diagnostic', step.diagnostic);
            if (step.for !== undefined && !sends.has(step.for))
              at(o, 'for', `no earlier send "${step.for}" in ${where}`);
            if (step.reportedBy !== undefined && !roles.has(step.reportedBy))
              at(o, 'reportedBy', `"${step.reportedBy}" is not a role`);
          }
          for (const [name, source] of Object.entries(step.capture))
            if (!SPECIAL_CAPTURE.test(source)) checkXPath(o, `capture.${name}`, source);
          break;
        case 'call': {
          if (!played(step.as))
            at(
              o,
              'as',
              `"${step.as}" is not a role the harness plays (roles: ${[...roles].join(', ')})`,
            );
          const sources = [step.template, step.file, step.again].filter((s) => s !== undefined);
          if (sources.length !== 1) at(o, 'call', 'give exactly one of template, file, again');
          for (const file of [step.template, step.file, step.soap.envelope])
            if (file !== undefined && !fs.existsSync(path.resolve(pack.dir, file)))
              at(o, 'template', `no file ${file} in the pack`);
          if (step.again !== undefined && !sends.has(step.again))
            at(o, 'again', `no earlier send or call "${step.again}" in ${where}`);
          if (sends.has(step.id)) at(o, 'id', `send id "${step.id}" used twice in ${where}`);
          sends.add(step.id);
          for (const name of [
            ...Object.keys(step.soap.set ?? {}),
            ...(step.soap.omit ?? []),
            ...(step.soap.repeat ?? []),
          ])
            if (!(HEADER_ELEMENTS as readonly string[]).includes(name))
              at(
                o,
                'soap',
                `${name} is not an element of the request's SOAP header (${HEADER_ELEMENTS.join(', ')})`,
              );
          const fault = step.answer.fault;
          if (fault?.code !== undefined && !['1000', '2100', '2200', '3000'].includes(fault.code))
            at(
              o,
              'answer.fault.code',
              `${fault.code} is not a Toolkit code (1000, 2100, 2200, 3000)`,
            );
          if (fault?.diagnostic !== undefined)
            checkRegex(o, 'answer.fault.diagnostic', fault.diagnostic);
          if (step.answer.refused && (step.answer.status !== undefined || fault))
            at(o, 'answer', 'a refused handshake has no status or fault');
          for (const c of step.answer.xpath ?? []) {
            if (typeof c === 'string') checkXPath(o, 'answer.xpath', c);
            else checkXPath(o, 'answer.xpath', c.path);
          }
          for (const [name, source] of Object.entries(step.capture))
            checkXPath(o, `capture.${name}`, source);
          break;
        }
        case 'serve':
          checkAt(o, step.at);
          break;
        case 'expectNothing':
          step.at.forEach((role) => checkAt(o, role));
          if (step.match) checkMatch(o, step.match, sends);
          break;
        default:
          break;
      }
    }
  }

  function checkAt(o: Origin, role: string): void {
    if (role !== QUARANTINE && !played(role))
      at(
        o,
        'at',
        `"${role}" is not a role the harness plays (roles: ${[...roles].join(', ')}, or ${QUARANTINE})`,
      );
  }

  function checkMatch(o: Origin, m: Match, sends: ReadonlySet<string>): void {
    if (m.from !== undefined && m.from !== 'router' && m.from !== 'locator' && !roles.has(m.from))
      at(o, 'from', `"${m.from}" is not a role (nor "router")`);
    for (const ack of [m.infAck, m.busAck])
      if (ack?.for !== undefined && !sends.has(ack.for))
        at(o, 'for', `no earlier send "${ack.for}"`);
    for (const c of m.xpath ?? []) {
      if (typeof c === 'string') checkXPath(o, 'xpath', c);
      else {
        checkXPath(o, 'xpath', c.path);
        if (c.matches !== undefined) checkRegex(o, 'xpath.matches', c.matches);
      }
    }
  }

  function checkXPath(o: Origin, key: string, expr: string): void {
    const problem = xpathProblem(withDummies(expr), ns);
    if (problem) at(o, key, `XPath ${JSON.stringify(expr)}: ${problem}`);
  }

  function checkRegex(o: Origin, key: string, source: string): void {
    try {
      new RegExp(withDummies(source));
    } catch (err) {
      at(o, key, (err as Error).message);
    }
  }
}
