/** The `validate` report in three formats: text (people), JSON (tools), JUnit (CI servers). */
import { create } from 'xmlbuilder2';
import type { Finding } from '../../router/04-validation/finding.js';

export interface FileReport {
  readonly file: string;
  readonly valid: boolean;
  readonly service?: string;
  readonly trackingId?: string;
  readonly findings: readonly Finding[];
}

export type ReportFormat = 'text' | 'json' | 'junit';

const where = (f: Finding): string => {
  const l = f.location;
  const parts = [
    l.part,
    l.line !== undefined
      ? `line ${l.line}${l.column !== undefined ? `:${l.column}` : ''}`
      : undefined,
    l.path,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'message';
};

const count = (reports: readonly FileReport[], severity: Finding['severity']) =>
  reports.reduce((n, r) => n + r.findings.filter((f) => f.severity === severity).length, 0);

function text(reports: readonly FileReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    const about = r.trackingId ? ` (tracking id ${r.trackingId}, service ${r.service})` : '';
    lines.push(`${r.valid ? 'PASS' : 'FAIL'}  ${r.file}${about}`);
    for (const f of r.findings) {
      lines.push(`  ${f.severity.padEnd(7)} ${f.code.padEnd(6)} ${f.rule}  at ${where(f)}`);
      lines.push(`          ${f.text}: ${f.detail}`);
    }
  }
  const invalid = reports.filter((r) => !r.valid).length;
  lines.push(
    `${reports.length} file(s): ${reports.length - invalid} valid, ${invalid} invalid; ${count(reports, 'error')} error(s), ${count(reports, 'warning')} warning(s)`,
  );
  return lines.join('\n') + '\n';
}

function json(reports: readonly FileReport[]): string {
  const invalid = reports.filter((r) => !r.valid).length;
  const summary = {
    files: reports.length,
    valid: reports.length - invalid,
    invalid,
    errors: count(reports, 'error'),
    warnings: count(reports, 'warning'),
  };
  return JSON.stringify({ summary, files: reports }, null, 2) + '\n';
}

function junit(reports: readonly FileReport[]): string {
  const suite = create({ version: '1.0', encoding: 'UTF-8' })
    .ele('testsuites', { name: 'itk-router validate' })
    .ele('testsuite', {
      name: 'itk-router validate',
      tests: reports.length,
      failures: reports.filter((r) => !r.valid).length,
      errors: 0,
    });
  for (const r of reports) {
    const testcase = suite.ele('testcase', { classname: 'itk-router.validate', name: r.file });
    const errors = r.findings.filter((f) => f.severity === 'error');
    const warnings = r.findings.filter((f) => f.severity === 'warning');
    if (errors.length > 0) {
      testcase
        .ele('failure', {
          message: `${errors.length} error(s): ${errors.map((f) => f.code).join(', ')}`,
          type: errors[0]!.rule,
        })
        .txt(
          errors
            .map((f) => `${f.code} ${f.rule} at ${where(f)}: ${f.text}: ${f.detail}`)
            .join('\n'),
        );
    }
    if (warnings.length > 0) {
      testcase
        .ele('system-out')
        .txt(
          warnings.map((f) => `warning ${f.code} ${f.rule} at ${where(f)}: ${f.detail}`).join('\n'),
        );
    }
  }
  return suite.end({ prettyPrint: true }) + '\n';
}

export function formatReport(reports: readonly FileReport[], format: ReportFormat): string {
  return format === 'json' ? json(reports) : format === 'junit' ? junit(reports) : text(reports);
}
