/** What the demo says before the day (who and where) and after it (how it went). */
import type { RouteTable } from '../../router/05-routing/index.js';
import { PATIENT, spacedNhsNumber } from './cast.js';
import type { THE_DAY } from './day/the-day.js';
import type { Narrator } from './narrator.js';
import type { DayOutcome } from './play-day.js';

export interface Setting {
  readonly vhost: string;
  /** host:port of the broker, no credentials. */
  readonly broker: string;
  /** How the vhost and users were made: the management API or rabbitmqctl. */
  readonly via: string;
  readonly table: RouteTable;
  readonly prefix: string;
  readonly logFile?: string;
}

export function tellSetting(say: Narrator, s: Setting): void {
  const systems = [...s.table.endpoints.values()].map((e) => {
    const proxy = e.acks === 'router' ? ': cannot acknowledge, the router does it' : '';
    return `${e.name} (${e.id}${proxy})`;
  });
  say.line('itk-router demo: a day of care-plan messages in the Riverside locality');
  say.field('broker', `vhost ${s.vhost} on ${s.broker}, made through ${s.via}; deleted at the end`);
  say.field(
    'router',
    'runs in this process: the stock routes/, a temporary SQLite store' +
      (s.logFile ? `, its log in ${s.logFile}` : ''),
  );
  say.field(
    'systems',
    `${systems.join(', ')}. Each connects as its own broker user (${s.vhost}-<id>) and reads ` +
      `its own queue, ${s.prefix}.endpoint.<id>.`,
  );
  say.field(
    'patient',
    `${PATIENT.name}, NHS ${spacedNhsNumber(PATIENT.nhsNumber)}, born 2 March 1941, at home in ` +
      'the last months of her life',
  );
}

export function tellOutcome(
  say: Narrator,
  day: typeof THE_DAY,
  o: {
    ok: boolean;
    outcome: DayOutcome;
    problems: readonly string[];
    vhost: string;
    seconds: string;
  },
): void {
  const tidied = `vhost ${o.vhost}, its broker users and the store are deleted`;
  say.line();
  if (o.ok) {
    say.line(
      `The day played as expected: ${o.outcome.messages} messages in ${day.length} scenes, each ` +
        `one delivered, acknowledged, answered or refused as ITK and the care-plan rules say (${o.seconds} s).`,
    );
    say.line(`Tidied up: ${tidied}. The guide: docs/care-plans.md.`);
    return;
  }
  if (o.outcome.interrupted && o.problems.length === 0) {
    say.line(`Interrupted. Tidied up: ${tidied}.`);
    return;
  }
  say.line(o.outcome.interrupted ? 'Interrupted:' : 'The day did not play as expected:');
  for (const p of o.problems) say.line(`  - ${p}`);
  if (o.outcome.failedScene !== undefined) {
    const skipped = day.slice(o.outcome.failedScene + 1).map((s) => `${s.time} ${s.title}`);
    if (skipped.length > 0) say.line(`  not played: ${skipped.join('; ')}`);
  }
}
