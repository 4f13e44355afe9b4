/**
 * The accreditation test harness: test packs (packs/<name>/) run against a live router, with the
 * evidence written as JUnit XML and a self-contained HTML report. Importing it does nothing.
 */
export { loadPack, bundledPacks, resolvePackDir } from './load-pack.js';
export { PackError, HarnessError } from './harness-error.js';
export { openTarget, readCredentialsFile, type Target, type TargetOptions } from './target.js';
export { runPacks, type HarnessOptions, type PackRunRequest } from './run-packs.js';
export type { ActionHook, ActionRequest, RunOptions } from './run-context.js';
export { progressFor, plainProgress, ttyProgress, type Progress } from './progress.js';
export { writeReports, type WrittenReports } from './write-reports.js';
export { junitXml } from './report-junit.js';
export { htmlReport } from './report-html.js';
export { allFaultsCaught, allPassed, totalsOf } from './results.js';
export type {
  CaseResult,
  Exchanged,
  Failure,
  FaultyRouterResult,
  HarnessRun,
  PackRun,
  StepRecord,
  Totals,
} from './results.js';
export type { Pack, Requirement, Step, TestCase } from './model.js';
export { runSelftest, type SelftestOptions, type SelftestResult } from './selftest.js';
export { SIMULATOR_FAULTS } from './selftest-suppliers.js';
export { ROUTER_FAULTS, type RouterFault } from './faults/router-faults.js';
