/**
 * Progress while packs run: on a terminal, one bar redrawn in place (with the case running and
 * the failures so far printed above it); otherwise one plain line per case, for CI logs.
 */
import type { TestCase } from './model.js';
import type { CaseResult, HarnessRun } from './results.js';

export interface Progress {
  begin(total: number): void;
  caseStart(label: string, c: TestCase): void;
  caseEnd(label: string, result: CaseResult): void;
  note(text: string): void;
  end(run: HarnessRun): void;
}

const MARK: Record<CaseResult['status'], string> = {
  passed: 'PASS',
  failed: 'FAIL',
  skipped: 'SKIP',
  error: 'ERROR',
};

function why(result: CaseResult): string {
  if (result.failure) {
    const f = result.failure;
    return `\n      ${f.requirement.id} (${f.requirement.title}) broke at step ${f.step}: ${f.summary}`;
  }
  return result.reason ? `\n      ${result.reason}` : '';
}

/** One line per case. */
export function plainProgress(write: (text: string) => void): Progress {
  let done = 0;
  let total = 0;
  return {
    begin: (n) => (total = n),
    caseStart: () => undefined,
    caseEnd(label, r) {
      done += 1;
      write(
        `[${done}/${total}] ${MARK[r.status]} ${label} ${r.id} ${r.title} (${r.durationMs} ms)${r.status === 'passed' ? '' : why(r)}\n`,
      );
    },
    note: (text) => write(`${text}\n`),
    end: () => undefined,
  };
}

/** A bar redrawn on one line of a terminal `columns` wide. */
export function ttyProgress(write: (text: string) => void, columns = 100): Progress {
  let done = 0;
  let total = 0;
  let failed = 0;
  let current = '';
  const draw = () => {
    const width = 24;
    const filled = total === 0 ? 0 : Math.round((done / total) * width);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}${failed ? ` ${failed} failed` : ''}`;
    const line = `${bar} ${current}`;
    write(`\r\x1b[2K${line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line}`);
  };
  return {
    begin(n) {
      total = n;
      draw();
    },
    caseStart(label, c) {
      current = `${label} ${c.id} ${c.title}`;
      draw();
    },
    caseEnd(label, r) {
      done += 1;
      if (r.status !== 'passed' && r.status !== 'skipped') failed += 1;
      if (r.status !== 'passed')
        write(`\r\x1b[2K${MARK[r.status]} ${label} ${r.id} ${r.title}${why(r)}\n`);
      current = '';
      draw();
    },
    note(text) {
      current = text;
      draw();
    },
    end: () => write('\r\x1b[2K'),
  };
}

/** The bar on a terminal, plain lines otherwise. */
export function progressFor(stream: NodeJS.WriteStream): Progress {
  const write = (text: string) => void stream.write(text);
  return stream.isTTY
    ? ttyProgress(write, Math.max(stream.columns || 100, 40))
    : plainProgress(write);
}
