/** Writes a run's reports to a folder: `junit.xml`, `report.html` and `results.json`. */
import fs from 'node:fs';
import path from 'node:path';
import { htmlReport } from './report-html.js';
import { junitXml } from './report-junit.js';
import type { HarnessRun } from './results.js';

export interface WrittenReports {
  readonly junit: string;
  readonly html: string;
  readonly json: string;
}

export function writeReports(run: HarnessRun, dir: string): WrittenReports {
  fs.mkdirSync(dir, { recursive: true });
  const written = {
    junit: path.join(dir, 'junit.xml'),
    html: path.join(dir, 'report.html'),
    json: path.join(dir, 'results.json'),
  };
  fs.writeFileSync(written.junit, junitXml(run));
  fs.writeFileSync(written.html, htmlReport(run));
  fs.writeFileSync(written.json, `${JSON.stringify(run, null, 1)}\n`);
  return written;
}
