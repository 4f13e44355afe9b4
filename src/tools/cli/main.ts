/** The itk-router command line: one sub-command per file, wired here. */
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../../router/00-common/package-root.js';
import { StoreError } from '../../router/08-store/store-error.js';
import { registerCerts } from './certs-command.js';
import { registerCheck } from './check-command.js';
import { registerDemo } from './demo-command.js';
import { registerHarness } from './harness-command.js';
import { registerMigrate } from './migrate-command.js';
import { registerOverdue } from './overdue-command.js';
import { registerProvision } from './provision-command.js';
import { registerQuarantine } from './quarantine-command.js';
import { registerReceive } from './receive-command.js';
import { registerRetention } from './retention-command.js';
import { registerSend } from './send-command.js';
import { registerSimulate } from './simulate-command.js';
import { registerStart } from './start-command.js';
import { registerTrack } from './track-command.js';
import { registerUsers } from './users-command.js';
import { registerValidate } from './validate-command.js';
import { EXIT, exitCodeOf } from './exit-status.js';

export { EXIT } from './exit-status.js';

export function buildProgram(): Command {
  const program = new Command('itk-router')
    .description(
      'ITK 2.x Distribution Envelope router over AMQP: care plans between integrated care teams',
    )
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError();
  registerStart(program);
  registerCheck(program);
  registerCerts(program);
  registerValidate(program);
  registerSend(program);
  registerReceive(program);
  registerTrack(program);
  registerQuarantine(program);
  registerOverdue(program);
  registerRetention(program);
  registerMigrate(program);
  registerSimulate(program);
  registerDemo(program);
  registerProvision(program);
  registerHarness(program);
  registerUsers(program);
  return program;
}

/** Runs the command line; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const program = buildProgram();
    await program.parseAsync([...argv]);
    return exitCodeOf(program);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(`itk-router: ${err instanceof Error ? err.message : String(err)}\n`);
    // The store refused (missing, older or newer schema, unreachable): a failure, not a usage error.
    return err instanceof StoreError ? EXIT.failed : EXIT.usage;
  }
}
