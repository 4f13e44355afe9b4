/**
 * `expectNothing`, `action` and `pause`. `expectNothing` watches queues for a while: by default
 * any unclaimed message that names a tracking id this case sent breaks it (late messages of
 * earlier cases do not); with `match`, any message meeting it; with `match: {}`, anything.
 */
import { formatDuration } from '../simulator/duration.js';
import type { CaseState, StepOutcome } from './case-state.js';
import { evaluate, type CheckResult } from './checks.js';
import type { ActionStep, ExpectNothingStep, PauseStep } from './model.js';
import { summarize } from './describe-message.js';
import { checksOf } from './step-expect.js';
import { expand, expandAll } from './template.js';
import { durationMs } from './parse-steps.js';

export async function runExpectNothing(
  state: CaseState,
  step: ExpectNothingStep,
  _index: number,
): Promise<StepOutcome> {
  const { ctx } = state;
  const where = step.at.map((role) => state.whereOf(role));
  const forMs = ctx.scaled(durationMs(step.for, state.scope));
  const span = formatDuration(forMs);
  const title = `expect nothing at ${step.at.join(', ')} for ${span}`;
  const readable = where.filter((w) => w !== 'quarantine' || ctx.target.quarantine);
  if (readable.length === 0)
    return {
      status: 'skipped',
      title,
      detail: 'the quarantine is not read in this run (see --quarantine)',
    };
  const checks = step.match ? checksOf(state, step.match) : undefined;
  const ids = state.trackingIds();
  const what = checks
    ? checks.length === 0
      ? 'any message'
      : checks.map((c) => c.what).join('; ')
    : `a message naming a tracking id this case sent (${ids.join(', ') || 'none'})`;
  let results: CheckResult[] = [];
  const offending = await ctx.session.mail.waitFor(
    state.startSeq,
    readable,
    (m) => {
      if (!checks) {
        const text = m.body.toString('latin1');
        const named = ids.filter((id) => text.includes(id));
        results = [
          {
            what,
            ok: named.length > 0,
            actual: named.length ? `names ${named.join(', ')}` : 'names none',
          },
        ];
        return named.length > 0;
      }
      results = evaluate(checks, m);
      return results.every((c) => c.ok);
    },
    Date.now() + forMs,
  );
  if (!offending) return { status: 'passed', title, detail: `nothing of the kind: ${what}` };
  const ref = { mail: offending.seq };
  const role = ctx.roleOf(offending.where) ?? offending.where;
  const arrived = summarize(offending.body, ctx.validator).summary;
  return {
    status: 'failed',
    title,
    // the conditions the message met are what it must not do: shown as broken
    checks: [
      { what: `no ${what}`, ok: false, actual: results.map((r) => r.actual ?? r.what).join('; ') },
    ],
    messages: [ref],
    failure: {
      summary: `${arrived}, sent by ${offending.headers['itk-sender'] ?? 'an unknown sender'}, arrived at ${role} (${offending.where}) ${offending.at - state.t0} ms into the case, where nothing should (${what})`,
      offending: ref,
    },
  };
}

export async function runAction(state: CaseState, step: ActionStep): Promise<StepOutcome> {
  const { ctx } = state;
  const text = expand(step.text, state.scope);
  const values = expandAll(step.with, state.scope);
  const hook = ctx.options.actions?.[step.id];
  const title = `action ${step.id}: ${text}`;
  if (hook) {
    await hook({ id: step.id, text, with: values, bindings: ctx.bindings, target: ctx.target });
    return { status: 'passed', title, detail: 'done by the run’s hook for this action' };
  }
  (ctx.options.prompt ?? ((t: string) => process.stderr.write(`\n>>> ${t}\n`)))(text);
  return { status: 'passed', title, detail: 'asked of whoever runs the system under test' };
}

export async function runPause(state: CaseState, step: PauseStep): Promise<StepOutcome> {
  const ms = state.ctx.scaled(durationMs(step.for, state.scope));
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { status: 'passed', title: `pause ${formatDuration(ms)}` };
}
