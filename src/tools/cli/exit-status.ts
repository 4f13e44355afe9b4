/**
 * The exit code a command asks for, kept beside the program rather than among its options:
 * `main` reads it once the command has run. 0 ok, 1 failed, 2 usage (EXIT).
 */
import type { Command } from 'commander';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const codes = new WeakMap<Command, number>();

const rootOf = (command: Command): Command => {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
};

/** Sets the process exit code for the run of the program `command` belongs to. */
export function setExitCode(command: Command, code: number): void {
  codes.set(rootOf(command), code);
}

/** The exit code the run asked for (0 when no command set one). */
export const exitCodeOf = (program: Command): number => codes.get(rootOf(program)) ?? EXIT.ok;
