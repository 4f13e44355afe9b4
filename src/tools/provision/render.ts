/** One entry point for the command: a plan and its passwords, rendered in the chosen format. */
import { renderDefinitions } from './definitions.js';
import type { ProvisionPlan } from './plan.js';
import type { KnownPasswords, PasswordMode } from './passwords.js';
import { renderRabbitmqctl } from './rabbitmqctl-script.js';

export const PROVISION_FORMATS = ['rabbitmqctl', 'definitions'] as const;
export type ProvisionFormat = (typeof PROVISION_FORMATS)[number];

export interface RenderOptions {
  readonly format: ProvisionFormat;
  readonly mode: PasswordMode;
  /** Clear-text passwords known now (generated, or read from the environment), by user. */
  readonly passwords: KnownPasswords;
  /** Where the routes came from, for the script's header. */
  readonly source?: string;
}

/** The output text; for `definitions`, JSON with a trailing newline. */
export function renderPlan(plan: ProvisionPlan, options: RenderOptions): string {
  if (options.format === 'definitions') {
    return `${JSON.stringify(renderDefinitions(plan, { passwords: options.passwords }), null, 2)}\n`;
  }
  // The script reads `env` passwords itself when it runs: only generated ones are written in.
  const passwords = options.mode === 'generate' ? options.passwords : new Map<string, string>();
  return renderRabbitmqctl(plan, {
    mode: options.mode,
    passwords,
    ...(options.source !== undefined && { source: options.source }),
  });
}

/** Users of the plan without a password in `passwords`. */
export function usersWithoutPassword(plan: ProvisionPlan, passwords: KnownPasswords): string[] {
  return plan.accounts.map((account) => account.user).filter((user) => !passwords.has(user));
}
